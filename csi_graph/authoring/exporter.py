"""Export a loaded contract back to the authoring format (YAML).

The whole file that describes the contract is exported (its parties, signatures, commitments,
instruments, organisations, posts, persons, territories and sources). The exported text is
then compiled again and compared with the file's graph: if the format cannot express a triple
of the file, the export fails and names that triple, instead of silently losing it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV

from csi_graph.authoring.compiler import (
    COMMITMENT_LINKS,
    MAX_VALUE,
    MIN_VALUE,
    POSITION,
    VALUE,
    WITHIN,
    C,
    compile_document,
)
from csi_graph.authoring.yamlfile import Problem, dump_yaml, read_yaml_text
from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.namespaces import DATA_BASE, shorten
from csi_graph.vocabulary import Vocabulary

_KIND_ORDER = ["state", "prosecution", "national-education", "commune", "intercommunality", "departement"]


class ExportError(CsiError):
    """The contract cannot be written in the authoring format without losing something."""


def contract_graph(dataset: Dataset, identifier: str) -> tuple[Graph, str]:
    """The graph of the file that describes contract ``identifier``, and that file's name."""
    iri = f"{DATA_BASE}contract/{identifier}"
    kind = C("IntegratedSecurityContract")
    for info in dataset.graphs:
        if info.role == "data" and dataset.store.contains(info.name, iri, str(RDF.type), kind):
            return dataset.graph(info.name), info.display
    raise CsiError(f"no contract '{identifier}' is loaded; see csi-graph info for the contracts")


def export_contract(dataset: Dataset, identifier: str, vocabulary: Vocabulary) -> str:
    """The authoring file (YAML text) of a loaded contract; fails rather than lose a triple."""
    graph, display = contract_graph(dataset, identifier)
    text = _header(identifier, display) + dump_yaml(_Exporter(graph, identifier, vocabulary).document())
    _check_round_trip(text, graph, identifier, display, vocabulary)
    return text


def _header(identifier: str, display: str) -> str:
    return (
        f"# Integrated security contract {identifier}: authoring file for csi-graph,\n"
        f"# exported from {display} by `csi-graph new --from {identifier}`.\n"
        f"# Build it with: csi-graph build {identifier}.yaml\n\n"
    )


def _check_round_trip(text: str, graph: Graph, identifier: str, display: str, vocabulary: Vocabulary) -> None:
    problems: list[Problem] = []
    root, problems = read_yaml_text(text, f"{identifier}.yaml")
    compiled = compile_document(root, vocabulary, f"{identifier}.yaml", problems)
    if problems:
        raise ExportError("the exported file does not compile:\n" + "\n".join(map(str, problems)))
    lost = sorted(set(graph) - set(compiled.graph), key=str)
    added = sorted(set(compiled.graph) - set(graph), key=str)
    if lost or added:
        shown = [f"  lost: {_triple(t)}" for t in lost[:10]] + [f"  added: {_triple(t)}" for t in added[:10]]
        raise ExportError(
            f"the authoring format cannot express {display} exactly ({len(lost)} triples lost, "
            f"{len(added)} added); edit that Turtle file by hand:\n" + "\n".join(shown)
        )


def _triple(triple) -> str:
    return " ".join(shorten(str(t)) if isinstance(t, URIRef) else t.n3() for t in triple)


class _Exporter:
    def __init__(self, graph: Graph, identifier: str, vocabulary: Vocabulary) -> None:
        self.g = graph
        self.cid = identifier
        self.v = vocabulary
        self.contract = URIRef(f"{DATA_BASE}contract/{identifier}")
        self.source_keys = _source_keys(sorted(str(s) for s in graph.subjects(RDF.type, C("Source"))))
        self.claims: dict[tuple[URIRef, URIRef], list[URIRef]] = {}
        for claim in graph.subjects(RDF.type, C("Claim")):
            key = (graph.value(claim, RDF.subject), graph.value(claim, RDF.predicate))
            self.claims.setdefault(key, []).append(claim)

    # ------------------------------------------------------------------ helpers

    def key(self, iri, folder: str) -> str:
        prefix = f"{DATA_BASE}{folder}/"
        if not str(iri).startswith(prefix):
            raise ExportError(
                f"<{iri}> is not under {folder}/: the authoring format names it by a key under {prefix}"
            )
        return str(iri)[len(prefix) :]

    def keys(self, subject, predicate, folder: str) -> list[str]:
        return sorted(self.key(o, folder) for o in self.g.objects(subject, predicate))

    def concept(self, subject, predicate, scheme: str) -> list[str]:
        out = []
        for value in sorted(self.g.objects(subject, predicate)):
            key = self.v.key_of(scheme, str(value))
            if key is None:
                raise ExportError(f"{shorten(str(value))} is not in the scheme {scheme}")
            out.append(key)
        return out

    def texts(self, subject, predicate) -> dict[str, str]:
        values = [o for o in self.g.objects(subject, predicate) if isinstance(o, Literal)]
        order = {"fr": 0, "en": 1}
        return {
            o.language or "fr": str(o)
            for o in sorted(values, key=lambda o: (order.get(o.language, 2), str(o)))
        }

    def literal(self, subject, predicate) -> str | None:
        value = self.g.value(subject, predicate)
        return str(value) if value is not None else None

    def sources(self, subject) -> list[str]:
        return sorted(self.source_keys[str(s)] for s in self.g.objects(subject, PROV.wasDerivedFrom))

    def put(self, out: dict, key: str, value) -> None:
        if value not in (None, [], {}, ""):
            out[key] = value

    def common(self, out: dict, subject) -> dict:
        self.put(out, "comment", self.texts(subject, RDFS.comment))
        self.put(out, "notes", self.notes(subject))
        self.put(out, "sources", self.sources(subject))
        return out

    def notes(self, subject) -> list[dict]:
        found = list(self.g.subjects(C("noteOn"), subject))
        if not found:
            return []
        if not str(subject).startswith(DATA_BASE):
            raise ExportError(
                f"a note on {shorten(str(subject))}: the authoring format takes notes on data resources only"
            )
        out = []
        for note in self.numbered(found, f"{str(subject)[len(DATA_BASE) :]}/note-"):
            entry: dict = {"text": self.texts(note, DCTERMS.description)}
            self.put(entry, "date", self.literal(note, DCTERMS.date))
            self.put(entry, "sources", self.sources(note))
            out.append(entry)
        return out

    def value_or_claims(self, subject, predicate):
        claims = self.claims.get((subject, predicate))
        if not claims:
            return self.literal(subject, predicate)
        alternatives = []
        for claim in sorted(claims, key=lambda c: _natural(str(c))):
            entry = {"value": str(self.g.value(claim, RDF.object))}
            alternatives.append(self.common(entry, claim))
        return {"disputed": alternatives}

    # ------------------------------------------------------------------ the document

    def document(self) -> dict:
        parties = self.parties()
        doc = {
            "contract": self.contract_entry(),
            "parties": parties,
            "signatures": self.signatures(list(parties)),
            "commitments": self.commitments(list(parties)),
            "instruments": self.described(C("Instrument"), "instrument", self.instrument, subclasses=True),
            "organisations": self.described(ORG.FormalOrganization, "organisation", self.organisation),
            "posts": self.described(ORG.Post, "post", self.post),
            "persons": self.described(FOAF.Person, "person", self.person),
            "territories": self.territories(),
            "announcements": self.announcements(),
            "sources": {self.source_keys[str(s)]: self.source(s) for s in self.sorted_sources()},
        }
        return {k: v for k, v in doc.items() if v}

    def contract_entry(self) -> dict:
        k = self.contract
        out: dict = {"id": self.cid}
        self.put(out, "title", self.texts(k, DCTERMS.title))
        self.put(out, "description", self.texts(k, DCTERMS.description))
        self.put(out, "status", self.concept(k, C("contractStatus"), "contract-statuses")[0])
        self.put(out, "rank", self.literal(k, C("rank")))
        self.put(out, "renews", sorted(self.key(o, "contract") for o in self.g.objects(k, C("renews"))))
        self.put(out, "commitments_known", self.literal(k, C("commitmentsKnown")))
        self.put(out, "legal_basis", self.keys(k, C("legalBasis"), "legal"))
        self.put(out, "territories", self.keys(k, C("territory"), "territory"))
        self.put(out, "partners", self.keys(k, C("partner"), "organisation"))
        period = self.g.value(k, DCTERMS.temporal)
        if period is not None:
            if period != URIRef(f"{DATA_BASE}period/{self.cid}"):
                raise ExportError(f"the period must be <period/{self.cid}>, not {shorten(str(period))}")
            entry: dict = {}
            self.put(entry, "label", self.texts(period, RDFS.label))
            self.put(entry, "start", self.value_or_claims(period, DCAT.startDate))
            self.put(entry, "end", self.value_or_claims(period, DCAT.endDate))
            out["period"] = self.common(entry, period)
        body = self.g.value(k, C("followUpBody"))
        if body is not None:
            out["follow_up_body"] = self.key(body, "instrument")
        self.put(out, "history", self.history())
        self.put(out, "axes", self.axes())
        return self.common(out, k)

    def axes(self) -> list[dict]:
        out = []
        for axis in self.numbered(list(self.g.subjects(RDF.type, C("Axis"))), f"axis/{self.cid}/"):
            entry: dict = {"label": self.texts(axis, RDFS.label)}
            self.put(entry, "themes", self.concept(axis, C("theme"), "themes"))
            out.append(self.common(entry, axis))
        return out

    def history(self) -> list[dict]:
        out = []
        records = [r for r in self.g.subjects(RDF.type, C("ContractStatusRecord"))]
        for record in self.numbered(records, f"contract-status/{self.cid}/"):
            entry: dict = {}
            self.put(entry, "status", self.concept(record, C("contractStatus"), "contract-statuses")[0])
            self.put(entry, "date", self.literal(record, DCTERMS.date))
            self.put(entry, "description", self.texts(record, DCTERMS.description))
            out.append(self.common(entry, record))
        return out

    def parties(self) -> dict:
        found = []
        for party in self.g.subjects(C("inContract"), self.contract):
            if (party, RDF.type, C("ContractParty")) not in self.g:
                continue
            kind = self.concept(party, C("partyKind"), "actor-kinds")
            out: dict = {"label": self.texts(party, RDFS.label)}
            self.put(out, "kind", kind[0] if kind else None)
            organisation = self.g.value(party, C("organisation"))
            self.put(out, "organisation", self.key(organisation, "organisation") if organisation else None)
            self.put(out, "commitments_known", self.literal(party, C("commitmentsKnown")))
            rank = _KIND_ORDER.index(kind[0]) if kind and kind[0] in _KIND_ORDER else len(_KIND_ORDER)
            found.append((rank, self.key(party, f"party/{self.cid}"), self.common(out, party)))
        return {key: entry for _, key, entry in sorted(found, key=lambda f: f[:2])}

    def signatures(self, party_order: list[str]) -> list[dict]:
        rows = []
        participations = set(self.g.subjects(RDF.type, C("SigningParticipation")))
        for signature in participations | set(self.g.subjects(RDF.type, C("Signature"))):
            party = self.g.value(signature, C("signedFor"))
            party_key = self.key(party, f"party/{self.cid}") if party is not None else None
            rank = party_order.index(party_key) if party_key in party_order else len(party_order)
            rows.append((rank, _natural(str(signature)), signature, party_key))
        out, counts = [], {}
        for _, _, signature, party_key in sorted(rows):
            stem = party_key or "unknown"
            counts[stem] = counts.get(stem, 0) + 1
            local = self.key(signature, f"signature/{self.cid}")
            entry: dict = {}
            if local != f"{stem}-{counts[stem]}":
                entry["id"] = local
            self.put(entry, "party", party_key)
            signatory = self.g.value(signature, C("signatory"))
            self.put(entry, "signatory", self.key(signatory, "person") if signatory else None)
            post = self.g.value(signature, C("signatoryPost"))
            self.put(entry, "post", self.key(post, "post") if post else None)
            capacity = self.value_or_claims(signature, C("capacity"))
            if isinstance(capacity, dict):
                for alternative in capacity["disputed"]:
                    alternative["value"] = self.v.key_of("capacities", alternative["value"])
                entry["capacity"] = capacity
            elif capacity != self.v.concept("capacities", "signatory").iri:
                self.put(entry, "capacity", self.v.key_of("capacities", capacity) if capacity else None)
            self.put(entry, "date", self.value_or_claims(signature, DCTERMS.date))
            out.append(self.common(entry, signature))
        return out

    def commitments(self, party_order: list[str]) -> list[dict]:
        rows = []
        for commitment in self.g.subjects(RDF.type, C("Commitment")):
            party = self.g.value(commitment, C("committedBy"))
            party_key = self.key(party, f"party/{self.cid}") if party is not None else None
            position = self.g.value(commitment, POSITION)
            rank = party_order.index(party_key) if party_key in party_order else len(party_order)
            rows.append(
                (
                    rank,
                    int(position) if position is not None else 0,
                    _natural(str(commitment)),
                    commitment,
                    party_key,
                )
            )
        out, positions = [], {}
        for _, position, _, commitment, party_key in sorted(rows, key=lambda r: r[:3]):
            identifier = self.literal(commitment, DCTERMS.identifier)
            if commitment != URIRef(f"{DATA_BASE}commitment/{self.cid}/{identifier}"):
                raise ExportError(
                    f"{shorten(str(commitment))} does not end with its identifier '{identifier}'"
                )
            entry: dict = {"id": identifier}
            self.put(entry, "party", party_key)
            positions[party_key] = positions.get(party_key, 0) + 1
            if position != positions[party_key]:
                entry["position"] = str(position)
            text = None
            for key, predicate in (("wording", C("wording")), ("paraphrase", C("paraphrase"))):
                text = text or self.literal(commitment, predicate)
                self.put(entry, key, self.literal(commitment, predicate))
            labels = self.texts(commitment, RDFS.label)
            if labels.get("fr") == text:
                labels.pop("fr")
            self.put(entry, "label", labels)
            self.put(entry, "description", self.texts(commitment, DCTERMS.description))
            self.put(entry, "themes", self.concept(commitment, C("theme"), "themes"))
            self.put(entry, "types", self.concept(commitment, C("commitmentType"), "types"))
            sources = self.sources(commitment)
            self.put(entry, "quantities", self.quantities(commitment, identifier, sources))
            self.put(entry, "deadline", self.literal(commitment, C("deadline")))
            self.put(entry, "funding", self.keys(commitment, C("fundingInstrument"), "fund"))
            for key, predicate, _, folder in COMMITMENT_LINKS:
                self.put(entry, key, self.keys(commitment, predicate, folder))
            self.put(entry, "items", self.items(commitment, sources))
            self.put(entry, "status", self.status_records(commitment, identifier))
            out.append(self.common(entry, commitment))
        return out

    def announcements(self) -> list[dict]:
        out = []
        found = [s for s in self.g.subjects(RDF.type, C("Announcement"))]
        for n, a in enumerate(self.numbered(found, f"announcement/{self.cid}/"), start=1):
            entry: dict = {}
            self.put(entry, "date", self.literal(a, DCTERMS.date))
            self.put(entry, "stated_by", self.agent_keys(a, C("statedBy")))
            related = [o for o in self.g.objects(a, C("relatesTo")) if o != self.contract]
            self.put(entry, "relates_to", sorted(self.key(o, f"commitment/{self.cid}") for o in related))
            self.put(entry, "description", self.texts(a, DCTERMS.description))
            sources = self.sources(a)
            self.put(entry, "quantities", self.quantities(a, f"announcement-{n}", sources))
            out.append(self.common(entry, a))
        return out

    def agent_keys(self, subject, predicate) -> list[str]:
        keys = []
        for o in sorted(self.g.objects(subject, predicate)):
            folder = "person" if str(o).startswith(f"{DATA_BASE}person/") else "organisation"
            keys.append(self.key(o, folder))
        return keys

    def numbered(self, subjects, expected: str) -> list:
        ordered = sorted(subjects, key=lambda s: _natural(str(s)))
        for n, subject in enumerate(ordered, start=1):
            if str(subject) != f"{DATA_BASE}{expected}{n}":
                raise ExportError(
                    f"{shorten(str(subject))} should be <{expected}{n}> to be written in the authoring format"
                )
        return ordered

    def quantities(self, commitment, identifier: str, sources: list[str]) -> list[dict]:
        out = []
        for q in self.numbered(
            self.g.objects(commitment, C("targetQuantity")), f"quantity/{self.cid}/{identifier}-"
        ):
            entry = self.figure(q)
            for key, predicate, scheme in (
                ("unit", C("unit"), "units"),
                ("kind", C("quantityKind"), "quantity-kinds"),
                ("basis", C("quantityBasis"), "quantity-bases"),
            ):
                found = self.concept(q, predicate, scheme)
                self.put(entry, key, found[0] if found else None)
            self.put(entry, "deadline", self.value_or_claims(q, C("deadline")))
            self.put(entry, "stated_by", self.agent_keys(q, C("statedBy")))
            for key, predicate in (("part_of", C("partOf")), ("same_target_as", C("sameTargetAs"))):
                self.put(entry, key, self.keys(q, predicate, f"quantity/{self.cid}"))
            baseline = self.g.value(q, C("baseline"))
            if baseline is not None:
                if baseline != URIRef(f"{q}-baseline"):
                    raise ExportError(
                        f"the baseline of {shorten(str(q))} must be <{shorten(str(q))[1:-1]}-baseline>"
                    )
                found = self.figure(baseline)
                self.put(found, "label", self.texts(baseline, RDFS.label))
                found = self.common(found, baseline)
                if found.get("sources") == self.sources(q):
                    found.pop("sources")
                entry["baseline"] = found
            self.put(entry, "label", self.texts(q, RDFS.label))
            self.common(entry, q)
            if entry.get("sources") == sources:
                entry.pop("sources")
            out.append(entry)
        return out

    def figure(self, q) -> dict:
        """value (or its dispute), min, max, qualifier, date: what a target and a baseline share."""
        entry: dict = {}
        self.put(entry, "value", self.value_or_claims(q, VALUE))
        self.put(entry, "min", self.literal(q, MIN_VALUE))
        self.put(entry, "max", self.literal(q, MAX_VALUE))
        qualifier = self.concept(q, C("valueQualifier"), "qualifiers")
        self.put(entry, "qualifier", qualifier[0] if qualifier else None)
        self.put(entry, "date", self.literal(q, DCTERMS.date))
        return entry

    def items(self, commitment, sources: list[str]) -> list[dict]:
        out = []
        items = self.g.subjects(C("itemOf"), commitment)
        for item in self.numbered(
            items, f"commitment/{self.cid}/{self.key(commitment, f'commitment/{self.cid}')}/item-"
        ):
            entry = {"label": self.texts(item, RDFS.label)}
            item_sources = self.sources(item)
            if item_sources != sources:
                entry["sources"] = item_sources
            out.append(entry)
        return out

    def status_records(self, commitment, identifier: str) -> list[dict]:
        out = []
        records = self.g.subjects(C("statusOf"), commitment)
        for record in self.numbered(records, f"status-record/{self.cid}/{identifier}-"):
            entry: dict = {}
            self.put(entry, "status", self.concept(record, C("status"), "statuses")[0])
            self.put(entry, "date", self.literal(record, DCTERMS.date))
            self.put(entry, "instruments", self.keys(record, C("concernsInstrument"), "instrument"))
            self.put(entry, "description", self.texts(record, DCTERMS.description))
            out.append(self.common(entry, record))
        return out

    def described(self, rdf_type, folder: str, build, subclasses: bool = False) -> dict:
        types = {rdf_type}
        if subclasses:
            types |= {URIRef(k.iri) for k in self.v.instrument_kinds.values()}
        subjects = {s for t in types for s in self.g.subjects(RDF.type, t)}
        return {self.key(s, folder): build(s) for s in sorted(subjects, key=lambda s: _natural(str(s)))}

    def instrument(self, s) -> dict:
        kinds = {str(t) for t in self.g.objects(s, RDF.type)}
        kind = next(k.key for k in self.v.instrument_kinds.values() if k.iri in kinds)
        out: dict = {"kind": kind, "label": self.texts(s, RDFS.label)}
        self.put(out, "description", self.texts(s, DCTERMS.description))
        place = self.g.value(s, DCTERMS.spatial)
        self.put(out, "territory", self.key(place, "territory") if place else None)
        return self.common(out, s)

    def organisation(self, s) -> dict:
        out: dict = {"label": self.texts(s, RDFS.label)}
        kind = self.concept(s, ORG.classification, "actor-kinds")
        self.put(out, "kind", kind[0] if kind else None)
        place = self.g.value(s, DCTERMS.spatial)
        self.put(out, "territory", self.key(place, "territory") if place else None)
        return self.common(out, s)

    def post(self, s) -> dict:
        out: dict = {"label": self.texts(s, RDFS.label)}
        organisation = self.g.value(s, ORG.postIn)
        self.put(out, "organisation", self.key(organisation, "organisation") if organisation else None)
        role = self.concept(s, ORG.role, "roles")
        self.put(out, "role", role[0] if role else None)
        return self.common(out, s)

    def person(self, s) -> dict:
        out: dict = {}
        self.put(out, "name", self.value_or_claims(s, FOAF.name))
        self.put(out, "given_name", self.literal(s, FOAF.givenName))
        self.put(out, "family_name", self.literal(s, FOAF.familyName))
        return self.common(out, s)

    def territories(self) -> dict:
        kinds = {URIRef(k.iri): k.key for k in self.v.territory_kinds.values()}
        subjects = {s for t in kinds for s in self.g.subjects(RDF.type, t)}
        out = {}
        for s in sorted(subjects, key=lambda s: _natural(str(s))):
            types = set(self.g.objects(s, RDF.type))
            kind = next(kinds[t] for t in sorted(types, key=str) if t in kinds)
            entry: dict = {"kind": kind, "name": self.texts(s, RDFS.label)}
            entry.update(self.official_lookup(s, kind, entry["name"].get("fr", "")))
            self.put(entry, "within", self.keys(s, WITHIN, "territory"))
            out[self.key(s, "territory")] = self.common(entry, s)
        return out

    def official_lookup(self, iri, kind: str, name: str) -> dict:
        """``departement:`` or ``official_name:`` when the name alone would not find this official record."""
        from csi_graph.territories import KINDS, resolve

        index = self.v.territories
        if kind not in KINDS or index is None:
            return {}
        found, _ = resolve(index, kind, name)
        if found is not None and found.iri == str(iri):
            return {}
        official = next((o for found in index.by_name.values() for o in found if o.iri == str(iri)), None)
        if official is None:
            return {}
        found, _ = resolve(index, kind, name, official.departement)
        if official.departement and found is not None and found.iri == str(iri):
            return {"departement": official.departement}
        return {"official_name": official.name}

    def sorted_sources(self) -> list:
        return sorted(self.g.subjects(RDF.type, C("Source")), key=lambda s: self.source_keys[str(s)])

    def source(self, s) -> dict:
        out: dict = {"url": str(s), "label": self.texts(s, RDFS.label)}
        self.put(out, "publisher", self.literal(s, C("publisherName")))
        self.put(out, "issued", self.literal(s, DCTERMS.issued))
        grade = self.g.value(s, C("reliability"))
        concept = (
            self.v.concept("reliability", self.v.key_of("reliability", str(grade)) or "") if grade else None
        )
        self.put(out, "reliability", concept.notation if concept else None)
        self.put(out, "read_on", self.literal(s, C("readOn")))
        self.put(out, "comment", self.texts(s, RDFS.comment))
        return out


def _source_keys(urls: list[str]) -> dict[str, str]:
    """Short, readable keys for sources: the site's name, numbered when a site gives several."""
    names = {}
    for url in urls:
        labels = [p for p in urlsplit(url).hostname.split(".") if p != "www"][:-1] or ["source"]
        names[url] = next((p for p in labels if len(p) > 3), labels[0])
    keys, counts = {}, {}
    for url in urls:
        name = names[url]
        if list(names.values()).count(name) == 1:
            keys[url] = name
        else:
            counts[name] = counts.get(name, 0) + 1
            keys[url] = f"{name}-{counts[name]}"
    return keys


def _natural(text: str) -> list:
    # Digits compare as numbers, by length then value, without int(): no limit on their count.
    return [(len(p.lstrip("0")), p.lstrip("0")) if p.isdigit() else p for p in re.split(r"(\d+)", text)]
