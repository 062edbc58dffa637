"""Rich HTML for Jupyter: a rubric's themes, criteria and weights; a score's verdict,
breakdown table and an inline SVG bar chart of the points per criterion, by theme."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Dict, List

from . import _perspectives

if TYPE_CHECKING:
    from ._rubric import Rubric
    from ._score import CriterionScore, Score

#: One colour per theme, in rubric order (repeats after eight themes).
PALETTE = ["#2f6f9f", "#3d8b4f", "#c07a1f", "#7a4e9c", "#b2463f", "#3b8f8f", "#8a7a2c", "#5b5b5b"]

STYLE = (
    "<style>"
    ".cv{font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px;color:#222}"
    ".cv table{border-collapse:collapse;margin:6px 0}"
    ".cv th,.cv td{padding:2px 8px;text-align:left;border-bottom:1px solid #e4e4e4;white-space:nowrap}"
    ".cv td.n,.cv th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".cv .big{font-size:22px;font-weight:600}"
    ".cv .muted{color:#777}"
    ".cv .ko{color:#b2463f;font-weight:600}"
    "</style>"
)


def _num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _raw(value: Any, unit: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        text = f"{_plain(value[0])}–{_plain(value[1])}"
    elif isinstance(value, dict):
        text = f"{_plain(value.get('value'))} ({value.get('evidence')})"
    elif isinstance(value, float):
        text = _plain(value)
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text


def _plain(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def _band_label(rubric: Rubric, band: Any, lang: str) -> str:
    for b in rubric.bands:
        if b.id == band:
            return b.label(lang)
    return "no band" if band is None else str(band)


def _option_labels(rubric: Rubric, lang: str) -> Dict[str, Dict[str, str]]:
    """Criterion id → option id → option label (category criteria)."""
    return {
        c["id"]: {o["id"]: o["label"] for o in c["options"]}
        for t in rubric.describe(lang)["themes"]
        for c in t["criteria"]
    }


def score_html(score: Score, rubric: Rubric, lang: str = "en") -> str:
    """The score as HTML: verdict, SVG chart and breakdown table."""
    criteria = {c.id: c for c in rubric.criteria}
    options = _option_labels(rubric, lang)
    themes = {t.id: t for t in rubric.themes}
    low, high = score.interval
    parts = [STYLE, '<div class="cv">']
    parts.append(
        f'<div><span class="big">{_num(score.total)}</span> / 100 &nbsp; '
        f"<b>{escape(_band_label(rubric, score.band, lang))}</b>"
    )
    if low != high:
        parts.append(f' &nbsp; <span class="muted">interval {_num(low)} – {_num(high)}</span>')
    parts.append("</div>")
    if score.knockouts:
        items = ", ".join(
            f"{escape(criteria[k.criterion].label(lang) if k.criterion in criteria else k.criterion)} "
            f"({escape(k.rule)}{'' if k.definite else ', within the range'})"
            for k in score.knockouts
        )
        word = "Knocked out" if score.knocked_out else "May be knocked out"
        parts.append(f'<div class="ko">{word}: {items}</div>')
    meta = f"rubric {escape(score.rubric_id)} {escape(score.rubric_version)} · {escape(score.rubric_fingerprint[:12])}"
    if score.perspective:
        meta += f" · perspective {escape(score.perspective)}"
    parts.append(f'<div class="muted">{meta}</div>')
    parts.append(_chart(score, rubric, lang))
    parts.append(_perspectives.small_multiple(score, rubric, lang))

    parts.append(
        "<table><tr><th>theme</th><th>criterion</th><th>input</th><th class=n>value</th>"
        "<th class=n>weight</th><th class=n>points</th><th class=n>available</th><th>flags</th></tr>"
    )
    for c in score.criteria:
        crit = criteria.get(c.id)
        theme = themes.get(c.theme)
        raw = options.get(c.id, {}).get(c.raw, c.raw) if isinstance(c.raw, str) else c.raw
        parts.append(
            "<tr>"
            f"<td>{escape(theme.label(lang) if theme else c.theme)}</td>"
            f"<td>{escape(crit.label(lang) if crit else c.id)}</td>"
            f"<td>{escape(_raw(raw, crit.unit if crit else None))}</td>"
            f"<td class=n>{_num(c.value, 3)}</td>"
            f"<td class=n>{_pct(c.weight)}</td>"
            f"<td class=n>{_num(c.points)}</td>"
            f"<td class=n>{_num(c.available)}</td>"
            f"<td>{escape(', '.join(c.flags))}</td>"
            "</tr>"
        )
    parts.append("</table></div>")
    return "".join(parts)


def _chart(score: Score, rubric: Rubric, lang: str) -> str:
    """A horizontal bar per criterion, grouped by theme: the full bar is what the
    criterion can earn (100 · weight), the coloured part what it earned, a whisker the
    range of its points when its input is a range."""
    by_theme: Dict[str, List[CriterionScore]] = {}
    for c in score.criteria:
        by_theme.setdefault(c.theme, []).append(c)
    labels = {c.id: c.label(lang) for c in rubric.criteria}
    colours = {t.id: PALETTE[i % len(PALETTE)] for i, t in enumerate(rubric.themes)}
    theme_labels = {t.id: t.label(lang) for t in rubric.themes}
    scale_max = max([100 * c.weight for c in score.criteria] + [1e-9])
    label_w, bar_w, value_w, row_h = 230, 300, 90, 18
    width = label_w + bar_w + value_w
    rows: List[str] = []
    y = 4
    for theme_id, items in by_theme.items():
        earned = sum(c.points for c in items)
        possible = sum(100 * c.weight for c in items)
        colour = colours.get(theme_id, PALETTE[-1])
        rows.append(
            f'<text x="0" y="{y + 13}" font-weight="600" fill="{colour}">'
            f"{escape(theme_labels.get(theme_id, theme_id))}</text>"
            f'<text x="{width - 4}" y="{y + 13}" text-anchor="end" font-weight="600" fill="{colour}">'
            f"{_num(earned, 1)} / {_num(possible, 1)}</text>"
        )
        y += row_h + 2
        for c in items:
            full = bar_w * (100 * c.weight) / scale_max
            got = bar_w * max(0.0, c.points) / scale_max
            rows.append(
                f'<text x="12" y="{y + 12}">{escape(labels.get(c.id, c.id))}</text>'
                f'<rect x="{label_w}" y="{y + 3}" width="{full:.1f}" height="{row_h - 6}" fill="#e6e6e6"/>'
                f'<rect x="{label_w}" y="{y + 3}" width="{got:.1f}" height="{row_h - 6}" fill="{colour}">'
                f"<title>{escape(c.id)}: {_num(c.points)} of {_num(100 * c.weight)} points</title></rect>"
            )
            if c.interval is not None:
                x0 = label_w + bar_w * max(0.0, c.interval[0]) / scale_max
                x1 = label_w + bar_w * max(0.0, c.interval[1]) / scale_max
                mid = y + row_h / 2
                rows.append(
                    f'<line x1="{x0:.1f}" y1="{mid}" x2="{x1:.1f}" y2="{mid}" stroke="#222" stroke-width="1.5"/>'
                    f'<line x1="{x0:.1f}" y1="{mid - 4}" x2="{x0:.1f}" y2="{mid + 4}" stroke="#222"/>'
                    f'<line x1="{x1:.1f}" y1="{mid - 4}" x2="{x1:.1f}" y2="{mid + 4}" stroke="#222"/>'
                )
            rows.append(
                f'<text x="{width - 4}" y="{y + 12}" text-anchor="end" class="n">{_num(c.points)}</text>'
            )
            y += row_h
        y += 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
        f'viewBox="0 0 {width} {y}" font-size="12" font-family="system-ui,sans-serif" role="img" '
        f'aria-label="points per criterion">{"".join(rows)}</svg>'
    )


def rubric_html(rubric: Rubric, lang: str = "en") -> str:
    """The rubric as HTML: themes with their criteria and effective weights, under the
    rubric's own weights and each perspective's."""
    perspectives = rubric.perspectives
    weights = [rubric.weights()] + [rubric.weights(p.id) for p in perspectives]
    parts = [STYLE, '<div class="cv">']
    parts.append(f"<div><b>{escape(rubric.title(lang))}</b></div>")
    parts.append(
        f'<div class="muted">{escape(rubric.id)} {escape(rubric.version)} · '
        f"{escape(rubric.aggregation)} · {len(rubric.criteria)} criteria · "
        f"{escape(rubric.fingerprint[:12])}</div>"
    )
    head = "".join(f"<th class=n>{escape(p.label(lang))}</th>" for p in perspectives)
    parts.append(
        "<table><tr><th>theme</th><th>criterion</th><th>id</th><th>input</th>"
        f"<th class=n>weight</th>{head}<th>knock-out</th></tr>"
    )
    criteria = {c.id: c for c in rubric.criteria}
    for i, t in enumerate(rubric.themes):
        colour = PALETTE[i % len(PALETTE)]
        theme_cells = "".join(
            f"<td class=n><b>{_pct(sum(w[c] for c in t.criteria))}</b></td>" for w in weights
        )
        parts.append(
            f'<tr><td colspan="4" style="color:{colour}"><b>{escape(t.label(lang))}</b></td>'
            f"{theme_cells}<td></td></tr>"
        )
        for cid in t.criteria:
            c = criteria[cid]
            kind = c.kind
            if c.levels is not None:
                kind += f" 1–{c.levels}"
            if c.options:
                kind += ": " + " / ".join(c.options)
            if c.unit:
                kind += f" ({c.unit})"
            cells = "".join(f"<td class=n>{_pct(w[cid])}</td>" for w in weights)
            parts.append(
                f"<tr><td></td><td>{escape(c.label(lang))}</td><td><code>{escape(cid)}</code></td>"
                f"<td>{escape(kind)}</td>{cells}<td>{escape(c.knockout or '')}</td></tr>"
            )
    parts.append("</table>")
    if rubric.bands:
        bands = " · ".join(f"{escape(b.label(lang))} ≥ {_plain(b.min)}" for b in rubric.bands)
        parts.append(f'<div class="muted">bands: {bands}</div>')
    parts.append("</div>")
    return "".join(parts)
