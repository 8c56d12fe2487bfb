"""A bar chart of the contracts signed per quarter, as a standalone SVG for the documentation.

One bar per quarter, from the first quarter with a signature to the last, grouped by year;
a contract whose signature is known only to the year gets a grey bar of its own after that
year's quarters ("year only"), never spread over quarters it may not belong to; signed
contracts with no known date are said in a note. The figures are those of the named query
``signatures-by-quarter`` (:func:`csi_graph.register.signings`). Written by hand, with the
text helpers of the heatmap (:mod:`csi_graph.heatmap`): the text stays text, each bar has a
tooltip, and the same data gives the same bytes.
"""

from __future__ import annotations

from html import escape

from csi_graph.heatmap import FONT, _text
from csi_graph.register import Signings

BAR_W, GAP, YEAR_GAP = 28, 6, 22
LEFT, TOP, PLOT_H = 70, 110, 240
_BAR, _YEAR_ONLY = "#2171b5", "#bdbdbd"

_TEXT = {
    "en": {
        "title": "Integrated security contracts signed per quarter",
        "subtitle": "Signed contracts in the register, by the earliest signature date a source gives",
        "quarter": "Q{q}",
        "year-only": "?",
        "tip": "{year} Q{q}: {n} contract(s) signed",
        "tip-year": "{year}, quarter unknown: {n} contract(s) signed",
        "axis": "contracts",
        "note-year": "Grey bar (?): signed that year, quarter not known from the sources read.",
        "note-undated": "{n} signed contract(s) with no known date of signature are not drawn.",
        "note-total": "{n} signed contracts in the register; the register is not complete (see docs/register.md).",
        "source": "Source: csi-graph, open data from public sources; queries/signatures-by-quarter.rq.",
    },
    "fr": {
        "title": "Contrats de sécurité intégrée signés par trimestre",
        "subtitle": "Contrats signés du registre, d'après la plus ancienne date de signature donnée par une source",
        "quarter": "T{q}",
        "year-only": "?",
        "tip": "{year} T{q} : {n} contrat(s) signé(s)",
        "tip-year": "{year}, trimestre inconnu : {n} contrat(s) signé(s)",
        "axis": "contrats",
        "note-year": "Barre grise (?) : signé cette année-là, trimestre inconnu des sources lues.",
        "note-undated": "{n} contrat(s) signé(s) sans date de signature connue ne figure(nt) pas.",
        "note-total": "{n} contrats signés dans le registre ; le registre n'est pas complet (voir docs/register.md).",
        "source": "Source : csi-graph, données ouvertes d'après des sources publiques ; queries/signatures-by-quarter.rq.",
    },
}


def quarters_svg(signings: Signings, lang: str = "en") -> str:
    """The SVG text of the bar chart of ``signings``, with its words in ``lang``."""
    t = _TEXT.get(lang, _TEXT["en"])
    years = list(range(signings.years[0], signings.years[-1] + 1)) if signings.years else []
    slots: list[tuple[int, int | None]] = []  # (year, quarter), quarter None: the year-only bar
    for year in years:
        slots += [(year, q) for q in range(1, 5)]
        if year in signings.years_only:
            slots.append((year, None))
    peak = max([*signings.quarters.values(), *signings.years_only.values(), 1])
    width = LEFT + len(slots) * (BAR_W + GAP) + YEAR_GAP * len(years) + 40
    width = max(width, 720)
    bottom = TOP + PLOT_H
    notes = [t["note-total"].format(n=signings.total)]
    if signings.years_only:
        notes.append(t["note-year"])
    if signings.undated:
        notes.append(t["note-undated"].format(n=signings.undated))
    notes.append(t["source"])
    height = bottom + 70 + 18 * len(notes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}" role="img">',
        f"<title>{escape(t['title'])}</title>",
        f"<desc>{escape(t['subtitle'])}</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(20, 34, t["title"], size=20, weight="600"),
        _text(20, 58, t["subtitle"], size=14, fill="#444"),
    ]
    for tick in _ticks(peak):
        y = bottom - PLOT_H * tick / peak
        out.append(f'<line x1="{LEFT - 6}" y1="{y:.0f}" x2="{width - 30}" y2="{y:.0f}" stroke="#eeeeee"/>')
        out.append(_text(LEFT - 10, y + 4, str(tick), size=11, anchor="end", fill="#555"))
    out.append(_text(LEFT - 10, TOP - 14, t["axis"], size=11, anchor="end", fill="#555"))
    x = LEFT
    for index, year in enumerate(years):
        start = x
        for slot_year, quarter in slots:
            if slot_year != year:
                continue
            if quarter is None:
                n = signings.years_only.get(year, 0)
                tip, label, fill, kind = t["tip-year"], t["year-only"], _YEAR_ONLY, "year-only"
            else:
                n = signings.quarters.get((year, quarter), 0)
                tip, label, fill, kind = t["tip"], t["quarter"].format(q=quarter), _BAR, "quarter"
            out.append(_bar(x, n, peak, tip.format(year=year, q=quarter, n=n), fill, kind, year, quarter))
            out.append(_text(x + BAR_W / 2, bottom + 16, label, size=10, anchor="middle", fill="#555"))
            x += BAR_W + GAP
        out.append(
            _text((start + x - GAP) / 2, bottom + 36, str(year), size=13, anchor="middle", weight="600")
        )
        if index < len(years) - 1:
            out.append(
                f'<line x1="{x + YEAR_GAP / 2 - GAP / 2:.0f}" y1="{TOP}" x2="{x + YEAR_GAP / 2 - GAP / 2:.0f}" '
                f'y2="{bottom + 40}" stroke="#dddddd"/>'
            )
        x += YEAR_GAP
    out.append(f'<line x1="{LEFT - 6}" y1="{bottom}" x2="{width - 30}" y2="{bottom}" stroke="#999999"/>')
    for i, note in enumerate(notes):
        out.append(_text(20, bottom + 70 + i * 18, note, size=12, fill="#555"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _bar(x: float, n: int, peak: int, tip: str, fill: str, kind: str, year: int, quarter: int | None) -> str:
    height = PLOT_H * n / peak
    y = TOP + PLOT_H - height
    period = f"{year}" if quarter is None else f"{year}-Q{quarter}"
    label = _text(x + BAR_W / 2, y - 5, str(n), size=12, anchor="middle", fill="#222") if n else ""
    return (
        f'<g class="{kind}" data-period="{period}" data-count="{n}"><title>{escape(tip)}</title>'
        f'<rect x="{x:.0f}" y="{y:.1f}" width="{BAR_W}" height="{height:.1f}" fill="{fill}"/>{label}</g>'
    )


def _ticks(peak: int) -> list[int]:
    """Whole numbers from 0 to ``peak``, at most six of them."""
    step = max(1, -(-peak // 5))
    return list(range(0, peak + 1, step))
