"""HTML for one network's numbered sections (counts … evidence samples).

Each section is a ``<section data-section=NAME>``; figures sit in
``<tr data-metric=KEY>`` rows so readers (and tests) can find them.
"""

from __future__ import annotations

from infoops.narratives.timeline import OFFICE_HOURS, WEEKDAYS
from infoops.report import safe, svg
from infoops.report.build import NetworkSection
from infoops.report.html import metric_table, n, num, pct, table

TITLES = (
    ("counts", "1. Counts"), ("creation", "2. Account creation"), ("timeline", "3. Posts over time"),
    ("rhythm", "4. Hour × weekday"), ("followers", "5. Followers and following"),
    ("engagement", "6. Engagement"), ("languages", "7. Languages and locations"),
    ("top", "8. Hashtags, links and accounts"), ("clients", "9. Client apps"),
    ("narratives", "10. Narratives"), ("repurposed", "11. Repurposed accounts"),
    ("picture", "12. Network picture"), ("evidence", "13. Evidence samples"),
)


NOT_IN_DATA = '<p class="note not-in-data" data-empty="1">Not in this data: {what}.</p>'


def _missing(what: str) -> str:
    """The one line an empty section shows instead of zeros and empty axes."""
    return NOT_IN_DATA.format(what=safe.text(what))


def _wrap(rank: int, key: str, title: str, body: str) -> str:
    return (f'<section id="net-{rank}-{key}" data-section="{key}"><h3>{safe.text(title)}</h3>'
            f"{body}</section>")


def counts(s: NetworkSection) -> str:
    c = s.counts
    return metric_table([
        ("accounts", "accounts", n(c["accounts"])), ("core", "core", n(c["core"])),
        ("amplifier", "amplifier", n(c["amplifier"])), ("posts", "posts", n(c["posts"])),
        ("posts_per_account", "posts per account", num(c["posts_per_account"], 1)),
        ("share_original", "original posts", pct(c["share_original"])),
        ("share_retweet", "retweets", pct(c["share_retweet"])),
        ("share_reply", "replies", pct(c["share_reply"])),
        ("share_quote", "quotes", pct(c["share_quote"])),
        ("share_media", "with media", pct(c["share_media"])),
        ("share_links", "with links", pct(c["share_links"])),
        ("share_hashtags", "with hashtags", pct(c["share_hashtags"])),
    ])


def creation(s: NetworkSection) -> str:
    h = s.creation
    if not h.months:
        return _missing("account creation dates")
    chart = svg.bar_chart(h.months, h.network, title="accounts created per month",
                          highlight=h.burst, overlay=h.expected,
                          overlay_label="expected from background")
    bursts = [[safe.text(m), n(c), num(e, 1), f"{p:.2g}"]
              for m, c, e, p, b in zip(h.months, h.network, h.expected, h.p_values, h.burst,
                                       strict=True) if b]
    rows = metric_table([("burst_months", "burst months", n(len(bursts))),
                         ("burst_accounts", "accounts created in bursts",
                          n(sum(c for c, b in zip(h.network, h.burst, strict=True) if b))),
                         ("undated", "accounts without a creation date", n(h.undated))])
    return (chart + rows + (table(["month", "created", "expected", "p"], bursts, "bursts")
                            if bursts else '<p class="note">No creation burst.</p>')
            + '<p class="note">Red bars: months with significantly more creations than the '
              "background population predicts (Poisson upper tail &lt; 0.001).</p>")


def timeline(s: NetworkSection) -> str:
    narr = s.narratives
    labels = {t.topic: t.label for t in narr.topics}
    spans = [(ph["first"], ph["last"], f"P{i + 1}", ph["topic"]) for i, ph in enumerate(narr.phases)]
    if not s.periods:
        return _missing("post times")
    chart = svg.line_chart(s.periods, s.by_kind, title=f"posts per {s.period} by kind", spans=spans)
    sp = s.span
    if sp.before or sp.after:
        cut = []
        if sp.before:
            cut.append(f"{n(sp.before)} post(s) before {sp.lo:%Y-%m-%d} (the first on {sp.first:%Y-%m-%d})")
        if sp.after:
            cut.append(f"{n(sp.after)} after {sp.hi:%Y-%m-%d} (the last on {sp.last:%Y-%m-%d})")
        chart += ('<p class="note" data-outliers="1">Axis clipped to the bulk of the activity; '
                  f"outliers not drawn: {safe.text('; '.join(cut))}.</p>")
    rows = [[f"P{i + 1}", safe.text(ph["start"]), safe.text(ph["end"]), n(ph["posts"]),
             safe.text(labels.get(ph["topic"], "?"))] for i, ph in enumerate(narr.phases)]
    return chart + ("<p class=\"note\">Narrative phases (shaded): consecutive periods with the "
                    "same dominant topic.</p>" + table(["phase", "from", "to", "posts", "dominant topic"],
                                                       rows, "phases") if rows else "")


def rhythm(s: NetworkSection) -> str:
    tz = s.timezone
    box = None
    if tz is not None:
        c0, c1 = (OFFICE_HOURS.start - tz.offset) % 24, (OFFICE_HOURS.stop - 1 - tz.offset) % 24
        box = (0, 4, c0, c1)
    chart = svg.heatmap(s.heatmap, WEEKDAYS, [str(h) for h in range(24)],
                        title="posts by UTC weekday and hour", box=box)
    if tz is None:
        return _missing("post times")
    return chart + metric_table([
        ("busiest_hours", "busiest 8 hours of the day (UTC)", busiest_hours(s.heatmap)),
        ("timezone", "inferred working time zone", safe.text(tz.label)),
        ("office_share", "posts in local office hours (Mon–Fri 09–18)", pct(tz.office_share)),
        ("weekend_share", "posts on local weekends", pct(tz.weekend_share)),
    ]) + ('<p class="note">The offset under which the most posts fall in weekday office hours '
          "(outlined). All times in the heatmap are UTC. This assumes day-shift operators: "
          "a team working night shifts for a foreign audience (as the IRA's US-facing shifts in "
          "St Petersburg did) comes out up to 12 hours off, so read it with the heatmap.</p>")


def busiest_hours(heatmap: list[list[int]], width: int = 8) -> str:
    """The ``width``-hour window of the day (UTC, wrapping at midnight) with the most
    posts, and its share: a fact that needs no assumption about shifts."""
    by_hour = [sum(day[h] for day in heatmap) for h in range(24)]
    total = sum(by_hour)
    if not total:
        return "–"
    start = max(range(24), key=lambda h: (sum(by_hour[(h + k) % 24] for k in range(width)), -h))
    share = sum(by_hour[(start + k) % 24] for k in range(width)) / total
    return f"{start:02d}:00–{(start + width) % 24:02d}:00 ({pct(share)} of posts)"


def followers(s: NetworkSection) -> str:
    f = s.follow
    if not f.get("followers_network_known") and not f.get("following_network_known"):
        return _missing("follower and following counts")
    rows = []
    for col in ("followers", "following"):
        rows += [
            (f"{col}_zero", f"{col}: share with 0 (network)", pct(f[f"{col}_network_zero"])),
            (f"{col}_lt8", f"{col}: share with fewer than 8 (network)", pct(f[f"{col}_network_lt8"])),
            (f"{col}_median", f"{col}: median (network)", num(f[f"{col}_network_median"], 0)),
            (f"{col}_bg_zero", f"{col}: share with 0 (background)", pct(f[f"{col}_background_zero"])),
            (f"{col}_bg_median", f"{col}: median (background)", num(f[f"{col}_background_median"], 0)),
        ]
    charts = "".join(
        "<div>" + svg.bar_chart(f["buckets"], [100 * v for v in f[f"{col}_network_shares"]],
                                title=f"{col}: % of network accounts", width=420, height=200,
                                overlay=[100 * v for v in f[f"{col}_background_shares"]],
                                overlay_label="background %") + "</div>"
        for col in ("followers", "following"))
    return f'<div class="grid">{charts}</div>' + metric_table(rows)


def engagement(s: NetworkSection) -> str:
    e = s.engagement
    if not any(e.get(k) for k in ("likes", "retweets", "replies", "quotes", "observed")):
        return _missing("engagement counts, and no retweets, quotes or replies of members")
    return metric_table([
        ("likes", "likes on the network's own posts", n(e["likes"])),
        ("retweets", "retweets counted by the platform", n(e["retweets"])),
        ("replies", "replies counted", n(e["replies"])), ("quotes", "quotes counted", n(e["quotes"])),
        ("zero_follower_liked_posts", "posts by zero-follower accounts that got likes",
         n(e["zero_follower_liked_posts"])),
        ("zero_follower_likes", "likes on posts by zero-follower accounts", n(e["zero_follower_likes"])),
        ("observed", "retweets/quotes/replies of members seen in the data", n(e["observed"])),
        ("observed_outside", "… made by accounts outside the network", n(e["observed_outside"])),
        ("share_outside", "share of observed engagement from outside", pct(e["share_outside"])),
        ("outside_accounts", "distinct outside accounts engaging", n(e["observed_outside_accounts"])),
    ])


def languages(s: NetworkSection) -> str:
    if not s.post_languages and not s.account_languages:
        return _missing("languages of posts or profiles")
    pl = svg.hbar_chart([x[0] for x in s.post_languages], [x[1] for x in s.post_languages],
                        title="posts by language")
    al = svg.hbar_chart([x[0] for x in s.account_languages], [x[1] for x in s.account_languages],
                        title="accounts by profile language")
    rows = [[safe.text(loc, 60), safe.text(pl_), safe.text(ml), n(k)]
            for loc, pl_, ml, k in s.location_language]
    return (f'<div class="grid"><div><h4>Posts</h4>{pl}</div><div><h4>Accounts</h4>{al}</div></div>'
            "<h4>Reported location vs language</h4>"
            + table(["reported location", "profile language", "main post language", "accounts"],
                    rows, "location-language"))


def top(s: NetworkSection) -> str:
    out = []
    for key, title in (("hashtags", "Top hashtags"), ("domains", "Top domains"), ("urls", "Top URLs"),
                       ("mentioned", "Most mentioned accounts"),
                       ("retweeted", "Most retweeted accounts")):
        items = s.top[key]
        shown = (lambda v: safe.url(v)) if key in ("urls", "domains") else (lambda v: safe.text(v))
        rows = [[shown(r.item), n(r.posts), n(r.accounts)] + ([safe.text(r.note)] if r.note else [])
                for r in items]
        head = ["item", "posts", "member accounts"] + (["who"] if items and items[0].note else [])
        out.append(f'<div data-top="{key}"><h4>{title}</h4>'
                   + (table(head, rows, f"top-{key}") if rows else _missing(title.lower())) + "</div>")
    return '<div class="grid">' + "".join(out) + "</div>"


def clients(s: NetworkSection) -> str:
    if not [c for c, _, _ in s.clients if c not in ("(unknown)", "", None)]:
        return _missing("client apps")
    rows = [[safe.text(c), n(p), n(a)] for c, p, a in s.clients]
    chart = svg.hbar_chart([c for c, _, _ in s.clients], [p for _, p, _ in s.clients],
                           title="posts by client app")
    return chart + table(["client", "posts", "accounts"], rows, "clients")


def narratives(s: NetworkSection) -> str:
    narr = s.narratives
    if not narr.topics:
        return _missing("post text")
    rows = []
    for t in narr.topics:
        ex = "<br>".join(f"{safe.post(x, 280)} <span class=\"note\">(×{n(c)})</span>"
                         for x, c in t.examples)
        rows.append([safe.text(f"T{t.topic + 1}"), ", ".join(safe.text(w, 30) for w in t.terms),
                     n(t.posts), ex])
    chart = svg.line_chart(narr.periods, {t.label: narr.volume[t.topic] for t in narr.topics},
                           title=f"posts per {narr.period} by topic")
    return (f'<p class="note">{n(narr.n_texts)} distinct texts; character n-gram TF-IDF + NMF '
            f"(seeded). Retweet prefixes, URLs and mentions removed.</p>"
            + table(["topic", "top terms", "posts", "example posts"], rows, "topics") + chart)


def repurposed(s: NetworkSection) -> str:
    r = s.repurposed
    tally = metric_table([(f"rep_{k}", k, n(v)) for k, v in r["tally"].items()]) if r["tally"] else (
        '<p class="note">No sign of repurposed accounts.</p>')
    rows = [[safe.text(a.screen_name or a.account_id, 40), safe.text(a.role),
             safe.text(", ".join(dict.fromkeys(a.signals)), 200),
             "<br>".join(safe.post(e, 200) for e in a.evidence[:6])] for a in r["examples"]]
    roles = ("<h4>Signals recorded by the roles stage</h4>"
             + metric_table([(f"sig_{k}", k, n(v)) for k, v in s.signal_tally.items()])
             if s.signal_tally else "")
    return (tally + (table(["account", "role", "signals", "evidence"], rows, "repurposed")
                     if rows else "") + roles)


def picture(s: NetworkSection) -> str:
    p = s.picture
    note = (f"{n(p.shown_nodes)} of {n(p.total_nodes)} accounts and {n(p.shown_edges)} of "
            f"{n(p.total_edges)} links shown; layout {p.layout}")
    if p.sampled:
        note += " — <strong>sampled</strong> (all core accounts first, then a seeded random sample)"
    return (p.svg + f'<p class="note">{note}. Export the full graph for Gephi: '
            f"<code>infoops export-graph --network {safe.text(s.network_id)} --out net.gexf</code></p>")


def evidence(s: NetworkSection) -> str:
    if not s.links:
        return _missing("significant links with stored evidence for this network")
    out = []
    for link in s.links:
        rows = [[safe.text(p.trace)
                 + ('<br><span class="note">target inferred from text</span>' if p.inferred else ""),
                 safe.post(p.shared, 200) if p.shared else safe.url(p.object, 80),
                 "–" if p.delta_seconds is None else f"{p.delta_seconds:,.0f} s",
                 f"{safe.text(p.time_a)}<br>{safe.post(p.text_a, 280)}",
                 f"{safe.text(p.time_b)}<br>{safe.post(p.text_b, 280)}"] for p in link.pairs]
        out.append(
            f"<h4>{safe.text(link.name_a, 40)} — {safe.text(link.name_b, 40)} "
            f'<span class="note">weight {num(link.weight, 2)}; {safe.text(link.traces)}</span></h4>'
            + (table(["trace", "what both share", "gap", "post A", "post B"], rows, "evidence")
               if rows else '<p class="note">no evidence rows stored for this link</p>'))
    return "".join(out)


RENDERERS = {
    "counts": counts, "creation": creation, "timeline": timeline, "rhythm": rhythm,
    "followers": followers, "engagement": engagement, "languages": languages, "top": top,
    "clients": clients, "narratives": narratives, "repurposed": repurposed, "picture": picture,
    "evidence": evidence,
}


def highlights(s: NetworkSection) -> list[str]:
    """Plain-text key findings of a network, computed from its sections (already escaped)."""
    out = []
    c, f, e = s.counts, s.follow, s.engagement
    if c["accounts"]:
        out.append(f"{n(c['accounts'])} accounts ({n(c['core'])} core, {n(c['amplifier'])} "
                   f"amplifiers) wrote {n(c['posts'])} posts, {pct(c['share_retweet'])} retweets.")
    if f["followers_network_known"]:
        out.append(f"{pct(f['followers_network_zero'])} have no followers and "
                   f"{pct(f['followers_network_lt8'])} fewer than 8 (background: "
                   f"{pct(f['followers_background_zero'])} with none).")
    bursts = [(m, k) for m, k, b in zip(s.creation.months, s.creation.network, s.creation.burst,
                                        strict=True) if b]
    if bursts:
        top3 = sorted(bursts, key=lambda mk: -mk[1])[:3]
        out.append(f"{n(sum(k for _, k in bursts))} accounts were created in burst months ("
                   + ", ".join(f"{safe.text(m)}: {n(k)}" for m, k in top3) + ").")
    if s.timezone is not None and s.timezone.office_share >= 0.5:
        out.append(f"{pct(s.timezone.office_share)} of posts fall in weekday office hours of "
                   f"{safe.text(s.timezone.label)}.")
    if e["observed"]:
        out.append(f"{pct(1 - e['share_outside'])} of the retweets, quotes and replies its accounts "
                   f"receive come from inside the network.")
    if e["zero_follower_likes"]:
        out.append(f"{n(e['zero_follower_likes'])} likes on posts by accounts with no followers.")
    if s.repurposed["accounts"]:
        out.append(f"{n(s.repurposed['accounts'])} account(s) show signs of repurposing.")
    if s.narratives.topics:
        big = max(s.narratives.topics, key=lambda t: t.posts)
        out.append(f"Largest narrative: {safe.text(', '.join(big.terms[:5]), 120)} "
                   f"({n(big.posts)} posts).")
    return out


def analyst_paragraph(s: NetworkSection) -> str:
    """One paragraph an analyst can lift: what the network pushes, its size, when it
    was active and how we know (escaped HTML)."""
    c = s.counts
    ov = s.overview
    first = (f"{n(c['accounts'])} accounts ({n(c['core'])} core, {n(c['amplifier'])} amplifiers) "
             f"wrote {n(c['posts'])} posts")
    parts = [first]
    langs = ov.get("languages") or []
    if langs:
        parts[0] += ", mostly in " + " and ".join(
            f"{safe.text(lang, 20)} ({100 * share:.0f}%)" for lang, share in langs)
    parts[0] += "."
    pushes = []
    if s.narratives.topics:
        big = max(s.narratives.topics, key=lambda t: t.posts)
        total = sum(t.posts for t in s.narratives.topics) or 1
        pushes.append(f"the narrative “{safe.text(', '.join(big.terms[:4]), 120)}” "
                      f"({100 * big.posts / total:.0f}% of its topic-assigned posts)")
    tags = [r.item for r in s.top.get("hashtags", [])[:3]]
    if tags:
        pushes.append("the hashtags " + ", ".join(f"#{safe.text(t.lstrip('#'), 40)}" for t in tags))
    domains = [r.item for r in s.top.get("domains", [])[:2]]
    if domains:
        pushes.append("links to " + ", ".join(safe.text(d, 60) for d in domains))
    if pushes:
        parts.append("It pushes " + "; ".join(pushes) + ".")
    sp = s.span
    if sp.lo is not None:
        when = f"It was active from {sp.lo:%Y-%m-%d} to {sp.hi:%Y-%m-%d}"
        if sp.before or sp.after:
            when += f" (the bulk of its posts; {n(sp.before + sp.after)} outlier(s) outside)"
        parts.append(when + ".")
    traces = [t for t in s.traces.split(",") if t]
    how = (f"How we know: its accounts act together on {', '.join(safe.text(t) for t in traces)} "
           "more often than chance explains (null model, Benjamini–Hochberg corrected)"
           if traces else "How we know: its links in the fused coordination graph")
    if s.reason:
        how += f"; {safe.text(s.reason, 300)}"
    if s.empty_traces:
        how += (f". {len(s.empty_traces)} trace(s) had no input in this data "
                f"({', '.join(safe.text(t) for t in s.empty_traces)})")
    parts.append(how + f". Score {num(s.score, 2)}.")
    return " ".join(parts)


def network(s: NetworkSection) -> str:
    """The whole ``<section>`` of one network: the analyst paragraph first."""
    body = "".join(_wrap(s.rank, k, title, RENDERERS[k](s)) for k, title in TITLES)
    score = num(s.score, 3)
    found = "".join(f"<li>{h}</li>" for h in highlights(s))
    return (
        f'<section class="network" id="net-{s.rank}" data-network="{safe.attr(s.network_id)}">'
        f"<h2>#{s.rank} Network {safe.text(s.network_id, 40)} "
        f'<span class="badge">score {score}</span></h2>'
        f'<p class="analyst" data-analyst="1">{analyst_paragraph(s)}</p>'
        f'<ul class="highlights">{found}</ul>'
        f"<p class=\"note\">Traces: {safe.text(s.traces, 200) or '–'}</p>{body}</section>"
    )
