"""Mutation test: corrupt one fact of Chambéry's real data at a time and count what SHACL catches.

A mutant is "caught" when validation reports a violation or a warning (information
results do not count). Kinds that SHACL cannot catch by design — a wrong but plausible
value — are listed too, and the test checks that they are indeed *not* caught, so the
README's list of blind spots stays true. Run ``pytest tests/test_mutations.py -s -n 0`` to see
the score table.

Each mutant is validated by the fast engine (SPARQL on Oxigraph); in CI (tests marked slow,
see ``conftest.py``) each is also validated by pySHACL, the reference, which must report
exactly the same results — one test per mutant, so they spread over the workers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from conftest import ROOT
from counterexamples import PROLOGUE, add, drop, replace
from engines import validate_both

from csi_graph.loader import load
from csi_graph.validation import validate

GRAPH = "https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl"
# Chambéry's INSEE code lives in the generated reference file, with every official territory.
TERRITORIES = "https://w3id.org/csi-graph/graph/data/reference/territories.ttl"
CHAMBERY = ROOT / "data" / "contracts" / "chambery-2021.ttl"
K = "<contract/chambery-2021>"
PERIOD = "<period/chambery-2021>"
STATE = "<party/chambery-2021/state>"
CITY = "<party/chambery-2021/city>"
C = "<commitment/chambery-2021/state-01>"
C2 = "<commitment/chambery-2021/state-02>"
Q = "<quantity/chambery-2021/state-01-1>"
SIG = "<signature/chambery-2021/state-1>"
REC = "<status-record/chambery-2021/city-06-1>"
PERSON = "<person/pascal-bolot>"
POST = "<post/prefet/73>"
COMMUNE = "<territory/commune/73065>"
SRC = "<https://www.chambery.fr/444-conseil-local-de-securite-et-de-prevention-de-la-delinquance-et-de-la-radicalisation.htm>"
OTHER = (
    "<contract/elsewhere-2022> a csi:IntegratedSecurityContract . "
    "<party/elsewhere-2022/city> a csi:ContractParty ; csi:inContract <contract/elsewhere-2022> ."
)


@dataclass(frozen=True)
class Mutant:
    kind: str
    name: str
    update: str
    catchable: bool = True
    graph: str = GRAPH


REQUIRED = [
    (K, "dct:title"),
    (K, "dct:identifier"),
    (K, "csi:contractStatus"),
    (K, "prov:wasDerivedFrom"),
    (STATE, "csi:partyKind"),
    (STATE, "csi:organisation"),
    (C, "csi:committedBy"),
    (C, "csi:theme"),
    (C, "csi:commitmentType"),
    (C, "csi:wording"),
    (C, "csi:inContract"),
    (C, "dct:identifier"),
    (C, "rdfs:label"),
    (SIG, "csi:inContract"),
    (REC, "dct:date"),
    (REC, "csi:status"),
    (REC, "csi:statusOf"),
    (Q, "schema:value"),
    (Q, "csi:unit"),
    (Q, "csi:quantityKind"),
    (SRC, "csi:reliability"),
    (SRC, "csi:readOn"),
    (PERSON, "foaf:name"),
    (POST, "org:postIn"),
    (POST, "org:role"),
]

MUTANTS = [
    *(Mutant("drop a required property", f"drop {node} {prop}", drop(node, prop)) for node, prop in REQUIRED),
    Mutant(
        "drop a required property",
        f"drop {COMMUNE} igeo:codeINSEE",
        drop(COMMUNE, "igeo:codeINSEE"),
        graph=TERRITORIES,
    ),
    Mutant(
        "commitment by a non-party",
        "party is an organisation",
        replace(C, "csi:committedBy", "<organisation/prefecture/73>"),
    ),
    Mutant(
        "commitment by a non-party",
        "party of another contract",
        add(OTHER) + ";" + replace(C, "csi:committedBy", "<party/elsewhere-2022/city>"),
    ),
    Mutant(
        "commitment by a non-party",
        "signature for a party of another contract",
        add(OTHER) + ";" + replace(SIG, "csi:signedFor", "<party/elsewhere-2022/city>"),
    ),
    Mutant(
        "two committing parties", "state-01 also committed by the city", add(f"{C} csi:committedBy {CITY} .")
    ),
    Mutant(
        "dates in the wrong order",
        "swap signature and end dates",
        replace(SIG, "dct:date", '"2026"^^xsd:gYear')
        + ";"
        + replace(PERIOD, "dcat:endDate", '"2021-09-22"^^xsd:date'),
    ),
    Mutant(
        "dates in the wrong order",
        "signed before its legal basis",
        replace(SIG, "dct:date", '"2021-03-01"^^xsd:date'),
    ),
    Mutant(
        "dates in the wrong order", "end before start", replace(PERIOD, "dcat:endDate", '"2020"^^xsd:gYear')
    ),
    Mutant(
        "dates in the wrong order",
        "status dated before signature",
        replace(REC, "dct:date", '"2020-01-01"^^xsd:date'),
    ),
    Mutant("wrong datatype", "quantity as text", replace(Q, "schema:value", '"10"')),
    Mutant("wrong datatype", "signature date in French format", replace(SIG, "dct:date", '"22/09/2021"')),
    Mutant("wrong datatype", "date read as a year", replace(SRC, "csi:readOn", '"2026"^^xsd:gYear')),
    Mutant("wrong datatype", "position as text", replace(C, "schema:position", '"1"')),
    Mutant("unknown theme", "undeclared theme", replace(C, "csi:theme", "theme:video-surveillance")),
    Mutant(
        "unknown theme",
        "a commitment type used as theme",
        replace(C, "csi:theme", "<https://w3id.org/csi-graph/commitment-type/staffing>"),
    ),
    Mutant("negative quantity", "-10 posts", replace(Q, "schema:value", "-10")),
    Mutant("missing source", "commitment without source", drop(C, "prov:wasDerivedFrom")),
    Mutant("missing source", "status record without source", drop(REC, "prov:wasDerivedFrom")),
    Mutant(
        "missing source",
        "source not described",
        replace(C, "prov:wasDerivedFrom", "<https://example.org/nowhere>"),
    ),
    Mutant(
        "unknown status",
        "status outside the scheme",
        replace(REC, "csi:status", "<https://w3id.org/csi-graph/status/done>"),
    ),
    Mutant(
        "wrong language", "wording tagged English", replace(C, "csi:wording", '"Création de 10 postes"@en')
    ),
    Mutant(
        "wrong language",
        "English label removed",
        f'DELETE {{ {C} rdfs:label ?l }} WHERE {{ {C} rdfs:label ?l FILTER(lang(?l) = "en") }}',
    ),
    Mutant(
        "malformed identifier",
        "INSEE code of four digits",
        replace(COMMUNE, "igeo:codeINSEE", '"7306"'),
        graph=TERRITORIES,
    ),
    Mutant(
        "malformed identifier",
        "SIREN of eight digits",
        replace(COMMUNE, "csi:siren", '"21730065"'),
        graph=TERRITORIES,
    ),
    Mutant(
        "malformed identifier", "duplicate commitment identifier", replace(C2, "dct:identifier", '"state-01"')
    ),
    Mutant(
        "anonymous resource",
        "quantity as a blank node",
        drop(C, "csi:targetQuantity")
        + ";"
        + add(
            f"{C} csi:targetQuantity _:q . _:q a csi:Quantity ; schema:value 10 ; csi:unit unit:post ; "
            f"csi:quantityKind qkind:national-police-staff ; prov:wasDerivedFrom {SRC} ."
        ),
    ),
    Mutant(
        "misspelt property",
        "csi:committedBy written csi:comittedBy",
        f"DELETE {{ {C} csi:committedBy ?p }} INSERT {{ {C} csi:comittedBy ?p }} WHERE {{ {C} csi:committedBy ?p }}",
    ),
    # Blind spots: plausible but wrong values that no shape can tell from right ones.
    Mutant(
        "plausible wrong value",
        "commitment given to the other party",
        replace(C, "csi:committedBy", CITY),
        False,
    ),
    Mutant("plausible wrong value", "10 posts become 11", replace(Q, "schema:value", "11"), False),
    Mutant(
        "plausible wrong value",
        "wording altered",
        replace(C, "csi:wording", '"Création de 12 postes de fonctionnaires de la police nationale"@fr'),
        False,
    ),
    Mutant(
        "plausible wrong value",
        "signature a day later",
        replace(SIG, "dct:date", '"2021-09-23"^^xsd:date'),
        False,
    ),
    Mutant(
        "plausible wrong value",
        "another valid theme",
        replace(C, "csi:theme", "theme:video-protection"),
        False,
    ),
    Mutant(
        "plausible wrong value",
        "another described source",
        replace(
            C,
            "prov:wasDerivedFrom",
            "<https://mannecy.fr/news/locales/70971/un-contrat-de-securite-integree-a-chambery>",
        ),
        False,
    ),
]


def mutated(mutant: Mutant):
    # Chambéry's file alone (with the ontology and reference data): the other contracts
    # would only make each of these validations slower.
    dataset = load([CHAMBERY], contracts=False)
    dataset.update(mutant.graph, PROLOGUE + mutant.update)
    return dataset


def caught(mutant: Mutant) -> bool:
    counts = validate(mutated(mutant), engine="sparql").counts
    return counts["Violation"] + counts["Warning"] > 0


@pytest.fixture(scope="module")
def outcomes() -> dict[Mutant, bool]:
    return {mutant: caught(mutant) for mutant in MUTANTS}


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_both_engines_report_the_same_on_each_mutant(mutant):
    counts = validate_both(mutated(mutant)).counts
    assert (counts["Violation"] + counts["Warning"] > 0) == mutant.catchable


@pytest.mark.slow  # every mutant validated: 12 s of CPU; the counter-examples cover each shape locally
def test_mutation_score(outcomes):
    by_kind: dict[str, Counter] = {}
    for mutant, was_caught in outcomes.items():
        by_kind.setdefault(mutant.kind, Counter())["caught" if was_caught else "missed"] += 1
    catchable = [m for m in MUTANTS if m.catchable]
    score = sum(outcomes[m] for m in catchable)
    print(f"\nMutation score: {score}/{len(catchable)} corruptions caught by SHACL")
    for kind, counter in by_kind.items():
        print(f"  {kind:<28} caught {counter['caught']:>2}  missed {counter['missed']:>2}")
    missed = [m.name for m in catchable if not outcomes[m]]
    assert missed == [], f"SHACL misses: {missed}"


@pytest.mark.slow
def test_blind_spots_are_as_documented(outcomes):
    unexpectedly_caught = [m.name for m in MUTANTS if not m.catchable and outcomes[m]]
    assert unexpectedly_caught == [], "update the README's list of blind spots"


def test_unmutated_data_is_clean():
    assert not caught(Mutant("none", "no change", "INSERT DATA {}"))
