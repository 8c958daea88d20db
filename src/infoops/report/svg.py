"""Small server-side SVG charts: bars, lines with shaded phases, heatmaps.

The report must open offline with no script at all, so charts are drawn here as
inline SVG strings instead of by a JavaScript library. Every label that comes
from the data goes through :mod:`infoops.report.safe`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from infoops.report import safe

#: Qualitative palette (Okabe & Ito 2008, colour-blind safe) for series.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
    "#D55E00", "#F0E442", "#000000", "#999999", "#7F3C8D",
)
CORE = "#D55E00"
AMPLIFIER = "#0072B2"
HIGHLIGHT = "#D55E00"
BAR = "#0072B2"

_FONT = 'font-family="sans-serif" font-size="10"'


def _open(width: int, height: int, title: str, kind: str, n: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{kind}" '
        f'data-points="{n}" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{safe.label(title)}</title>'
    )


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** (len(str(int(v))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * mag:
            return float(step * mag)
    return float(10 * mag)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.2g}"


def _y_axis(parts: list[str], x0: int, y0: int, h: int, ymax: float, w: int) -> None:
    for frac in (0.0, 0.5, 1.0):
        y = y0 + h - frac * h
        parts.append(
            f'<line x1="{x0}" x2="{x0 + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{x0 - 4}" y="{y + 3:.1f}" text-anchor="end" {_FONT}>'
            f"{_fmt(ymax * frac)}</text>"
        )


def _x_labels(parts: list[str], labels: Sequence[str], x0: int, step: float, y: int) -> None:
    every = max(1, len(labels) // 12)
    for i, lab in enumerate(labels):
        if i % every:
            continue
        x = x0 + step * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-40 {x:.1f} {y})" '
            f"{_FONT}>{safe.label(lab, 24)}</text>"
        )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    highlight: Sequence[bool] | None = None,
    overlay: Sequence[float] | None = None,
    overlay_label: str = "",
    width: int = 640,
    height: int = 220,
) -> str:
    """Vertical bars, optionally some highlighted and a reference line over them."""
    n = len(values)
    left, top, bottom = 48, 16, 56
    w, h = width - left - 10, height - top - bottom
    peak = max([*values, *(overlay or []), 0])
    ymax = _nice_max(float(peak))
    step = w / max(n, 1)
    parts = [_open(width, height, title, "bar", n)]
    _y_axis(parts, left, top, h, ymax, w)
    for i, v in enumerate(values):
        bh = h * float(v) / ymax
        colour = HIGHLIGHT if highlight is not None and highlight[i] else BAR
        parts.append(
            f'<rect class="bar" x="{left + i * step + step * 0.1:.1f}" y="{top + h - bh:.1f}" '
            f'width="{max(step * 0.8, 0.5):.1f}" height="{bh:.1f}" fill="{colour}">'
            f"<title>{safe.label(labels[i], 40)}: {_fmt(float(v))}</title></rect>"
        )
    if overlay is not None and n:
        pts = " ".join(
            f"{left + step * (i + 0.5):.1f},{top + h - h * float(v) / ymax:.1f}"
            for i, v in enumerate(overlay)
        )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="#000" stroke-dasharray="3 2"/>'
            f'<text x="{left + w}" y="{top - 4}" text-anchor="end" {_FONT}>'
            f"- - {safe.label(overlay_label)}</text>"
        )
    _x_labels(parts, labels, left, step, top + h + 12)
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 420,
    suffix: str = "",
) -> str:
    """Horizontal bars for ranked categories (languages, clients)."""
    n = len(values)
    row, left = 18, 150
    height = row * n + 10
    vmax = max([*values, 0]) or 1
    parts = [_open(width, height, title, "hbar", n)]
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        bw = (width - left - 70) * float(v) / vmax
        parts.append(
            f'<text x="{left - 4}" y="{y + 12}" text-anchor="end" {_FONT}>{safe.label(lab, 26)}</text>'
            f'<rect class="bar" x="{left}" y="{y + 2}" width="{max(bw, 0.5):.1f}" height="{row - 5}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{left + bw + 4:.1f}" y="{y + 12}" {_FONT}>{_fmt(float(v))}{suffix}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    spans: Sequence[tuple[int, int, str, int]] = (),
    width: int = 720,
    height: int = 240,
) -> str:
    """Lines over a shared x axis; ``spans`` shade ``(first, last, label, colour_index)``."""
    n = len(labels)
    left, top, bottom = 48, 28, 56
    w, h = width - left - 130, height - top - bottom
    peak = max([max(map(float, s), default=0) for s in series.values()] + [0])
    ymax = _nice_max(peak)
    step = w / max(n, 1)
    parts = [_open(width, height, title, "line", n)]
    for first, last, label, ci in spans:
        x = left + first * step
        parts.append(
            f'<rect class="phase" x="{x:.1f}" y="{top}" width="{(last - first + 1) * step:.1f}" '
            f'height="{h}" fill="{PALETTE[ci % len(PALETTE)]}" fill-opacity="0.12"/>'
            f'<text x="{x + 2:.1f}" y="{top - 4}" {_FONT}>{safe.label(label, 16)}</text>'
        )
    _y_axis(parts, left, top, h, ymax, w)
    for k, (name, vals) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        pts = " ".join(
            f"{left + step * (i + 0.5):.1f},{top + h - h * float(v) / ymax:.1f}"
            for i, v in enumerate(vals)
        )
        if n == 1:
            x = left + step * 0.5
            y = top + h - h * float(vals[0]) / ymax
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        parts.append(
            f'<polyline class="series" points="{pts}" fill="none" stroke="{colour}" '
            f'stroke-width="1.5"/>'
            f'<rect x="{left + w + 8}" y="{top + k * 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + w + 22}" y="{top + k * 14 + 9}" {_FONT}>{safe.label(name, 18)}</text>'
        )
    _x_labels(parts, labels, left, step, top + h + 12)
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    matrix: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    cell: int = 18,
    box: tuple[int, int, int, int] | None = None,
) -> str:
    """A matrix as coloured cells; ``box`` outlines rows r0..r1, columns c0..c1 (may wrap)."""
    rows, cols = len(matrix), len(col_labels)
    left, top = 40, 18
    width, height = left + cols * cell + 10, top + rows * cell + 10
    vmax = max((max(map(float, r), default=0) for r in matrix), default=0) or 1
    parts = [_open(width, height, title, "heatmap", rows * cols)]
    for j, lab in enumerate(col_labels):
        parts.append(
            f'<text x="{left + j * cell + cell / 2}" y="{top - 5}" text-anchor="middle" '
            f'{_FONT}>{safe.label(lab, 4)}</text>'
        )
    for i, row in enumerate(matrix):
        parts.append(
            f'<text x="{left - 4}" y="{top + i * cell + cell * 0.7}" text-anchor="end" {_FONT}>'
            f"{safe.label(row_labels[i], 6)}</text>"
        )
        for j, v in enumerate(row):
            op = 0.04 + 0.96 * float(v) / vmax
            parts.append(
                f'<rect class="cell" x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" '
                f'height="{cell - 1}" fill="{BAR}" fill-opacity="{op:.2f}">'
                f"<title>{safe.label(row_labels[i], 6)} {safe.label(col_labels[j], 4)}: "
                f"{_fmt(float(v))}</title></rect>"
            )
    if box is not None:
        r0, r1, c0, c1 = box
        # a box that wraps past the last column is drawn as two pieces
        for a, b in ([(c0, c1)] if c0 <= c1 else [(c0, cols - 1), (0, c1)]):
            parts.append(
                f'<rect class="box" x="{left + a * cell - 1}" y="{top + r0 * cell - 1}" '
                f'width="{(b - a + 1) * cell}" height="{(r1 - r0 + 1) * cell}" fill="none" '
                f'stroke="{HIGHLIGHT}" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
