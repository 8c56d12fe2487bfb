"""A heatmap of themes × contracts, as a standalone SVG a journalist can put in an article.

Rows are the circular's volets, columns the contracts (by date of signature), each cell the
number of commitments of that contract touching that volet, shaded on one blue scale. A
contract with no recorded commitment is drawn in grey with a dash, so that "none known" never
reads as "zero"; a volet a source says the contract covers, with no commitment known on it, is
hatched and marked ◆ (the state ``axis-stated`` of the query ``volet-coverage``). Each cell's
group carries its state as its class (commitments, axis-stated, zero, unknown). The SVG is written by hand: no plotting library is needed, the text stays
text (searchable, translatable) and each cell has a tooltip.
"""

from __future__ import annotations

from html import escape

from csi_graph.compare import Comparison, ContractFacts

CELL_W, CELL_H = 64, 34
LEFT, TOP = 250, 200
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_LOW, _HIGH = (247, 251, 255), (8, 48, 107)  # ColorBrewer "Blues", lightest and darkest
_HATCH = (
    '<defs><pattern id="axis-stated" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#9ecae1" stroke-width="2"/></pattern></defs>'
)

_TEXT = {
    "en": {
        "title": "What French cities' integrated security contracts commit to",
        "subtitle": "Number of commitments per volet of circular no. 6258/SG of 16 April 2021",
        "total": "All commitments",
        "none": "– no commitment known from the sources read",
        "count": "a commitment counts once per volet it touches",
        "not-signed": "not signed",
        "commitments": "commitments",
        "source": "Source: csi-graph, open data from public sources (official pages, press), read up to {date}.",
        "several": "{place} +: the contract also covers {others}.",
        "legend": "commitments",
        "axis": "◆ axis stated by a source, no commitment known",
    },
    "fr": {
        "title": "Ce à quoi s'engagent les contrats de sécurité intégrée des villes",
        "subtitle": "Nombre d'engagements par volet de la circulaire n°6258/SG du 16 avril 2021",
        "total": "Tous les engagements",
        "none": "– aucun engagement connu dans les sources lues",
        "count": "un engagement compte une fois par volet qu'il touche",
        "not-signed": "non signé",
        "commitments": "engagements",
        "source": "Source : csi-graph, données ouvertes d'après des sources publiques (sites officiels, presse), lues jusqu'au {date}.",
        "several": "{place} + : le contrat couvre aussi {others}.",
        "legend": "engagements",
        "axis": "◆ axe cité par une source, aucun engagement connu",
    },
}


def heatmap_svg(comparison: Comparison, read_on: str = "") -> str:
    """The SVG text of the heatmap of ``comparison`` (labels in its language)."""
    t = _TEXT.get(comparison.lang, _TEXT["en"])
    contracts = comparison.contracts
    volets = comparison.volets
    peak = max([n for counts in comparison.themes.values() for n in counts.values()] or [1])
    width = LEFT + CELL_W * len(contracts) + 150  # room for the last rotated label
    rows_bottom = TOP + CELL_H * (len(volets) + 1)
    several = sum(1 for contract in contracts if len(contract.territories) > 1)
    height = rows_bottom + 150 + 18 * several
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}" role="img">',
        f"<title>{escape(t['title'])}</title>",
        f"<desc>{escape(t['subtitle'])}</desc>",
        _HATCH,
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(20, 34, t["title"], size=20, weight="600"),
        _text(20, 58, t["subtitle"], size=14, fill="#444"),
    ]
    for col, contract in enumerate(contracts):
        x = LEFT + col * CELL_W + CELL_W / 2
        label = _column_label(contract, t)
        out.append(
            f'<text transform="translate({x:.0f},{TOP - 10}) rotate(-45)" font-size="13" fill="#222">{escape(label)}</text>'
        )
    for row, (key, name) in enumerate(volets):
        y = TOP + row * CELL_H
        out.append(_text(LEFT - 10, y + CELL_H / 2 + 5, name, size=13, anchor="end"))
        for col, contract in enumerate(contracts):
            n = comparison.themes[contract.identifier].get(key, 0)
            state = comparison.state(contract.identifier, key)
            out.append(_cell(LEFT + col * CELL_W, y, n, peak, contract, name, t, state))
    y = TOP + len(volets) * CELL_H
    out.append(_text(LEFT - 10, y + CELL_H / 2 + 5, t["total"], size=13, anchor="end", weight="600"))
    for col, contract in enumerate(contracts):
        x = LEFT + col * CELL_W
        value = str(contract.commitments) if contract.commitments else "–"
        out.append(_text(x + CELL_W / 2, y + CELL_H / 2 + 5, value, size=13, anchor="middle", weight="600"))
    out += _legend(LEFT, rows_bottom + 22, peak, t)
    stated = any(comparison.state(c.identifier, key) == "axis-stated" for c in contracts for key, _ in volets)
    notes = [t["count"], t["none"], *([t["axis"]] if stated else [])]
    for contract in contracts:
        if len(contract.territories) > 1:
            first, *others = [place.label for place in contract.territories]
            notes.append(t["several"].format(place=first, others=", ".join(others)))
    notes.append(t["source"].format(date=read_on))
    for i, note in enumerate(notes):
        out.append(_text(20, rows_bottom + 80 + i * 18, note, size=12, fill="#555"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _column_label(contract: ContractFacts, t: dict) -> str:
    place = contract.territories[0].label if contract.territories else contract.identifier
    if len(contract.territories) > 1:
        place += " +"
    if contract.status == "not-signed":
        return f"{place} ({t['not-signed']})"
    year = contract.signed[0][:4] if contract.signed else ""
    return f"{place} {year}".strip()


def _cell(
    x: float, y: float, n: int, peak: int, contract: ContractFacts, volet: str, t: dict, state: str
) -> str:
    tip = f"{contract.identifier} – {volet}: "
    if state == "axis-stated":
        return (
            f'<g class="axis-stated"><title>{escape(tip + t["axis"][2:])}</title>'
            f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="url(#axis-stated)" '
            f'stroke="#4292c6" stroke-width="1.5"/>'
            f"{_text(x + CELL_W / 2, y + CELL_H / 2 + 5, f'{n} ◆', size=13, anchor='middle', fill='#08306b')}</g>"
        )
    if state == "unknown":
        return (
            f'<g class="unknown"><title>{escape(tip + t["none"][2:])}</title>'
            f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="#eeeeee"/>'
            f"{_text(x + CELL_W / 2, y + CELL_H / 2 + 5, '–', size=13, anchor='middle', fill='#999')}</g>"
        )
    share = n / peak if peak else 0
    fill = "#ffffff" if n == 0 else _blend(0.15 + 0.85 * share)
    ink = "#ffffff" if share > 0.55 else ("#999999" if n == 0 else "#222222")
    tooltip = f"{tip}{n} {t['commitments']}"
    return (
        f'<g class="{escape(state)}"><title>{escape(tooltip)}</title>'
        f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{fill}" stroke="#dddddd"/>'
        f"{_text(x + CELL_W / 2, y + CELL_H / 2 + 5, str(n), size=13, anchor='middle', fill=ink)}</g>"
    )


def _legend(x: float, y: float, peak: int, t: dict) -> list[str]:
    steps = 6
    out = []
    for i in range(steps):
        share = i / (steps - 1)
        fill = "#ffffff" if i == 0 else _blend(0.15 + 0.85 * share)
        out.append(f'<rect x="{x + i * 28}" y="{y}" width="28" height="14" fill="{fill}" stroke="#dddddd"/>')
    out.append(_text(x, y + 30, "0", size=11, fill="#555"))
    out.append(_text(x + steps * 28, y + 30, str(peak), size=11, anchor="end", fill="#555"))
    out.append(_text(x + steps * 28 + 10, y + 12, t["legend"], size=12, fill="#555"))
    return out


def _blend(share: float) -> str:
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(_LOW, _HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int,
    anchor: str = "start",
    weight: str = "400",
    fill: str = "#222",
) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )
