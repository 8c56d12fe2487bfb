"""The reference of the authoring format's keys, generated from the compiler's schema.

``compiler.KEYS`` says which keys each kind of entry accepts and requires; this module says
what each key means, and writes ``docs/authoring-keys.md`` (``csi-graph docs``). A key the
compiler accepts but this module does not explain fails a test, and so does a stale file:
the reference cannot drift from what the compiler does.
"""

from __future__ import annotations

from csi_graph.authoring.compiler import KEYS

# Where each kind of entry appears in a file, and what it is, in the order of the reference.
KINDS: dict[str, tuple[str, str]] = {
    "file": ("the file", "An authoring file describes one contract; `contract` and `sources` are required."),
    "contract": ("`contract:`", "The contract itself: its id, title, state, territories, dates and sources."),
    "period": ("`contract.period:`", "The period the contract covers, as a source gives it."),
    "history": (
        "`contract.history:` (a list)",
        "The contract's dated states: announced, negotiating, signed, refused, renewed, abandoned.",
    ),
    "axis": ("`contract.axes:` (a list)", "The axes, volets or fields a source says the contract covers."),
    "party": ("`parties.KEY:`", "A party of the contract: the role an organisation plays in it."),
    "signature": (
        "`signatures:` (a list)",
        "A person's part in the signing: as signatory (the default) or present (« en présence de »).",
    ),
    "commitment": ("`commitments:` (a list)", "A commitment that exactly one party takes."),
    "quantity": (
        "`quantities:` of a commitment or an announcement (a list)",
        "A figure as the source gives it: a value, a range, or none for a level kept.",
    ),
    "baseline": ("`quantities[].baseline:`", "The level a figure starts from (« de 12 à 25 »)."),
    "item": ("`commitments[].items:` (a list)", "A detail listed in a commitment's wording."),
    "status": ("`commitments[].status:` (a list)", "A dated observation of how far the commitment has gone."),
    "announcement": (
        "`announcements:` (a list)",
        "A dated, sourced statement about the contract that is not one of its commitments.",
    ),
    "note": ("`notes:` of most entries (a list)", "A side fact with its own source (a comment has none)."),
    "claim": (
        "`VALUE: {disputed: [...]}` (a list)",
        "One of the values sources disagree on, for a date, a name, a figure, a capacity, a rank.",
    ),
    "instrument": (
        "`instruments.KEY:`",
        "A body, plan, agreement or facility a commitment creates, keeps or updates.",
    ),
    "organisation": (
        "`organisations.KEY:`",
        "An organisation: a prefecture, a court's prosecution, a city...",
    ),
    "post": (
        "`posts.KEY:`",
        "A post, which outlives its holders: the prefect of Savoie, the mayor of Chambéry.",
    ),
    "person": ("`persons.KEY:`", "A person who signed or stated something."),
    "territory": (
        "`territories.KEY:`",
        "A territory; a commune, intercommunality or département is found by name among the official ones.",
    ),
    "source": ("`sources.KEY:`", "A public source, named by its web address; facts cite it by its key."),
}

# What a key means wherever it appears...
GENERIC: dict[str, str] = {
    "id": "Identifier: lower-case letters, digits and hyphens.",
    "label": "Texts by language, `{fr: ..., en: ...}`; French required unless said otherwise.",
    "comment": "An editorial remark, without a source, `{fr: ..., en: ...}`. A fact goes in `notes`.",
    "notes": "Side facts, each `{text: {fr: ..., en: ...}, date: ..., sources: [...]}`.",
    "sources": "Keys of the sources (under `sources:`) that state this; never an empty list.",
    "date": "`YYYY-MM-DD`, `YYYY-MM` or `YYYY`: the precision the source gives.",
    "deadline": "Date by which it is due (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`); may be `{disputed: [...]}`.",
    "description": "Texts by language, `{fr: ..., en: ...}`.",
    "status": "A value of the list `statuses` at the end of a file made by `csi-graph new`.",
    "kind": "A value from the lists at the end of a file made by `csi-graph new`.",
    "themes": "Themes, from the list `themes` (a finer theme counts for its volet).",
    "quantities": "Figures, each an entry of the kind *quantity*.",
    "stated_by": "Keys of the persons or organisations that stated it, according to the source.",
    "value": "A number as the source writes it (digits, `.` for decimals); may be `{disputed: [...]}`.",
    "min": "Low end of a range (`min: 29, max: 30`).",
    "max": "High end of a range.",
    "qualifier": "`approximate` (« une centaine »), `at-least` (« au moins », « plus de ») or `at-most`.",
    "territory": "Key of a territory described under `territories:`.",
    "organisation": "Key of an organisation described under `organisations:`.",
}

# ...and where it means something more precise.
SPECIFIC: dict[tuple[str, str], str] = {
    ("file", "contract"): "The contract (required).",
    ("file", "parties"): "The parties, by key (`state`, `city`...): none, one or more, as sources give them.",
    ("file", "signatures"): "Who signed, or was present, for which party, when.",
    ("file", "commitments"): "The commitments, each by exactly one party.",
    ("file", "instruments"): "Bodies, plans, agreements and facilities, by key.",
    ("file", "organisations"): "Organisations, by key (their IRI is `organisation/KEY`).",
    ("file", "posts"): "Posts, by key.",
    ("file", "persons"): "Persons, by key.",
    ("file", "territories"): "Territories, by key.",
    ("file", "announcements"): "Statements about the contract, apart from its commitments.",
    ("file", "sources"): "The sources, by key (required).",
    (
        "contract",
        "id",
    ): "The contract's id (required), e.g. `lyon-2025`; its IRI is `contract/ID`. Another file's id is refused.",
    ("contract", "title"): "Title by language (required, French at least).",
    (
        "contract",
        "status",
    ): "Current state (required): `signed`, `renewed`, `not-signed`, `announced`, `negotiating`, `refused` or `abandoned`.",
    (
        "contract",
        "history",
    ): "Dated states, each an entry of the kind *history*; the register takes its dates from them.",
    ("contract", "axes"): "Axes a source says the contract covers, each an entry of the kind *axis*.",
    (
        "contract",
        "rank",
    ): "Rank among all CSIs that a source gives (« le 72e CSI »: `72`); cite that source in `sources`.",
    ("contract", "renews"): "Id of the earlier contract this one renews.",
    (
        "contract",
        "commitments_known",
    ): "`false` when the sources name the contract but give none of its commitments.",
    (
        "contract",
        "legal_basis",
    ): "Legal texts the contract rests on, only where a source supports it: `circulaire-6258-sg-2021-04-16`.",
    ("contract", "territories"): "Keys of the territories it covers (recommended; unknown is allowed).",
    (
        "contract",
        "partners",
    ): "Keys of organisations a source names as partners (« en lien avec »), not parties.",
    ("contract", "period"): "The period, an entry of the kind *period*.",
    ("contract", "follow_up_body"): "Key of the instrument (a body) that follows the contract.",
    ("period", "label"): "How the source words the period, by language.",
    ("period", "start"): "Start date; may be `{disputed: [...]}`.",
    ("period", "end"): "End date; may be `{disputed: [...]}`.",
    ("history", "status"): "The state at that date (required), from the list `contract-statuses`.",
    ("history", "date"): "Its date (required), at the precision the source gives.",
    ("axis", "label"): "The axis in the source's words (required, French).",
    ("axis", "themes"): "Themes it maps to, where one does; none if the wording fits none.",
    ("party", "label"): "Name of the party (required), e.g. `{fr: État, en: State}`.",
    (
        "party",
        "kind",
    ): "Kind of party (required), from `actor-kinds`; must agree with its organisation's kind.",
    ("party", "organisation"): "Key of the organisation that plays it (required).",
    (
        "party",
        "commitments_known",
    ): "`false` when the sources name the party but give none of its commitments.",
    ("signature", "id"): "Its id, when the default `PARTY-N` does not fit.",
    ("signature", "party"): "Key of the party signed for.",
    ("signature", "signatory"): "Key of the person (under `persons:`); leave out if no source names them.",
    ("signature", "post"): "Key of the post held (under `posts:`).",
    (
        "signature",
        "capacity",
    ): "`signatory` (the default) or `present` (« en présence de »); may be `{disputed: [...]}`.",
    ("signature", "date"): "Date of the signing; may be `{disputed: [...]}`.",
    ("commitment", "id"): "Its id in the contract (required), e.g. `state-01`.",
    ("commitment", "party"): "Key of the party that takes it (required).",
    ("commitment", "position"): "Its rank in its party's list, when not the order of the file.",
    ("commitment", "wording"): "The text exactly as the source writes it, in French; or `paraphrase`.",
    ("commitment", "paraphrase"): "Your French summary, when no source gives the text; or `wording`.",
    ("commitment", "label"): "`{en: ...}` required; the French label defaults to the wording.",
    ("commitment", "types"): "Commitment types (required), from the list `types`.",
    ("commitment", "funding"): "Funds, e.g. `fipd`.",
    ("commitment", "beneficiaries"): "Keys of the organisations it benefits.",
    ("commitment", "target_territories"): "Keys of the territories it targets (a neighbourhood...).",
    ("commitment", "creates"): "Keys of the instruments it creates.",
    ("commitment", "maintains"): "Keys of the instruments it keeps running.",
    ("commitment", "updates"): "Keys of the instruments it updates.",
    ("commitment", "concerns"): "Keys of the instruments it concerns otherwise.",
    ("commitment", "items"): "Details listed in its wording, each an entry of the kind *item*.",
    ("commitment", "status"): "Dated follow-up, each an entry of the kind *status*.",
    (
        "quantity",
        "unit",
    ): "Unit (required), from `units`: `post`, `person`, `camera`, `euro`, `percent`, `factor`...",
    ("quantity", "kind"): "What it measures (required), from `quantity-kinds`.",
    (
        "quantity",
        "basis",
    ): "`additional` (+), `total` (level to reach), `maintained` (level kept, value optional) or `relative` (`percent` or `factor`).",
    ("quantity", "baseline"): "The level it starts from, an entry of the kind *baseline*.",
    ("quantity", "date"): "The date the value describes.",
    (
        "quantity",
        "part_of",
    ): "The figure it is part of, by commitment id and number: `state-02-1` (« dont 45 »).",
    (
        "quantity",
        "same_target_as",
    ): "A figure stating the same target otherwise (`+3` and `14 in all`): counted once.",
    ("quantity", "label"): "How the source words the figure, by language (French optional).",
    ("quantity", "sources"): "Its sources; default: the commitment's.",
    ("baseline", "label"): "How the source words the starting level.",
    ("baseline", "date"): "The date of that level (`2020`).",
    ("baseline", "sources"): "Its sources; default: the figure's.",
    ("item", "label"): "The detail, by language (required, French).",
    ("item", "sources"): "Its sources; default: the commitment's.",
    ("status", "status"): "The status at that date (required), from `statuses`.",
    ("status", "date"): "Date of the observation (required): year, month or day.",
    ("status", "instruments"): "Keys of the instruments it concerns.",
    ("announcement", "date"): "Date of the statement.",
    (
        "announcement",
        "relates_to",
    ): "Ids of the commitments it relates to (it always relates to the contract).",
    ("announcement", "description"): "What was announced, `{fr: ..., en: ...}` (required).",
    ("note", "text"): "The fact, `{fr: ..., en: ...}` (required).",
    ("note", "date"): "The date it refers to.",
    ("note", "sources"): "Its own sources (required).",
    ("claim", "value"): "One value (required), written as the key it disputes expects.",
    ("claim", "sources"): "The sources that give this value (required).",
    ("instrument", "kind"): "`body`, `plan`, `agreement` or `facility` (required).",
    ("instrument", "label"): "Its name by language (required).",
    ("instrument", "territory"): "Key of the territory it covers.",
    ("organisation", "label"): "Its name (required), e.g. `{fr: Préfecture de la Savoie}`.",
    ("organisation", "kind"): "Kind (required), from `actor-kinds`.",
    ("organisation", "territory"): "Key of its territory (jurisdiction).",
    (
        "post",
        "label",
    ): "The post as the source writes it (required), e.g. « procureur de la République adjoint ».",
    ("post", "organisation"): "Key of the organisation the post is in (required).",
    ("post", "role"): "Role (required), from `roles`.",
    ("person", "name"): "Name as the source writes it (required); may be `{disputed: [...]}`.",
    ("person", "given_name"): "Given name.",
    ("person", "family_name"): "Family name.",
    (
        "territory",
        "kind",
    ): "`commune`, `intercommunality`, `departement`, `neighbourhood`, `priority-neighbourhood` or `territory` (unknown kind) (required).",
    (
        "territory",
        "name",
    ): "Its name as sources write it (required); for an official kind, also how it is found in the official list.",
    (
        "territory",
        "official_name",
    ): "The official name when sources write another (an EPCI: `CA du Grand Chambéry`).",
    ("territory", "departement"): "Name of the département, to tell apart communes of the same name.",
    (
        "territory",
        "insee",
    ): "Refused: codes come from `data/reference/territories.ttl` (`csi-graph territories`).",
    ("territory", "within"): "Keys of the territories it lies in (a neighbourhood in its commune).",
    ("source", "url"): "Its web address (required): the source's IRI.",
    ("source", "label"): "What the page is, by language (required).",
    ("source", "publisher"): "Who publishes it.",
    ("source", "issued"): "Its publication date, if shown.",
    ("source", "reliability"): "Grade (required): `A`, `A-`, `B+`, `B`, `B-`, `C`, `C/D` or `ungraded`.",
    ("source", "read_on"): "The day it was read (required), `YYYY-MM-DD`, not in the future.",
}


def meaning(kind: str, key: str) -> str | None:
    return SPECIFIC.get((kind, key)) or GENERIC.get(key)


def undocumented() -> list[tuple[str, str]]:
    """Keys the compiler accepts that this reference does not explain (a test wants none)."""
    missing = [
        (kind, key) for kind, (allowed, _) in KEYS.items() for key in allowed if meaning(kind, key) is None
    ]
    return missing + [(kind, "") for kind in KEYS if kind not in KINDS]


def reference_markdown() -> str:
    """``docs/authoring-keys.md``: every kind of entry, every key it accepts, which are required."""
    lines = [
        "# Authoring format: every key",
        "",
        "Generated by `csi-graph docs` from the compiler's schema (`KEYS` in",
        "`csi_graph/authoring/compiler.py`) and the meanings in `csi_graph/authoring/keys.py`; do not",
        "edit by hand (a test fails if this file is stale or a key is left unexplained). The guide is",
        "[authoring.md](authoring.md); the allowed values of each list are at the end of a file made by",
        "`csi-graph new`.",
    ]
    for kind, (where, what) in KINDS.items():
        allowed, required = KEYS[kind]
        lines += ["", f"## {kind}: {where}", "", what, "", "| key | required | meaning |", "|---|---|---|"]
        for key in sorted(allowed, key=lambda k: (k not in required, k)):
            lines.append(f"| `{key}` | {'yes' if key in required else ''} | {meaning(kind, key)} |")
    return "\n".join(lines) + "\n"


__all__ = ["KINDS", "reference_markdown", "undocumented"]
