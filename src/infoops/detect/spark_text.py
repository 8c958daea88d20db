"""Near-duplicate text on Spark: :mod:`infoops.detect.textsim`'s definition,
step by step, on a corpus split over executors.

The steps are the functions of :mod:`infoops.detect.textsim` that call the
same compiled kernels as the DuckDB engine, run inside ``mapInArrow`` on
parts of the corpus; Spark only moves rows between them:

1. the posts (:func:`~infoops.detect.textsim.text_posts_sql`, the same query
   in Spark's dialect) get the content keys of their normalised text
   (:func:`~infoops.detect.textsim.content_keys`); texts shorter than
   ``min_chars`` drop out;
2. one row per distinct key, numbered by rank in key order (the order
   :func:`~infoops.detect.textsim.distinct_texts` gives them): keys are
   hashes, so their top byte cuts them into ranges of similar size, counted
   and numbered range by range;
3. each text's MinHash signature and LSH bucket per band
   (:func:`~infoops.detect.textsim.text_signatures`,
   :func:`~infoops.detect.textsim.band_buckets`); buckets with one text drop;
4. whole buckets per task: the candidate pairs of
   :func:`~infoops.detect.textsim.bucket_candidates` (the same pairing rule
   and signature filter as :func:`~infoops.detect.textsim.lsh_candidates`);
5. the exact Jaccard of each distinct candidate
   (:func:`~infoops.detect.textsim.pair_similarity`), kept at ``threshold``;
6. the verified pairs come to the driver, which finds their connected
   components (:func:`~infoops.detect.textsim.component_roots`); each text's
   label (:func:`~infoops.detect.textsim.labels_from_roots`) is the number
   :func:`~infoops.detect.textsim.corpus_clusters` gives its cluster;
7. the posts with their text's label are the actions of the co-action join.

Content keys are unsigned 64-bit; Spark's longs are signed, so they travel
with the top bit flipped, which keeps their order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from infoops.detect import textsim
from infoops.detect.params import TextParams

_FLIP = np.uint64(1 << 63)
#: Top bits of the first content key that cut the texts into ranges to number.
_RANGE_BITS = 8


def _signed(u: np.ndarray) -> np.ndarray:
    """Unsigned keys as signed longs in the same order."""
    return (np.asarray(u, dtype=np.uint64) ^ _FLIP).view(np.int64)


def _keyed(min_chars: int) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            k1, k2, size = textsim.content_keys(b.column("text"))
            keep = pa.array(np.flatnonzero(size >= min_chars))
            yield pa.RecordBatch.from_arrays(
                [b.column("account_id").take(keep), b.column("post_id").take(keep),
                 b.column("ts").take(keep), b.column("text").take(keep),
                 pa.array(_signed(k1)).take(keep), pa.array(_signed(k2)).take(keep)],
                names=["account_id", "post_id", "ts", "text", "k1", "k2"])
    return run


def _buckets(tp: TextParams, seed: int, n: int) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            m = b.num_rows
            if m == 0:
                continue
            sig = textsim.text_signatures(b.column("text"), tp, seed)
            buckets = textsim.band_buckets(sig, tp.bands, n)
            idx = b.column("idx").to_numpy()
            yield pa.RecordBatch.from_arrays(
                [pa.array(np.repeat(np.arange(tp.bands, dtype=np.int32), m)),
                 pa.array(buckets.ravel().view(np.int64)),  # below 2**63: top bits cleared
                 pa.array(np.tile(idx, tp.bands))],
                names=["band", "bucket", "idx"])
    return run


def _candidates(tp: TextParams, seed: int, n: int) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = [b for b in batches if b.num_rows]
        if not parts:
            return
        t = pa.Table.from_batches(parts)
        idx = t.column("idx").to_numpy()
        band = t.column("band").to_numpy()
        bucket = t.column("bucket").to_numpy().view(np.uint64)
        uniq, first, inv = np.unique(idx, return_index=True, return_inverse=True)
        del uniq
        texts = t.column("text").take(pa.array(first))
        sig = textsim.text_signatures(texts, tp, seed)[inv]
        for q in np.unique(band):
            rows = np.flatnonzero(band == q)
            i, j = textsim.bucket_candidates(sig[rows], bucket[rows], idx[rows], n,
                                             tp.threshold - 0.15)
            if i.size:
                yield pa.RecordBatch.from_arrays([pa.array(i), pa.array(j)], names=["i", "j"])
    return run


def _verified(tp: TextParams) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            if b.num_rows == 0:
                continue
            sim = textsim.pair_similarity(b.column("text_i"), b.column("text_j"), tp.shingle)
            keep = pa.array(np.flatnonzero(sim >= tp.threshold))
            yield pa.RecordBatch.from_arrays(
                [b.column("i").take(keep), b.column("j").take(keep)], names=["i", "j"])
    return run


def _labels(members: Any, roots: Any) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            lab = textsim.labels_from_roots(b.column("idx").to_numpy(), members.value,
                                            roots.value)
            yield pa.RecordBatch.from_arrays([b.column("k1"), b.column("k2"), pa.array(lab)],
                                             names=["k1", "k2", "label"])
    return run


def text_actions(spark: Any, text: TextParams, seed: int, view: str
                 ) -> tuple[dict[str, int], list[Any]]:
    """Register ``view``: the actions ``(account_id, post_id, object, ts)`` of
    ``text-similarity`` (object: the near-duplicate cluster of the post's
    text), computed on Spark from the ``posts`` view.

    Returns the statistics the DuckDB engine records (``texts``,
    ``clusters``) with the sizes that came back to the driver
    (``verified_pairs``, after ``candidate_pairs``), and the cached frames
    behind the view, to unpersist once the view has been read."""
    from pyspark.sql import functions as F

    min_chars = max(text.min_chars, text.shingle)
    dialect_sql = textsim.text_posts_sql("spark")
    keyed = spark.sql(dialect_sql).mapInArrow(
        _keyed(min_chars), "account_id string, post_id string, ts double, text string, "
        "k1 long, k2 long").persist()
    texts = keyed.groupBy("k1", "k2").agg(F.first("text").alias("text")).withColumn(
        "rng", F.shiftright("k1", 64 - _RANGE_BITS)).persist()
    counts = sorted((int(r[0]), int(r[1])) for r in
                    texts.groupBy("rng").count().collect())
    n = sum(c for _, c in counts)
    offsets = spark.createDataFrame(
        list(zip([r for r, _ in counts], np.cumsum([0] + [c for _, c in counts])[:-1].tolist(), strict=False)),
        "rng long, off long")
    from pyspark.sql import Window

    w = Window.partitionBy("rng").orderBy("k1", "k2")
    numbered = (texts.join(F.broadcast(offsets), "rng")
                .withColumn("idx", F.col("off") + F.row_number().over(w) - 1)
                .select("k1", "k2", "idx", "text")).persist()
    stats = {"texts": n, "clusters": 0, "candidate_pairs": 0, "verified_pairs": 0}
    members = np.empty(0, dtype=np.int64)
    roots = np.empty(0, dtype=np.int64)
    frames = [keyed, texts, numbered]
    if n:
        bands = numbered.select("idx", "text").mapInArrow(
            _buckets(text, seed, n), "band int, bucket long, idx long")
        shared = (bands.withColumn("c", F.count("*").over(Window.partitionBy("band", "bucket")))
                  .where("c >= 2").drop("c"))
        cand = (shared.join(numbered.select("idx", "text"), "idx")
                .repartition("band", "bucket")
                .mapInArrow(_candidates(text, seed, n), "i long, j long")
                .distinct().persist())
        frames.append(cand)
        ti = numbered.select(F.col("idx").alias("i"), F.col("text").alias("text_i"))
        tj = numbered.select(F.col("idx").alias("j"), F.col("text").alias("text_j"))
        ok = (cand.join(ti, "i").join(tj, "j").select("i", "j", "text_i", "text_j")
              .mapInArrow(_verified(text), "i long, j long").toPandas())
        stats["candidate_pairs"] = int(cand.count())
        stats["verified_pairs"] = len(ok)
        members, roots = textsim.component_roots(ok["i"].to_numpy(np.int64),
                                                 ok["j"].to_numpy(np.int64))
    stats["clusters"] = n - int(members.size)
    sc = spark.sparkContext
    labels = numbered.select("k1", "k2", "idx").mapInArrow(
        _labels(sc.broadcast(members), sc.broadcast(roots)), "k1 long, k2 long, label long")
    (keyed.join(labels, ["k1", "k2"])
     .select("account_id", "post_id", F.col("label").alias("object"), "ts")
     .createOrReplaceTempView(view))
    return stats, frames
