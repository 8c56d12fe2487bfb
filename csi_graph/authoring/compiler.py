"""Compile one authoring file (YAML) into the RDF graph of one contract.

The file is read section by section; each key is checked (unknown keys, missing keys, dates,
numbers, identifiers, references to parties, sources, persons..., values from the SKOS
schemes) and every mistake is collected with its line, column and key path, so that one run
reports them all. The graph uses the same IRIs and properties as the hand-written
``data/contracts/chambery-2021.ttl``; the shapes then check what the compiler does not.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, XSD

from csi_graph.authoring.yamlfile import Mapping, Node, Problem, Scalar, Sequence
from csi_graph.namespaces import CSI, DATA_BASE, PREFIXES
from csi_graph.vocabulary import Vocabulary

C = lambda name: URIRef(CSI + name)  # noqa: E731
SCHEMA = PREFIXES["schema"]
IGEO = PREFIXES["igeo"]
POSITION = URIRef(SCHEMA + "position")
VALUE = URIRef(SCHEMA + "value")
MIN_VALUE = URIRef(SCHEMA + "minValue")
MAX_VALUE = URIRef(SCHEMA + "maxValue")
WITHIN = URIRef(SCHEMA + "containedInPlace")
IDENTIFIER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9]+([-/][a-z0-9]+)*$")
DATE_FORMS = "write YYYY-MM-DD, YYYY-MM or YYYY, for example 2021-09-22"
LIST_ALL_BELOW = 12  # list every allowed value when a scheme has fewer

# The keys each kind of entry accepts, and those it requires.
KEYS: dict[str, tuple[set[str], set[str]]] = {
    "file": (
        {
            "contract",
            "parties",
            "signatures",
            "commitments",
            "instruments",
            "organisations",
            "posts",
            "persons",
            "territories",
            "announcements",
            "sources",
        },
        {"contract", "sources"},
    ),
    "contract": (
        {
            "id",
            "title",
            "description",
            "status",
            "history",
            "axes",
            "rank",
            "renews",
            "commitments_known",
            "legal_basis",
            "territories",
            "partners",
            "period",
            "follow_up_body",
            "comment",
            "notes",
            "sources",
        },
        {"id", "title", "status", "sources"},
    ),
    "period": ({"label", "start", "end", "comment", "sources"}, {"sources"}),
    "party": (
        {"label", "kind", "organisation", "commitments_known", "comment", "notes", "sources"},
        {"label", "kind", "organisation", "sources"},
    ),
    "signature": (
        {"id", "party", "signatory", "post", "capacity", "date", "comment", "notes", "sources"},
        {"sources"},
    ),
    "commitment": (
        {
            "id",
            "party",
            "position",
            "wording",
            "paraphrase",
            "label",
            "description",
            "themes",
            "types",
            "quantities",
            "deadline",
            "funding",
            "beneficiaries",
            "target_territories",
            "creates",
            "maintains",
            "updates",
            "concerns",
            "items",
            "status",
            "comment",
            "notes",
            "sources",
        },
        {"id", "label", "themes", "types", "sources"},  # party: checked with the list of parties
    ),
    "quantity": (
        {
            "value",
            "min",
            "max",
            "qualifier",
            "unit",
            "kind",
            "basis",
            "baseline",
            "date",
            "deadline",
            "stated_by",
            "part_of",
            "same_target_as",
            "label",
            "comment",
            "sources",
        },
        {"unit", "kind"},
    ),
    "baseline": ({"value", "min", "max", "qualifier", "date", "label", "comment", "sources"}, set()),
    "item": ({"label", "sources"}, {"label"}),
    "status": (
        {"status", "date", "instruments", "description", "comment", "sources"},
        {"status", "date", "sources"},
    ),
    "instrument": (
        {"kind", "label", "description", "territory", "comment", "notes", "sources"},
        {"kind", "label", "sources"},
    ),
    "organisation": (
        {"label", "kind", "territory", "comment", "notes", "sources"},
        {"label", "kind", "sources"},
    ),
    "post": (
        {"label", "organisation", "role", "comment", "notes", "sources"},
        {"label", "organisation", "role", "sources"},
    ),
    "person": ({"name", "given_name", "family_name", "comment", "notes", "sources"}, {"name", "sources"}),
    "territory": (
        {"kind", "name", "official_name", "departement", "insee", "within", "comment", "notes", "sources"},
        {"kind", "name", "sources"},
    ),
    "source": (
        {"url", "label", "publisher", "issued", "reliability", "read_on", "comment"},
        {"url", "label", "reliability", "read_on"},
    ),
    "claim": ({"value", "sources", "comment"}, {"value", "sources"}),
    "history": ({"status", "date", "description", "comment", "sources"}, {"status", "date", "sources"}),
    "axis": ({"label", "themes", "comment", "sources"}, {"label", "sources"}),
    "announcement": (
        {"date", "stated_by", "relates_to", "description", "quantities", "comment", "notes", "sources"},
        {"description", "sources"},
    ),
    "note": ({"text", "date", "sources"}, {"text", "sources"}),
}

HINTS: dict[str, str] = {
    "commitment.label": "give at least the English label, a translation: label: {en: ...}",
    "id": "give a short identifier in lower case, digits and hyphens, for example state-01",
    "title": "give the contract's title, at least in French (fr:)",
    "status": "write the contract's state: signed, renewed, announced, negotiating, refused, abandoned or not-signed",
    "territories": "list the keys of the territories (under territories:) the contract covers",
    "sources": "list the keys of the sources (under sources:) that state this",
    "label": "give a label, at least in French (fr:)",
    "kind": "say what kind it is (the allowed kinds are listed at the end of a file made by csi-graph new)",
    "organisation": "give the key of an organisation described under organisations:",
    "themes": "list one or more themes (the allowed themes are listed at the end of a file made by csi-graph new)",
    "types": "list one or more commitment types (listed at the end of a file made by csi-graph new)",
    "value": "give the number the source states, for example 10",
    "unit": "give the unit, for example post, camera or euro",
    "date": DATE_FORMS,
    "role": "give the post's role, for example prefet, procureur or maire",
    "name": "give the name as the source writes it",
    "url": "give the source's web address (https://...)",
    "reliability": "grade the source: A official, A- near-official, B+ public broadcaster, B press, B- brief, C aggregator, C/D unconfirmed, or ungraded",
    "read_on": "give the date you read the source, YYYY-MM-DD",
    "contract": "describe the contract under contract:",
    "parties": "describe the parties (at least two: for example the State and the city)",
}

# A commitment's links to described resources: (key, property, section of the file, IRI folder).
COMMITMENT_LINKS = (
    ("beneficiaries", C("beneficiary"), "organisations", "organisation"),
    ("target_territories", C("targetTerritory"), "territories", "territory"),
    ("creates", C("creates"), "instruments", "instrument"),
    ("maintains", C("maintains"), "instruments", "instrument"),
    ("updates", C("updates"), "instruments", "instrument"),
    ("concerns", C("concernsInstrument"), "instruments", "instrument"),
)

# (authoring scheme name, what its values are called in messages)
CONCEPT_NOUNS = {
    "themes": "theme",
    "types": "commitment type",
    "statuses": "status",
    "contract-statuses": "contract status",
    "actor-kinds": "kind of party",
    "roles": "role",
    "units": "unit",
    "quantity-kinds": "quantity kind",
    "quantity-bases": "quantity basis",
    "reliability": "reliability grade",
    "capacities": "signature capacity",
    "qualifiers": "value qualifier",
}


@dataclass
class CompiledContract:
    """The graph of one contract, its subjects grouped for a readable file, and where each was written."""

    identifier: str
    file: str
    graph: Graph
    sections: list[tuple[str, list[URIRef]]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # subject IRI -> line in the authoring file

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{DATA_BASE}contract/{self.identifier}")


def compile_document(
    root: Node, vocabulary: Vocabulary, file: str, problems: list[Problem]
) -> CompiledContract:
    """Compile a parsed authoring file; mistakes are appended to ``problems``."""
    return _Compiler(vocabulary, file, problems).run(root)


class _Compiler:
    def __init__(self, vocabulary: Vocabulary, file: str, problems: list[Problem]) -> None:
        self.v = vocabulary
        self.file = file
        self.problems = problems
        self.graph = Graph()
        self.lines: dict[str, int] = {}
        self.defined: dict[str, dict[str, tuple[URIRef, int]]] = {}
        self.contract_id = "contract"
        self.commitment_ids: dict[str, URIRef] = {}
        self.quantity_keys: dict[str, URIRef] = {}  # "state-01-1" -> the figure's IRI
        self.pending: list[tuple[URIRef, URIRef, Node, str]] = []
        self.note_subjects: list[URIRef] = []
        self.sections: list[tuple[str, list[URIRef]]] = []

    # ------------------------------------------------------------------ the file

    def run(self, root: Node) -> CompiledContract:
        top = self.entry(root, "", "file")
        if top is None:
            return CompiledContract(self.contract_id, self.file, self.graph)
        contract_node = top.get("contract")
        if isinstance(contract_node, Mapping):
            identifier = self.identifier(contract_node.get("id"), "contract.id")
            if identifier:
                self.contract_id = identifier
        # Every key is declared first, so that references between resources can be checked.
        prefixes = {
            "sources": "",
            "territories": "territory",
            "organisations": "organisation",
            "persons": "person",
            "posts": "post",
            "instruments": "instrument",
            "parties": f"party/{self.contract_id}",
        }
        entries = {name: self.declare(top, name, prefix) for name, prefix in prefixes.items()}
        sources = self.build(entries["sources"], self.source)
        territories = self.build(entries["territories"], self.territory)
        organisations = self.build(entries["organisations"], self.organisation)
        persons = self.build(entries["persons"], self.person)
        posts = self.build(entries["posts"], self.post)
        instruments = self.build(entries["instruments"], self.instrument)
        contract = self.contract(contract_node, top) if contract_node is not None else []
        parties = self.build(entries["parties"], self.party)
        signatures = self.signatures(top.get("signatures"))
        commitments = self.commitments(top.get("commitments"))
        announcements = self.announcements(top.get("announcements"))
        self.resolve_pending()
        self.sections = [
            ("The contract", contract),
            ("Parties", parties),
            ("Signatures: who signed, holding which post, for which party, when", signatures),
            *commitments,
            ("Announcements about the contract, apart from its commitments", announcements),
            ("Bodies and instruments the commitments create, keep or update", instruments),
            ("Organisations, posts and persons", organisations + posts + persons),
            ("Territories", territories),
            ("Notes, each with its own source", self.note_subjects),
            ("Sources", sources),
        ]
        return CompiledContract(self.contract_id, self.file, self.graph, self.sections, self.lines)

    # ------------------------------------------------------------------ problems

    def problem(self, node: Node | None, where: str, message: str) -> None:
        line, column = (node.line, node.column) if node is not None else (1, 1)
        self.problems.append(Problem(self.file, line, column, where, message))

    def entry(self, node: Node | None, where: str, kind: str) -> Mapping | None:
        """A mapping with only the keys ``kind`` accepts and all the keys it requires."""
        if node is None:
            return None
        if not isinstance(node, Mapping):
            self.problem(node, where, f"expected keys and values (key: value), not {_what(node)}")
            return None
        allowed, required = KEYS[kind]
        for key, (key_node, _) in node.entries.items():
            if key not in allowed:
                self.problem(key_node, _join(where, key), f"unknown key '{key}'{_suggest(key, allowed)}")
        for key in sorted(required - set(node.entries)):
            hint = HINTS.get(f"{kind}.{key}") or HINTS.get(key, "add it")
            self.problem(node, where, f"missing key '{key}': {hint}")
        return node

    def scalar(self, node: Node | None, where: str) -> Scalar | None:
        if node is None:
            return None
        if not isinstance(node, Scalar):
            self.problem(node, where, f"expected a single value, not {_what(node)}")
            return None
        if node.null or not node.text.strip():
            self.problem(node, where, "is empty: give a value, or delete the key if no source gives it")
            return None
        if "TODO" in node.text:
            self.problem(
                node,
                where,
                "still TODO: replace it with what a source states, or delete it if no source gives it",
            )
            return None
        return node

    def numbered(self, e: Mapping, where: str, key: str, kind: str):
        """``(n, entry, key path)`` for each well-formed entry of the list ``e[key]``, numbered from 1."""
        for n, (item, item_where) in enumerate(self.items(e.get(key), f"{where}.{key}"), start=1):
            entry = self.entry(item, item_where, kind)
            if entry is not None:
                yield n, entry, item_where

    def items(self, node: Node | None, where: str) -> list[tuple[Node, str]]:
        """The items of a list (a single value counts as a list of one), with their key paths."""
        if node is None:
            return []
        if isinstance(node, Sequence):
            return [(item, f"{where}[{i}]") for i, item in enumerate(node.items)]
        if isinstance(node, Scalar) and node.null:
            return []
        return [(node, where)]

    # ------------------------------------------------------------------ values

    def text(self, node: Node | None, where: str) -> str | None:
        scalar = self.scalar(node, where)
        return scalar.text.strip() if scalar else None

    def texts(self, node: Node | None, where: str, *, need_fr: bool = True) -> dict[str, str]:
        """Texts by language: ``{fr: ..., en: ...}``, or one string meaning French."""
        if node is None:
            return {}
        if isinstance(node, Scalar):
            text = self.text(node, where)
            return {"fr": text} if text else {}
        if not isinstance(node, Mapping):
            self.problem(node, where, f"expected texts by language ({{fr: ..., en: ...}}), not {_what(node)}")
            return {}
        out = {}
        before = len(self.problems)
        for lang, (key_node, value) in node.entries.items():
            if not re.fullmatch(r"[a-z]{2,3}", lang):
                self.problem(key_node, _join(where, lang), f"'{lang}' is not a language code: use fr or en")
                continue
            text = self.text(value, _join(where, lang))
            if text:
                out[lang] = text
        if need_fr and "fr" not in out and len(self.problems) == before:
            self.problem(node, where, "needs a French text (fr: ...)")
        return out

    def add_texts(self, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self.graph.add((subject, predicate, Literal(text, lang=lang)))

    def identifier(self, node: Node | None, where: str) -> str | None:
        text = self.text(node, where)
        if text is None:
            return None
        if not IDENTIFIER.match(text):
            self.problem(
                node,
                where,
                f"'{text}' is not a valid identifier: use lower-case letters, digits and hyphens, for example state-01",
            )
            return None
        return text

    def date(self, node: Node | None, where: str) -> Literal | None:
        text = self.text(node, where)
        if text is None:
            return None
        literal = parse_date(text)
        if literal is None:
            self.problem(node, where, f"'{text}' is not a date: {date_mistake(text) or DATE_FORMS}")
        return literal

    def number(self, node: Node | None, where: str) -> Literal | None:
        text = self.text(node, where)
        if text is None:
            return None
        if re.fullmatch(r"[+-]?\d+", text):
            value: int | Decimal = int(text)
            literal = Literal(int(text))
        else:
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if value is None or not re.fullmatch(r"[+-]?\d*\.\d+", text):
                self.problem(
                    node,
                    where,
                    f"'{text}' is not a number: write digits, with a dot for decimals, for example 10 or 5.5",
                )
                return None
            literal = Literal(text, datatype=XSD.decimal)
        if value < 0:
            self.problem(node, where, f"{text} is negative: a target quantity is zero or more")
            return None
        return literal

    def concept(self, node: Node | None, where: str, scheme: str) -> URIRef | None:
        text = self.text(node, where)
        if text is None:
            return None
        found = self.v.concept(scheme, text)
        if found is None:
            noun = CONCEPT_NOUNS[scheme]
            choices = self.v.schemes[scheme]
            if scheme == "reliability":
                choices = {c.notation or c.key for c in choices.values()}
            self.problem(node, where, f"unknown {noun} '{text}'{_suggest(text, choices, noun)}")
            return None
        return URIRef(found.iri)

    def concept_iri(self, scheme: str, key: str) -> URIRef:
        return URIRef(self.v.concept(scheme, key).iri)

    def concepts(self, node: Node | None, where: str, scheme: str) -> list[URIRef]:
        found = [self.concept(item, w, scheme) for item, w in self.items(node, where)]
        return [c for c in found if c is not None]

    def ref(self, node: Node | None, where: str, section: str) -> URIRef | None:
        """A resource described in another section of the file, by its key."""
        text = self.text(node, where)
        if text is None:
            return None
        known = self.defined.get(section, {})
        if text in known:
            return known[text][0]
        if section == "parties":
            choices = ", ".join(sorted(known)) or "none is described yet"
            self.problem(node, where, f"'{text}' is not a party of this contract; use one of: {choices}")
        else:
            self.problem(
                node,
                where,
                f"'{text}' is not described under {section}: add it there or fix the key{_suggest(text, known)}",
            )
        return None

    def link(
        self, subject: URIRef, predicate: URIRef, e: Mapping, where: str, key: str, section: str
    ) -> None:
        """``subject predicate <the resource e[key] names>``, when the key is given and known."""
        if e.get(key) is not None:
            target = self.ref(e.get(key), _join(where, key), section)
            if target is not None:
                self.graph.add((subject, predicate, target))

    def refs(self, node: Node | None, where: str, section: str) -> list[URIRef]:
        found = [self.ref(item, w, section) for item, w in self.items(node, where)]
        return [r for r in found if r is not None]

    def reference(self, node: Node | None, where: str, known: dict[str, str], noun: str) -> URIRef | None:
        """A resource of the national reference data (a legal text, a fund), by its key."""
        text = self.text(node, where)
        if text is None:
            return None
        if text not in known:
            self.problem(node, where, f"unknown {noun} '{text}'{_suggest(text, known)}")
            return None
        return URIRef(known[text])

    def sources(
        self, node: Mapping, where: str, subject: URIRef, default: list[URIRef] | None = None
    ) -> list[URIRef]:
        given = node.get("sources")
        if isinstance(given, Sequence) and not given.items:
            self.problem(
                given,
                _join(where, "sources"),
                "is an empty list: list the keys of the sources that state this",
            )
        found = (
            self.refs(given, _join(where, "sources"), "sources") if given is not None else list(default or [])
        )
        for source in found:
            self.graph.add((subject, PROV.wasDerivedFrom, source))
        return found

    def value_or_claims(
        self,
        node: Node | None,
        where: str,
        subject: URIRef,
        predicate: URIRef,
        read: Callable[[Node | None, str], Literal | None],
        slug: str,
        claims: list[URIRef],
    ) -> None:
        """A value, or (``disputed:``) the values sources disagree on, each kept as a sourced claim."""
        if not (isinstance(node, Mapping) and "disputed" in node.entries):
            value = read(node, where)
            if value is not None:
                self.graph.add((subject, predicate, value))
            return
        if set(node.entries) != {"disputed"}:
            self.problem(
                node,
                where,
                "a disputed value has only the key disputed: (a list of values with their sources)",
            )
        alternatives = self.items(node.get("disputed"), _join(where, "disputed"))
        if len(alternatives) < 2:
            self.problem(
                node,
                where,
                "a dispute needs at least two values, each with its sources; otherwise give the value directly",
            )
        for n, (item, item_where) in enumerate(alternatives, start=1):
            claim = URIRef(f"{DATA_BASE}claim/{self.contract_id}/{slug}-{n}")
            entry = self.entry(item, item_where, "claim")
            if entry is None:
                continue
            self.describe(claim, entry, C("Claim"))
            self.graph.add((claim, RDF.subject, subject))
            self.graph.add((claim, RDF.predicate, predicate))
            value = read(entry.get("value"), _join(item_where, "value"))
            if value is not None:
                self.graph.add((claim, RDF.object, value))
            self.comment(claim, entry, item_where)
            self.sources(entry, item_where, claim)
            claims.append(claim)

    # ------------------------------------------------------------------ sections

    def declare(self, top: Mapping, name: str, prefix: str) -> list[tuple[URIRef, Mapping, str]]:
        """The described resources of a section (key: ...), each with its IRI under ``prefix``."""
        node = top.get(name)
        if node is None:
            return []
        if not isinstance(node, Mapping):
            self.problem(node, name, f"expected described resources by key (key: ...), not {_what(node)}")
            return []
        known = self.defined.setdefault(name, {})
        out = []
        for key, (key_node, value) in node.entries.items():
            where = f"{name}.{key}"
            if name != "sources" and not KEY.match(key):
                self.problem(
                    key_node,
                    where,
                    f"'{key}' is not a valid key: use lower-case letters, digits, hyphens and slashes",
                )
                continue
            entry = self.entry(value, where, _singular(name))
            iri = self.iri_for(name, key, prefix, entry, where)
            if iri is None:
                continue
            known[key] = (iri, key_node.line)
            self.lines.setdefault(str(iri), key_node.line)
            if entry is not None:
                out.append((iri, entry, where))
        return out

    def build(self, entries: list[tuple[URIRef, Mapping, str]], build: Callable) -> list[URIRef]:
        return [subject for iri, entry, where in entries for subject in build(iri, entry, where)]

    def iri_for(self, name: str, key: str, prefix: str, entry: Mapping | None, where: str) -> URIRef | None:
        if name == "territories" and entry is not None:
            official = self.official_territory(entry, where)
            if official is not None:
                return official
        if name != "sources":
            return URIRef(f"{DATA_BASE}{prefix}/{key}")
        url = self.text(entry.get("url"), _join(where, "url")) if entry is not None else None
        if url is not None and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
            node = entry.get("url")
            self.problem(
                node,
                _join(where, "url"),
                f"'{url}' is not a web address: a source is identified by its http:// or https:// address",
            )
            url = None
        # A source without a usable address is still declared, so that references to it do not
        # add errors of their own; the file is not built anyway.
        return URIRef(url) if url else URIRef(f"urn:csi-graph:unaddressed-source:{quote_key(key)}")

    def describe(self, subject: URIRef, entry: Mapping, *types: URIRef) -> None:
        self.lines.setdefault(str(subject), entry.line)
        for rdf_type in types:
            self.graph.add((subject, RDF.type, rdf_type))

    def comment(self, subject: URIRef, entry: Mapping, where: str) -> None:
        """An editorial comment (no source), and the notes that state facts, each with its source."""
        self.add_texts(
            subject, RDFS.comment, self.texts(entry.get("comment"), _join(where, "comment"), need_fr=False)
        )
        for n, note, note_where in self.numbered(entry, where, "notes", "note"):
            iri = URIRef(f"{subject}/note-{n}")
            self.describe(iri, note, C("Note"))
            self.note_subjects.append(iri)
            self.graph.add((iri, C("noteOn"), subject))
            self.add_texts(iri, DCTERMS.description, self.texts(note.get("text"), f"{note_where}.text"))
            if note.get("date") is not None:
                date = self.date(note.get("date"), f"{note_where}.date")
                if date is not None:
                    self.graph.add((iri, DCTERMS.date, date))
            self.sources(note, note_where, iri)

    def labels(
        self, subject: URIRef, entry: Mapping, where: str, key: str = "label", predicate=RDFS.label
    ) -> None:
        self.add_texts(subject, predicate, self.texts(entry.get(key), _join(where, key)))

    def source(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        self.describe(iri, e, C("Source"))
        self.labels(iri, e, where)
        publisher = self.text(e.get("publisher"), _join(where, "publisher"))
        if publisher:
            self.graph.add((iri, C("publisherName"), Literal(publisher)))
        if e.get("issued") is not None:
            issued = self.date(e.get("issued"), _join(where, "issued"))
            if issued is not None:
                self.graph.add((iri, DCTERMS.issued, issued))
        grade = self.concept(e.get("reliability"), _join(where, "reliability"), "reliability")
        if grade is not None:
            self.graph.add((iri, C("reliability"), grade))
        read_on = self.date(e.get("read_on"), _join(where, "read_on"))
        if read_on is not None and read_on.datatype != XSD.date:
            self.problem(
                e.get("read_on"),
                _join(where, "read_on"),
                f"'{read_on}' is not a full date: give the day you read the source, YYYY-MM-DD",
            )
        elif read_on is not None and str(read_on) > datetime.date.today().isoformat():
            self.problem(
                e.get("read_on"),
                _join(where, "read_on"),
                f"{read_on} is in the future: give the day you read the source, today or before",
            )
            read_on = None
        elif read_on is not None:
            self.graph.add((iri, C("readOn"), read_on))
        self.comment(iri, e, where)
        return [iri]

    def official_territory(self, e: Mapping, where: str) -> URIRef | None:
        """A commune, intercommunality or département: the IRI of its official record, found by name."""
        from csi_graph.territories import KINDS, resolve

        kind_node = e.get("kind")
        if not isinstance(kind_node, Scalar) or kind_node.text.strip() not in KINDS:
            return None
        name_node = e.get("official_name") or e.get("name")
        if isinstance(name_node, Mapping):
            name_node = name_node.get("fr")
        if not isinstance(name_node, Scalar) or not name_node.text.strip():
            return None  # the missing name is reported when the entry is built
        departement = e.get("departement")
        hint = departement.text.strip() if isinstance(departement, Scalar) else None
        official, message = resolve(self.v.territories, kind_node.text.strip(), name_node.text.strip(), hint)
        if official is None:
            self.problem(name_node, where, message)
            return None
        return URIRef(official.iri)

    def territory(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        kind_node = e.get("kind")
        kind = self.text(kind_node, _join(where, "kind"))
        if e.get("insee") is not None:
            self.problem(
                e.get("insee"),
                _join(where, "insee"),
                "INSEE codes are not typed by hand: they come from data/reference/territories.ttl, "
                "which csi-graph territories makes from INSEE's official list; remove insee:",
            )
        if kind is not None and kind not in self.v.territory_kinds:
            self.problem(
                kind_node,
                _join(where, "kind"),
                f"unknown kind of territory '{kind}'{_suggest(kind, self.v.territory_kinds, 'kind of territory')}",
            )
            kind = None
        if kind is not None:
            self.describe(iri, e, URIRef(self.v.territory_kinds[kind].iri))
        self.labels(iri, e, where, "name")
        for parent in self.refs(e.get("within"), _join(where, "within"), "territories"):
            self.graph.add((iri, WITHIN, parent))
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri]

    def organisation(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        self.describe(iri, e, ORG.FormalOrganization)
        self.labels(iri, e, where)
        kind = self.concept(e.get("kind"), _join(where, "kind"), "actor-kinds")
        if kind is not None:
            self.graph.add((iri, ORG.classification, kind))
        self.link(iri, DCTERMS.spatial, e, where, "territory", "territories")
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri]

    def person(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        self.describe(iri, e, FOAF.Person)
        claims: list[URIRef] = []
        self.value_or_claims(
            e.get("name"),
            _join(where, "name"),
            iri,
            FOAF.name,
            self.plain,
            f"person-{_local(iri)}-name",
            claims,
        )
        for key, predicate in (("given_name", FOAF.givenName), ("family_name", FOAF.familyName)):
            if e.get(key) is not None:
                value = self.plain(e.get(key), _join(where, key))
                if value is not None:
                    self.graph.add((iri, predicate, value))
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri, *claims]

    def plain(self, node: Node | None, where: str) -> Literal | None:
        text = self.text(node, where)
        return Literal(text) if text is not None else None

    def post(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        self.describe(iri, e, ORG.Post)
        self.labels(iri, e, where)
        self.link(iri, ORG.postIn, e, where, "organisation", "organisations")
        role = self.concept(e.get("role"), _join(where, "role"), "roles")
        if role is not None:
            self.graph.add((iri, ORG.role, role))
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri]

    def instrument(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        kind_node = e.get("kind")
        kind = self.text(kind_node, _join(where, "kind"))
        if kind is not None and kind not in self.v.instrument_kinds:
            self.problem(
                kind_node,
                _join(where, "kind"),
                f"unknown kind of instrument '{kind}'{_suggest(kind, self.v.instrument_kinds, 'kind of instrument')}",
            )
        elif kind is not None:
            self.describe(iri, e, URIRef(self.v.instrument_kinds[kind].iri))
        self.labels(iri, e, where)
        self.add_texts(
            iri,
            DCTERMS.description,
            self.texts(e.get("description"), _join(where, "description"), need_fr=False),
        )
        self.link(iri, DCTERMS.spatial, e, where, "territory", "territories")
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri]

    def contract(self, node: Node, top: Mapping) -> list[URIRef]:
        e = self.entry(node, "contract", "contract")
        if e is None:
            return []
        iri = URIRef(f"{DATA_BASE}contract/{self.contract_id}")
        self.describe(iri, e, C("IntegratedSecurityContract"))
        self.graph.add((iri, DCTERMS.identifier, Literal(self.contract_id)))
        self.labels(iri, e, "contract", "title", DCTERMS.title)
        self.add_texts(
            iri, DCTERMS.description, self.texts(e.get("description"), "contract.description", need_fr=False)
        )
        # A legal basis only where a source supports it: none is added by default (a contract
        # signed before the circular, or a draft never signed, has none).
        for item, where in self.items(e.get("legal_basis"), "contract.legal_basis"):
            found = self.reference(item, where, self.v.legal_texts, "legal text")
            if found is not None:
                self.graph.add((iri, C("legalBasis"), found))
        status = self.concept(e.get("status"), "contract.status", "contract-statuses")
        if status is not None:
            self.graph.add((iri, C("contractStatus"), status))
        for place in self.refs(e.get("territories"), "contract.territories", "territories"):
            self.graph.add((iri, C("territory"), place))
        for partner in self.refs(e.get("partners"), "contract.partners", "organisations"):
            self.graph.add((iri, C("partner"), partner))
        if e.get("rank") is not None:
            rank = self.number(e.get("rank"), "contract.rank")
            if rank is not None and (rank.datatype != XSD.integer or int(rank) < 1):
                self.problem(
                    e.get("rank"),
                    "contract.rank",
                    f"'{rank}' is not a rank: write 1 for the first CSI, 72 for the 72nd",
                )
            elif rank is not None:
                self.graph.add((iri, C("rank"), rank))
        for item, where in self.items(e.get("renews"), "contract.renews"):
            earlier = self.identifier(item, where)
            if earlier is not None:
                self.graph.add((iri, C("renews"), URIRef(f"{DATA_BASE}contract/{earlier}")))
        self.known(iri, e, "contract")
        subjects = [iri]
        sources = self.sources(e, "contract", iri)
        if e.get("period") is not None:
            subjects += self.period(e.get("period"), iri, sources)
        if e.get("follow_up_body") is not None:
            body = self.ref(e.get("follow_up_body"), "contract.follow_up_body", "instruments")
            if body is not None:
                self.graph.add((iri, C("followUpBody"), body))
        subjects += self.history(e.get("history"), iri)
        subjects += self.axes(e.get("axes"), iri)
        self.comment(iri, e, "contract")
        return subjects

    def period(self, node: Node, contract: URIRef, sources: list[URIRef]) -> list[URIRef]:
        e = self.entry(node, "contract.period", "period")
        if e is None:
            return []
        iri = URIRef(f"{DATA_BASE}period/{self.contract_id}")
        self.describe(iri, e, DCTERMS.PeriodOfTime)
        self.graph.add((contract, DCTERMS.temporal, iri))
        self.add_texts(iri, RDFS.label, self.texts(e.get("label"), "contract.period.label"))
        claims: list[URIRef] = []
        for key, predicate in (("start", DCAT.startDate), ("end", DCAT.endDate)):
            if e.get(key) is not None:
                where = f"contract.period.{key}"
                self.value_or_claims(e.get(key), where, iri, predicate, self.date, f"period-{key}", claims)
        self.comment(iri, e, "contract.period")
        self.sources(e, "contract.period", iri)
        return [iri, *claims]

    def party(self, iri: URIRef, e: Mapping, where: str) -> list[URIRef]:
        self.describe(iri, e, C("ContractParty"))
        self.labels(iri, e, where)
        self.graph.add((iri, C("inContract"), URIRef(f"{DATA_BASE}contract/{self.contract_id}")))
        kind = self.concept(e.get("kind"), _join(where, "kind"), "actor-kinds")
        if kind is not None:
            self.graph.add((iri, C("partyKind"), kind))
        self.link(iri, C("organisation"), e, where, "organisation", "organisations")
        self.check_kinds(iri, kind, e, where)
        self.known(iri, e, where)
        self.comment(iri, e, where)
        self.sources(e, where, iri)
        return [iri]

    def check_kinds(self, party: URIRef, kind: URIRef | None, e: Mapping, where: str) -> None:
        """A party is of its organisation's kind (a local authority of unstated kind fits any local one)."""
        organisation = self.graph.value(party, C("organisation"))
        theirs = self.graph.value(organisation, ORG.classification) if organisation is not None else None
        if kind is None or theirs is None or kind == theirs:
            return
        local = {self.concept_iri("actor-kinds", k) for k in ("commune", "intercommunality", "departement")}
        vague = self.concept_iri("actor-kinds", "local-authority")
        if vague in (kind, theirs) and {kind, theirs} - {vague} <= local:
            return
        mine, other = self.v.key_of("actor-kinds", str(kind)), self.v.key_of("actor-kinds", str(theirs))
        key = e.get("organisation").text.strip()
        self.problem(
            e.get("kind"),
            _join(where, "kind"),
            f"the party is of kind {mine} but its organisation {key} is of kind {other}: "
            "make them agree (the party is the role the organisation plays)",
        )

    def known(self, iri: URIRef, e: Mapping, where: str) -> None:
        """``commitments_known: false``: the sources name it, but give none of its commitments."""
        if e.get("commitments_known") is not None:
            value = self.boolean(e.get("commitments_known"), _join(where, "commitments_known"))
            if value is not None:
                self.graph.add((iri, C("commitmentsKnown"), value))

    def boolean(self, node: Node | None, where: str) -> Literal | None:
        text = self.text(node, where)
        if text is None:
            return None
        if text not in ("true", "false"):
            self.problem(node, where, f"'{text}' is not true or false")
            return None
        return Literal(text == "true")

    def axes(self, node: Node | None, contract: URIRef) -> list[URIRef]:
        """The axes or volets a source says the contract covers, apart from its commitments."""
        subjects = []
        for n, (item, where) in enumerate(self.items(node, "contract.axes"), start=1):
            e = self.entry(item, where, "axis")
            if e is None:
                continue
            iri = URIRef(f"{DATA_BASE}axis/{self.contract_id}/{n}")
            self.describe(iri, e, C("Axis"))
            self.graph.add((iri, C("inContract"), contract))
            self.graph.add((iri, POSITION, Literal(n)))
            self.labels(iri, e, where)
            for theme in self.concepts(e.get("themes"), f"{where}.themes", "themes"):
                self.graph.add((iri, C("theme"), theme))
            self.comment(iri, e, where)
            self.sources(e, where, iri)
            subjects.append(iri)
        return subjects

    def history(self, node: Node | None, contract: URIRef) -> list[URIRef]:
        """Dated states of the contract (announced, negotiating, signed, refused...), each sourced."""
        subjects = []
        for n, (item, where) in enumerate(self.items(node, "contract.history"), start=1):
            e = self.entry(item, where, "history")
            if e is None:
                continue
            iri = URIRef(f"{DATA_BASE}contract-status/{self.contract_id}/{n}")
            self.describe(iri, e, C("ContractStatusRecord"))
            self.graph.add((iri, C("inContract"), contract))
            status = self.concept(e.get("status"), f"{where}.status", "contract-statuses")
            if status is not None:
                self.graph.add((iri, C("contractStatus"), status))
            date = self.date(e.get("date"), f"{where}.date")
            if date is not None:
                self.graph.add((iri, DCTERMS.date, date))
            self.add_texts(
                iri,
                DCTERMS.description,
                self.texts(e.get("description"), f"{where}.description", need_fr=False),
            )
            self.comment(iri, e, where)
            self.sources(e, where, iri)
            subjects.append(iri)
        return subjects

    def signatures(self, node: Node | None) -> list[URIRef]:
        subjects: list[URIRef] = []
        counts: dict[str, int] = {}
        for item, where in self.items(node, "signatures"):
            e = self.entry(item, where, "signature")
            if e is None:
                continue
            party = (
                self.ref(e.get("party"), f"{where}.party", "parties") if e.get("party") is not None else None
            )
            stem = e.get("party").text.strip() if party is not None else "unknown"
            counts[stem] = counts.get(stem, 0) + 1
            local = self.identifier(e.get("id"), f"{where}.id") if e.get("id") is not None else None
            iri = URIRef(f"{DATA_BASE}signature/{self.contract_id}/{local or f'{stem}-{counts[stem]}'}")
            if str(iri) in self.lines:
                self.problem(
                    e,
                    where,
                    f"duplicate signature '{_local(iri)}' (already at line {self.lines[str(iri)]}); give it its own id",
                )
                continue
            self.describe(iri, e, C("SigningParticipation"))
            self.graph.add((iri, C("inContract"), URIRef(f"{DATA_BASE}contract/{self.contract_id}")))
            if party is not None:
                self.graph.add((iri, C("signedFor"), party))
            for key, predicate, section in (
                ("signatory", C("signatory"), "persons"),
                ("post", C("signatoryPost"), "posts"),
            ):
                if e.get(key) is not None:
                    found = self.ref(e.get(key), f"{where}.{key}", section)
                    if found is not None:
                        self.graph.add((iri, predicate, found))
            claims: list[URIRef] = []
            # signed, or present (« en présence de »); sources may disagree on which
            capacity = e.get("capacity") or Scalar(e.line, e.column, "signatory")
            self.value_or_claims(
                capacity,
                f"{where}.capacity",
                iri,
                C("capacity"),
                lambda node, w: self.concept(node, w, "capacities"),
                f"signature-{_local(iri)}-capacity",
                claims,
            )
            # A certain signature is a csi:Signature; a presence, or a disputed capacity, is only a
            # csi:SigningParticipation (its superclass).
            signed = (iri, C("capacity"), self.concept_iri("capacities", "signatory")) in self.graph
            self.graph.remove((iri, RDF.type, C("SigningParticipation")))
            self.graph.add((iri, RDF.type, C("Signature" if signed else "SigningParticipation")))
            if e.get("date") is not None:
                slug = f"signature-{_local(iri)}-date"
                self.value_or_claims(
                    e.get("date"), f"{where}.date", iri, DCTERMS.date, self.date, slug, claims
                )
            self.comment(iri, e, where)
            self.sources(e, where, iri)
            subjects += [iri, *claims]
        return subjects

    def commitments(self, node: Node | None) -> list[tuple[str, list[URIRef]]]:
        by_party: dict[str, list[URIRef]] = {}
        positions: dict[str, int] = {}
        seen: dict[str, int] = {}
        for item, where in self.items(node, "commitments"):
            e = self.entry(item, where, "commitment")
            if e is None:
                continue
            identifier = self.identifier(e.get("id"), f"{where}.id")
            if identifier is None:
                continue
            where = f"{where} ({identifier})"
            if identifier in seen:
                self.problem(
                    e.get("id"),
                    f"{where}.id",
                    f"duplicate identifier '{identifier}' (already used at line {seen[identifier]}); give each commitment its own id",
                )
                continue
            seen[identifier] = e.get("id").line
            iri = URIRef(f"{DATA_BASE}commitment/{self.contract_id}/{identifier}")
            self.commitment_ids[identifier] = iri
            self.describe(iri, e, C("Commitment"))
            self.graph.add((iri, DCTERMS.identifier, Literal(identifier)))
            self.graph.add((iri, C("inContract"), URIRef(f"{DATA_BASE}contract/{self.contract_id}")))
            party_key = None
            if e.get("party") is None:
                choices = ", ".join(sorted(self.defined.get("parties", {}))) or "describe them under parties:"
                self.problem(
                    e,
                    where,
                    f"missing key 'party': name the party that takes this commitment, one of: {choices}",
                )
            party = (
                self.ref(e.get("party"), f"{where}.party", "parties") if e.get("party") is not None else None
            )
            if party is not None:
                party_key = e.get("party").text.strip()
                self.graph.add((iri, C("committedBy"), party))
                positions[party_key] = positions.get(party_key, 0) + 1
                position = positions[party_key]
                if e.get("position") is not None:
                    given = self.number(e.get("position"), f"{where}.position")
                    position = int(given) if given is not None and given.datatype == XSD.integer else position
                self.graph.add((iri, POSITION, Literal(position)))
            text = self.wording(e, where, iri)
            labels = self.texts(e.get("label"), f"{where}.label", need_fr=False)
            if text and "fr" not in labels:
                labels["fr"] = text
            if isinstance(e.get("label"), Mapping) and "en" not in e.get("label").entries:
                self.problem(
                    e.get("label"), f"{where}.label", "missing key 'en': add an English label (a translation)"
                )
            elif isinstance(e.get("label"), Scalar):
                self.problem(
                    e.get("label"),
                    f"{where}.label",
                    "give the labels by language, with an English translation: {en: ...}",
                )
            self.add_texts(iri, RDFS.label, labels)
            self.add_texts(
                iri,
                DCTERMS.description,
                self.texts(e.get("description"), f"{where}.description", need_fr=False),
            )
            for theme in self.concepts(e.get("themes"), f"{where}.themes", "themes"):
                self.graph.add((iri, C("theme"), theme))
            for kind in self.concepts(e.get("types"), f"{where}.types", "types"):
                self.graph.add((iri, C("commitmentType"), kind))
            if e.get("deadline") is not None:
                deadline = self.date(e.get("deadline"), f"{where}.deadline")
                if deadline is not None:
                    self.graph.add((iri, C("deadline"), deadline))
            for fund_node, fund_where in self.items(e.get("funding"), f"{where}.funding"):
                fund = self.reference(fund_node, fund_where, self.v.funds, "funding instrument")
                if fund is not None:
                    self.graph.add((iri, C("fundingInstrument"), fund))
            for key, predicate, section, _ in COMMITMENT_LINKS:
                for target in self.refs(e.get(key), f"{where}.{key}", section):
                    self.graph.add((iri, predicate, target))
            self.comment(iri, e, where)
            sources = self.sources(e, where, iri)
            subjects = [iri]
            subjects += self.quantities(e, where, iri, identifier, sources)
            subjects += self.commitment_items(e, where, iri, sources)
            subjects += self.status_records(e, where, iri, identifier)
            by_party.setdefault(party_key or "?", []).extend(subjects)
        out = []
        parties = self.defined.get("parties", {})
        for key, subjects in by_party.items():
            party = parties.get(key, (None, 0))[0]
            label = self.party_label(party) if party is not None else key
            count = sum(1 for s in subjects if (s, RDF.type, C("Commitment")) in self.graph)
            out.append((f"Commitments of the party {label} ({count})", subjects))
        return out

    def party_label(self, party: URIRef) -> str:
        labels = {o.language: str(o) for o in self.graph.objects(party, RDFS.label)}
        return labels.get("en") or labels.get("fr") or _local(party)

    def wording(self, e: Mapping, where: str, iri: URIRef) -> str | None:
        wording, paraphrase = e.get("wording"), e.get("paraphrase")
        if wording is not None and paraphrase is not None:
            self.problem(
                e,
                where,
                "give either wording (the contract's own text) or paraphrase (your summary when no source gives the text), not both",
            )
            return None
        if wording is None and paraphrase is None:
            self.problem(
                e,
                where,
                "missing key 'wording': copy the commitment's text as the source writes it, or write paraphrase: when no source gives the text",
            )
            return None
        key, predicate = ("wording", C("wording")) if wording is not None else ("paraphrase", C("paraphrase"))
        text = self.text(e.get(key), f"{where}.{key}")
        if text is not None:
            self.graph.add((iri, predicate, Literal(text, lang="fr")))
        return text

    def announcements(self, node: Node | None) -> list[URIRef]:
        """Dated, sourced statements about the contract that are not among its commitments."""
        subjects: list[URIRef] = []
        contract = URIRef(f"{DATA_BASE}contract/{self.contract_id}")
        for n, (item, where) in enumerate(self.items(node, "announcements"), start=1):
            e = self.entry(item, where, "announcement")
            if e is None:
                continue
            iri = URIRef(f"{DATA_BASE}announcement/{self.contract_id}/{n}")
            self.describe(iri, e, C("Announcement"))
            self.graph.add((iri, C("relatesTo"), contract))
            for ref_node, ref_where in self.items(e.get("relates_to"), f"{where}.relates_to"):
                key = self.text(ref_node, ref_where)
                if key is None:
                    continue
                if key in self.commitment_ids:
                    self.graph.add((iri, C("relatesTo"), self.commitment_ids[key]))
                else:
                    known = ", ".join(sorted(self.commitment_ids)) or "none is described"
                    self.problem(
                        ref_node,
                        ref_where,
                        f"'{key}' is not a commitment of this contract; use one of: {known}",
                    )
            if e.get("date") is not None:
                date = self.date(e.get("date"), f"{where}.date")
                if date is not None:
                    self.graph.add((iri, DCTERMS.date, date))
            for agent in self.agents(e.get("stated_by"), f"{where}.stated_by"):
                self.graph.add((iri, C("statedBy"), agent))
            self.add_texts(iri, DCTERMS.description, self.texts(e.get("description"), f"{where}.description"))
            self.comment(iri, e, where)
            sources = self.sources(e, where, iri)
            subjects += [iri, *self.quantities(e, where, iri, f"announcement-{n}", sources)]
        return subjects

    def agents(self, node: Node | None, where: str) -> list[URIRef]:
        """Persons or organisations described in this file, by key (who stated something)."""
        found = []
        for item, item_where in self.items(node, where):
            key = self.text(item, item_where)
            if key is None:
                continue
            for section in ("persons", "organisations"):
                if key in self.defined.get(section, {}):
                    found.append(self.defined[section][key][0])
                    break
            else:
                known = set(self.defined.get("persons", {})) | set(self.defined.get("organisations", {}))
                self.problem(
                    item,
                    item_where,
                    f"'{key}' is not described under persons: or organisations:{_suggest(key, known)}",
                )
        return found

    def quantities(
        self, e: Mapping, where: str, commitment: URIRef, identifier: str, sources: list[URIRef]
    ) -> list[URIRef]:
        """The figures of a commitment or an announcement, each a csi:Quantity with its own sources."""
        subjects = []
        for n, q, item_where in self.numbered(e, where, "quantities", "quantity"):
            iri = URIRef(f"{DATA_BASE}quantity/{self.contract_id}/{identifier}-{n}")
            self.describe(iri, q, C("Quantity"))
            self.quantity_keys[f"{identifier}-{n}"] = iri
            self.graph.add((commitment, C("targetQuantity"), iri))
            self.add_texts(iri, RDFS.label, self.texts(q.get("label"), f"{item_where}.label", need_fr=False))
            claims: list[URIRef] = []
            concepts = {}
            for key, predicate, scheme in (
                ("unit", C("unit"), "units"),
                ("kind", C("quantityKind"), "quantity-kinds"),
                ("basis", C("quantityBasis"), "quantity-bases"),
            ):
                if q.get(key) is not None:
                    concepts[key] = self.concept(q.get(key), f"{item_where}.{key}", scheme)
                    if concepts[key] is not None:
                        self.graph.add((iri, predicate, concepts[key]))
            maintained = concepts.get("basis") == self.concept_iri("quantity-bases", "maintained")
            self.figure(q, item_where, iri, f"quantity-{identifier}-{n}", claims, optional=maintained)
            if q.get("deadline") is not None:
                self.value_or_claims(
                    q.get("deadline"),
                    f"{item_where}.deadline",
                    iri,
                    C("deadline"),
                    self.date,
                    f"quantity-{identifier}-{n}-deadline",
                    claims,
                )
            for agent in self.agents(q.get("stated_by"), f"{item_where}.stated_by"):
                self.graph.add((iri, C("statedBy"), agent))
            for key, predicate in (("part_of", C("partOf")), ("same_target_as", C("sameTargetAs"))):
                for ref, ref_where in self.items(q.get(key), f"{item_where}.{key}"):
                    self.pending.append((iri, predicate, ref, ref_where))
            self.comment(iri, q, item_where)
            own = self.sources(q, item_where, iri, default=sources)
            subjects.append(iri)
            if q.get("baseline") is not None:
                subjects += self.baseline(q.get("baseline"), f"{item_where}.baseline", iri, concepts, own)
            subjects += claims
        return subjects

    def figure(
        self, q: Mapping, where: str, iri: URIRef, slug: str, claims: list[URIRef], optional: bool = False
    ) -> None:
        """A value (``value:``, possibly disputed), or a range (``min:`` and/or ``max:``), and its qualifier."""
        given = [key for key in ("value", "min", "max") if q.get(key) is not None]
        if "value" in given and len(given) > 1:
            self.problem(q, where, "give either value: (one figure) or min: and max: (a range), not both")
        elif not given and not optional:
            self.problem(
                q,
                where,
                "missing key 'value': give the figure the source states (value: 10), or a range (min: 29, max: 30)",
            )
        if q.get("value") is not None:
            self.value_or_claims(q.get("value"), f"{where}.value", iri, VALUE, self.number, slug, claims)
        bounds = {}
        for key, predicate in (("min", MIN_VALUE), ("max", MAX_VALUE)):
            if q.get(key) is not None:
                bounds[key] = self.number(q.get(key), f"{where}.{key}")
                if bounds[key] is not None:
                    self.graph.add((iri, predicate, bounds[key]))
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low.toPython() > high.toPython():
            self.problem(
                q.get("min"),
                f"{where}.min",
                f"the range runs from {bounds['min']} to {bounds['max']}: min must not exceed max",
            )
        if q.get("qualifier") is not None:
            qualifier = self.concept(q.get("qualifier"), f"{where}.qualifier", "qualifiers")
            if qualifier is not None:
                self.graph.add((iri, C("valueQualifier"), qualifier))
        if q.get("date") is not None:
            date = self.date(q.get("date"), f"{where}.date")
            if date is not None:
                self.graph.add((iri, DCTERMS.date, date))

    def baseline(
        self, node: Node, where: str, target: URIRef, concepts: dict, sources: list[URIRef]
    ) -> list[URIRef]:
        """The level a target starts from (« de 46 à 76 »): a quantity of the same unit and kind."""
        b = self.entry(node, where, "baseline")
        if b is None:
            return []
        iri = URIRef(f"{target}-baseline")
        self.describe(iri, b, C("Quantity"))
        self.graph.add((target, C("baseline"), iri))
        for key, predicate in (("unit", C("unit")), ("kind", C("quantityKind"))):
            if concepts.get(key) is not None:
                self.graph.add((iri, predicate, concepts[key]))
        self.graph.add((iri, C("quantityBasis"), self.concept_iri("quantity-bases", "total")))
        self.add_texts(iri, RDFS.label, self.texts(b.get("label"), f"{where}.label", need_fr=False))
        claims: list[URIRef] = []
        self.figure(b, where, iri, f"{_local(iri)}", claims)
        self.comment(iri, b, where)
        self.sources(b, where, iri, default=sources)
        return [iri, *claims]

    def resolve_pending(self) -> None:
        """Relations between figures, once every figure of the file is known."""
        for subject, predicate, node, where in self.pending:
            key = self.text(node, where)
            if key is None:
                continue
            target = self.quantity_keys.get(key)
            if target is None:
                known = sorted(self.quantity_keys)
                self.problem(
                    node,
                    where,
                    f"'{key}' is not a figure of this contract: name it by its commitment id and number "
                    f"(state-01-2 for the second figure of state-01){_suggest(key, known)}",
                )
            elif target == subject:
                self.problem(node, where, f"'{key}' is this figure itself")
            else:
                self.graph.add((subject, predicate, target))

    def commitment_items(
        self, e: Mapping, where: str, commitment: URIRef, sources: list[URIRef]
    ) -> list[URIRef]:
        subjects = []
        for n, i, item_where in self.numbered(e, where, "items", "item"):
            iri = URIRef(f"{commitment}/item-{n}")
            self.describe(iri, i, C("CommitmentItem"))
            self.graph.add((iri, C("itemOf"), commitment))
            self.graph.add((iri, POSITION, Literal(n)))
            self.labels(iri, i, item_where)
            self.sources(i, item_where, iri, default=sources)
            subjects.append(iri)
        return subjects

    def status_records(self, e: Mapping, where: str, commitment: URIRef, identifier: str) -> list[URIRef]:
        subjects = []
        for n, s, item_where in self.numbered(e, where, "status", "status"):
            iri = URIRef(f"{DATA_BASE}status-record/{self.contract_id}/{identifier}-{n}")
            self.describe(iri, s, C("StatusRecord"))
            self.graph.add((iri, C("statusOf"), commitment))
            status = self.concept(s.get("status"), f"{item_where}.status", "statuses")
            if status is not None:
                self.graph.add((iri, C("status"), status))
            date = self.date(s.get("date"), f"{item_where}.date")
            if date is not None:
                self.graph.add((iri, DCTERMS.date, date))
            for instrument in self.refs(s.get("instruments"), f"{item_where}.instruments", "instruments"):
                self.graph.add((iri, C("concernsInstrument"), instrument))
            self.add_texts(
                iri, DCTERMS.description, self.texts(s.get("description"), f"{item_where}.description")
            )
            self.comment(iri, s, item_where)
            self.sources(s, item_where, iri)
            subjects.append(iri)
        return subjects


def parse_date(text: str) -> Literal | None:
    """``2021-09-22`` -> xsd:date, ``2021-09`` -> xsd:gYearMonth, ``2021`` -> xsd:gYear; else None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            datetime.date.fromisoformat(text)
            return Literal(text, datatype=XSD.date)
        if re.fullmatch(r"\d{4}-\d{2}", text) and 1 <= int(text[5:]) <= 12:
            return Literal(text, datatype=XSD.gYearMonth)
        if re.fullmatch(r"\d{4}", text):
            return Literal(text, datatype=XSD.gYear)
    except ValueError:
        return None
    return None


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def date_mistake(text: str) -> str | None:
    """What is wrong with a date written in the right shape (month 13, 30 February), if anything."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        return f"month {month} does not exist: {DATE_FORMS}"
    if day is not None:
        try:
            datetime.date(year, month, int(day))
        except ValueError:
            return f"{int(day)} {_MONTHS[month - 1]} {year} does not exist: {DATE_FORMS}"
    return None


def quote_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _singular(section: str) -> str:
    return {"parties": "party", "territories": "territory"}.get(section, section[:-1])


def _local(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _what(node: Node) -> str:
    if isinstance(node, Mapping):
        return "keys and values"
    if isinstance(node, Sequence):
        return "a list"
    return f"the value '{node.text}'" if isinstance(node, Scalar) else "this"


def _suggest(text: str, allowed, noun: str = "") -> str:
    """``; did you mean x or y?`` from the closest allowed values, or the list of all when it is short."""
    choices = sorted(allowed)
    if not choices:
        return ""
    close = difflib.get_close_matches(text, choices, n=3, cutoff=0.6)
    if not close:
        close = [c for c in choices if text and (text in c or c in text)][:3]
    if close:
        return f"; did you mean {' or '.join(close)}?"
    if len(choices) <= LIST_ALL_BELOW:
        return f"; use one of: {', '.join(choices)}"
    if noun:
        return f"; the allowed {noun}s are listed at the end of a file made by csi-graph new"
    return ""


__all__ = ["COMMITMENT_LINKS", "CompiledContract", "compile_document", "parse_date"]
