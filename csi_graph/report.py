"""A comparison as tables, and those tables as text, Markdown, CSV or a standalone HTML page.

Each section of ``csi-graph compare`` (overview, themes, parties, targets, signatories,
durations, similarity, realisations, per-capita) is one or two :class:`Table` objects; the formats only
lay them out. CSV holds one table, so it is written for one section at a time.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field

from csi_graph.compare import SECTIONS, Comparison
from csi_graph.errors import CsiError

FORMATS = ("table", "csv", "json", "md", "html")
NO_FIGURE = "–"  # no figure to show: not a party, no commitment recorded
AXIS_STATED = "◆"  # a source says the contract covers the volet; no commitment on it is known

_TEXT = {
    "en": {
        "overview": "Contracts",
        "themes": "Commitments per volet of the circular (a commitment counts once per volet it touches)",
        "parties": "Commitments per party (– : not a party)",
        "targets": "Quantified targets (+ added, → total level to reach; sources graded A official … C/D unconfirmed)",
        "targets-glance": "Quantified targets at a glance",
        "signatories": "Signatories and their posts",
        "durations": "Durations",
        "similarity": "Most similar contract on themes (cosine of commitment counts per theme)",
        "similarity-matrix": "Similarity on themes, every pair (cosine; – : no commitment recorded)",
        "realisations": "Realisations recorded so far (dated status records)",
        "axis-stated": "◆ axis stated by a source, no commitment known",
        "axes-column": "Axis stated, no commitment known",
        "per-capita": "Posts and cameras added, per 10,000 inhabitants (each target counted once; INSEE municipal population)",
        "per-capita-note": "Contracts with no figure on these measures are left out; no population known for every territory, no per-capita figure.",
        "total": "Added",
        "per-10000": "Per 10,000 inhabitants",
        "population": "Population",
        "year": "Year",
        "caveats": "Approximate or not summed",
        "approximate": "{n} approximate",
        "uncounted": "{n} not summed (disputed value or range)",
        "contract": "Contract",
        "territory": "Territory",
        "status": "Status",
        "commitments": "Commitments",
        "party": "Party",
        "commitment": "Commitment",
        "measures": "Measures",
        "value": "Target",
        "basis": "Basis",
        "deadline": "Deadline",
        "sources": "Sources",
        "post": "Post",
        "role": "Role",
        "signatory": "Signatory",
        "date": "Date",
        "signed": "Signed",
        "start": "Start",
        "end": "End",
        "years": "Years",
        "nearest": "Most similar",
        "score": "Cosine",
        "what": "What the source says",
        "none": "no commitment recorded",
        "national-police-staff": "National police",
        "municipal-police-staff": "Municipal police",
        "cameras": "Cameras",
        "funding-amount": "Euros",
        "disputed": "sources disagree",
        "unnamed": "(not named)",
        "title": "Integrated security contracts compared",
        "footer": "Data: csi-graph (https://w3id.org/csi-graph), from public sources; every figure links to its source in the data.",
    },
    "fr": {
        "overview": "Contrats",
        "themes": "Engagements par volet de la circulaire (un engagement compte une fois par volet qu'il touche)",
        "parties": "Engagements par partie (– : pas partie au contrat)",
        "targets": "Cibles chiffrées (+ en plus, → niveau total à atteindre ; sources notées de A officielle à C/D non confirmée)",
        "targets-glance": "Cibles chiffrées en un coup d'œil",
        "signatories": "Signataires et leurs postes",
        "durations": "Durées",
        "similarity": "Contrat le plus proche par les thèmes (cosinus des nombres d'engagements par thème)",
        "similarity-matrix": "Proximité par les thèmes, toutes les paires (cosinus ; – : aucun engagement connu)",
        "realisations": "Réalisations constatées (états d'avancement datés)",
        "axis-stated": "◆ axe cité par une source, aucun engagement connu",
        "axes-column": "Axe cité, aucun engagement connu",
        "per-capita": "Postes et caméras en plus, pour 10 000 habitants (chaque cible comptée une fois ; population municipale de l'INSEE)",
        "per-capita-note": "Les contrats sans chiffre sur ces mesures sont omis ; sans population connue pour chaque territoire, pas de chiffre par habitant.",
        "total": "En plus",
        "per-10000": "Pour 10 000 habitants",
        "population": "Population",
        "year": "Année",
        "caveats": "Approchés ou hors somme",
        "approximate": "{n} approché(s)",
        "uncounted": "{n} hors somme (valeur disputée ou fourchette)",
        "contract": "Contrat",
        "territory": "Territoire",
        "status": "État",
        "commitments": "Engagements",
        "party": "Partie",
        "commitment": "Engagement",
        "measures": "Mesure",
        "value": "Cible",
        "basis": "Base",
        "deadline": "Échéance",
        "sources": "Sources",
        "post": "Poste",
        "role": "Fonction",
        "signatory": "Signataire",
        "date": "Date",
        "signed": "Signé",
        "start": "Début",
        "end": "Fin",
        "years": "Années",
        "nearest": "Le plus proche",
        "score": "Cosinus",
        "what": "Ce que dit la source",
        "none": "aucun engagement connu",
        "national-police-staff": "Police nationale",
        "municipal-police-staff": "Police municipale",
        "cameras": "Caméras",
        "funding-amount": "Euros",
        "disputed": "les sources divergent",
        "unnamed": "(non nommé)",
        "title": "Contrats de sécurité intégrée comparés",
        "footer": "Données : csi-graph (https://w3id.org/csi-graph), d'après des sources publiques ; chaque chiffre renvoie à sa source dans les données.",
    },
}


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def tables(
    comparison: Comparison, sections: tuple[str, ...] = SECTIONS, *, full: bool = False
) -> list[Table]:
    """The tables of the chosen sections; ``full`` adds the wide ones (every similarity pair)."""
    t = _TEXT.get(comparison.lang, _TEXT["en"])
    builders = {
        "overview": _overview,
        "themes": _themes,
        "parties": _parties,
        "targets": _targets,
        "signatories": _signatories,
        "durations": _durations,
        "similarity": _similarity,
        "realisations": _realisations,
        "per-capita": _per_capita,
    }
    out = []
    for section in sections:
        out += builders[section](comparison, t, full)
    return out


def render(
    comparison: Comparison, fmt: str, sections: tuple[str, ...] = SECTIONS, chart: str | None = None
) -> str:
    """The comparison in ``fmt``: table, md, html (all sections), csv (one table) or json."""
    if fmt == "json":
        return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "csv":
        chosen = tables(comparison, sections, full=True)
        if len(sections) != 1:
            raise CsiError("CSV holds one table: choose one --section (for example --section themes)")
        return _csv(chosen[-1])
    chosen = tables(comparison, sections, full=fmt == "html")
    if fmt == "md":
        return "\n\n".join(_markdown(table) for table in chosen) + "\n"
    if fmt == "html":
        return _html(comparison, chosen, chart)
    if fmt == "table":
        return "\n\n".join(_text(table) for table in chosen) + "\n"
    raise CsiError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------- sections


def _overview(c: Comparison, t: dict, full: bool) -> list[Table]:
    rows = []
    for k in c.contracts:
        places = ", ".join(f"{p.label} ({c.words.get(p.kind, p.kind)})" for p in k.territories)
        rows.append([k.identifier, places, k.status_label, _count(k.commitments)])
    columns = [t["contract"], t["territory"], t["status"], t["commitments"]]
    return [Table("overview", t["overview"], columns, rows, _no_commitment_note(c, t))]


def _count(commitments: int) -> str:
    """A contract's number of commitments; none recorded (none known, or none) shows no figure, not 0."""
    return str(commitments) if commitments else NO_FIGURE


def _no_commitment_note(c: Comparison, t: dict) -> list[str]:
    return [] if all(k.commitments for k in c.contracts) else [f"–: {t['none']}"]


def _themes(c: Comparison, t: dict, full: bool) -> list[Table]:
    columns = [t["contract"], *(label for _, label in c.volets), t["commitments"]]
    rows = []
    for k in c.contracts:
        counts = c.themes[k.identifier]
        cells = [_volet_cell(c.state(k.identifier, key), counts.get(key, 0)) for key, _ in c.volets]
        rows.append([k.identifier, *cells, _count(k.commitments)])
    states = {c.state(k.identifier, key) for k in c.contracts for key, _ in c.volets}
    notes = [t["axis-stated"]] if "axis-stated" in states else []
    notes += [f"–: {t['none']}"] if "unknown" in states else []
    if full:  # CSV and HTML: the axis-stated volets as data too, not only a glyph
        columns.append(t["axes-column"])
        for row, k in zip(rows, c.contracts, strict=True):
            row.append(
                "; ".join(label for key, label in c.volets if c.state(k.identifier, key) == "axis-stated")
            )
    return [Table("themes", t["themes"], columns, rows, notes)]


def _volet_cell(state: str, count: int) -> str:
    """A count; ``0 ◆`` where only an axis is stated (``0`` in CSV, whose extra column says it); – unknown."""
    if state == "unknown":
        return NO_FIGURE
    if state == "axis-stated":
        return f"{count} {AXIS_STATED}"
    return str(count)


def _parties(c: Comparison, t: dict, full: bool) -> list[Table]:
    columns = [t["contract"], *(label for _, label in c.party_kinds)]
    rows = []
    for k in c.contracts:
        counts = c.parties[k.identifier]
        rows.append(
            [k.identifier, *(str(counts[key]) if key in counts else NO_FIGURE for key, _ in c.party_kinds)]
        )
    return [Table("parties", t["parties"], columns, rows)]


def _targets(c: Comparison, t: dict, full: bool) -> list[Table]:
    kinds = ["national-police-staff", "municipal-police-staff", "cameras", "funding-amount"]
    glance = []
    for k in c.contracts:
        cells = []
        for kind in kinds:
            found = [q.short(c.lang) for q in c.targets if q.contract == k.identifier and q.kind == kind]
            cells.append("; ".join(found))
        if any(cells):
            glance.append([k.identifier, *cells])
    detail = []
    for q in c.targets:
        grades = " ".join(sorted({g for _, g in q.sources}))
        detail.append(
            [
                q.contract,
                q.party_kind,
                q.commitment,
                q.kind_label,
                q.short(c.lang),
                q.basis_label,
                q.deadline or "",
                grades,
            ]
        )
    columns = [
        t["contract"],
        t["party"],
        t["commitment"],
        t["measures"],
        t["value"],
        t["basis"],
        t["deadline"],
        t["sources"],
    ]
    out = [
        Table("targets-glance", t["targets-glance"], [t["contract"], *(t[k] for k in kinds)], glance),
        Table("targets", t["targets"], columns, detail),
    ]
    if full:  # the sources' addresses, for CSV and HTML
        out[-1].columns.append("URLs")
        for row, q in zip(out[-1].rows, c.targets, strict=True):
            row.append(" ".join(url for url, _ in q.sources))
    return out


def _signatories(c: Comparison, t: dict, full: bool) -> list[Table]:
    rows = []
    for s in c.signatories:
        name = (
            " / ".join(s.names) + (f" ({t['disputed']})" if len(s.names) > 1 else "")
            if s.names
            else t["unnamed"]
        )
        date = " / ".join(s.dates) + (f" ({t['disputed']})" if len(s.dates) > 1 else "")
        rows.append([s.contract, s.party, s.post, s.role, name, date])
    return [
        Table(
            "signatories",
            t["signatories"],
            [t["contract"], t["party"], t["post"], t["role"], t["signatory"], t["date"]],
            rows,
        )
    ]


def _durations(c: Comparison, t: dict, full: bool) -> list[Table]:
    def dates(values: list[str]) -> str:
        return " / ".join(values) + (f" ({t['disputed']})" if len(values) > 1 else "")

    rows = [
        [
            k.identifier,
            k.status_label,
            dates(k.signed),
            dates(k.start),
            dates(k.end),
            "" if k.years is None else str(k.years),
        ]
        for k in c.contracts
    ]
    columns = [t["contract"], t["status"], t["signed"], t["start"], t["end"], t["years"]]
    return [Table("durations", t["durations"], columns, rows)]


def _similarity(c: Comparison, t: dict, full: bool) -> list[Table]:
    rows = []
    for k in c.contracts:
        nearest = c.nearest(k.identifier)
        rows.append(
            [
                k.identifier,
                nearest[0] if nearest else NO_FIGURE,
                f"{nearest[1]:.2f}" if nearest else NO_FIGURE,
            ]
        )
    out = [Table("similarity", t["similarity"], [t["contract"], t["nearest"], t["score"]], rows)]
    if full:
        ids = [k.identifier for k in c.contracts]
        matrix = [
            [a, *(NO_FIGURE if c.similarity[a][b] is None else f"{c.similarity[a][b]:.2f}" for b in ids)]
            for a in ids
        ]
        out.append(Table("similarity-matrix", t["similarity-matrix"], [t["contract"], *ids], matrix))
    return out


def _realisations(c: Comparison, t: dict, full: bool) -> list[Table]:
    rows = []
    for r in c.realisations:
        grades = " ".join(sorted({g for _, g in r.sources}))
        rows.append([r.contract, r.commitment, r.status_label, r.date, r.description, grades])
    columns = [t["contract"], t["commitment"], t["status"], t["date"], t["what"], t["sources"]]
    return [Table("realisations", t["realisations"], columns, rows)]


def _per_capita(c: Comparison, t: dict, full: bool) -> list[Table]:
    rows = []
    for p in c.per_capita:
        if p.total is None and not p.uncounted:
            continue
        caveats = [t["approximate"].format(n=p.approximate)] if p.approximate else []
        caveats += [t["uncounted"].format(n=p.uncounted)] if p.uncounted else []
        figures = (p.total, p.per_10000, p.population, p.population_year)
        rows.append([p.contract, p.measure_label, *(v or NO_FIGURE for v in figures), "; ".join(caveats)])
    columns = [
        t["contract"],
        t["measures"],
        t["total"],
        t["per-10000"],
        t["population"],
        t["year"],
        t["caveats"],
    ]
    return [Table("per-capita", t["per-capita"], columns, rows, [t["per-capita-note"]])]


# ---------------------------------------------------------------------- formats


def _text(table: Table) -> str:
    widths = [max(len(row[i]) for row in [table.columns, *table.rows]) for i in range(len(table.columns))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    lines = [table.title, line(table.columns), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in table.rows]
    return "\n".join(lines + table.notes)


def _markdown(table: Table) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"**{table.title}**", "", "| " + " | ".join(map(cell, table.columns)) + " |"]
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in table.rows]
    return "\n".join(lines + (["", *table.notes] if table.notes else []))


def _csv(table: Table) -> str:
    """One table as CSV; a cell with no figure ("–" in the other formats) is left empty, a count
    marked ◆ keeps its number alone (a column of its own says which volets are marked)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([[_csv_cell(cell) for cell in row] for row in table.rows])
    return out.getvalue()


def _csv_cell(cell: str) -> str:
    return "" if cell == NO_FIGURE else cell.removesuffix(f" {AXIS_STATED}")


def _html(comparison: Comparison, chosen: list[Table], chart: str | None) -> str:
    t = _TEXT.get(comparison.lang, _TEXT["en"])
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(comparison.lang)}"><head><meta charset="utf-8">',
        f"<title>{e(t['title'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:0 0 2em}caption{text-align:left;font-weight:600;padding:.4em 0}"
        "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}td.n{text-align:right}</style></head><body>",
        f"<h1>{e(t['title'])}</h1>",
    ]
    if chart:
        parts.append(f"<figure>{chart}</figure>")
    for table in chosen:
        parts.append(f'<table id="{e(table.name)}"><caption>{e(table.title)}</caption>')
        parts.append("<tr>" + "".join(f"<th>{e(col)}</th>" for col in table.columns) + "</tr>")
        for row in table.rows:
            cells = "".join(
                f'<td class="n">{e(cell)}</td>' if _numeric(cell) else f"<td>{_linked(cell)}</td>"
                for cell in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
        parts += [f"<p>{e(note)}</p>" for note in table.notes]
    parts += [f"<p><small>{e(t['footer'])}</small></p>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).isdigit()


def _linked(cell: str) -> str:
    """Web addresses become links; everything else is escaped text."""
    words = cell.split(" ")
    if words and all(w.startswith(("http://", "https://")) for w in words if w):
        return " ".join(f'<a href="{html.escape(w)}">{html.escape(w)}</a>' for w in words if w)
    return html.escape(cell)
