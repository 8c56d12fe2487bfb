"""Counter-examples: the synthetic fixture broken one rule at a time.

Each entry is a SPARQL Update applied to ``fixtures/synthetic-contract.ttl`` (a valid,
invented contract) and the shape, path and severity SHACL must report. The test suite
also checks that every shape with a message has at least one counter-example here.
"""

from __future__ import annotations

from dataclasses import dataclass

PROLOGUE = """
BASE <https://w3id.org/csi-graph/id/>
PREFIX csi: <https://w3id.org/csi-graph/ontology#>
PREFIX theme: <https://w3id.org/csi-graph/theme/>
PREFIX ctype: <https://w3id.org/csi-graph/commitment-type/>
PREFIX rel: <https://w3id.org/csi-graph/reliability/>
PREFIX status: <https://w3id.org/csi-graph/status/>
PREFIX unit: <https://w3id.org/csi-graph/unit/>
PREFIX qkind: <https://w3id.org/csi-graph/quantity-kind/>
PREFIX actor: <https://w3id.org/csi-graph/actor-kind/>
PREFIX cstatus: <https://w3id.org/csi-graph/contract-status/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX schema: <http://schema.org/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
"""

K = "<contract/testville-2030>"
STATE = "<party/testville-2030/state>"
CITY = "<party/testville-2030/city>"
SIG = "<signature/testville-2030/state-1>"
C1 = "<commitment/testville-2030/state-01>"
C2 = "<commitment/testville-2030/city-01>"
ITEM = "<commitment/testville-2030/city-01/item-1>"
Q = "<quantity/testville-2030/state-01-1>"
REC = "<status-record/testville-2030/city-01-1>"
BODY = "<instrument/testville/council>"
PLAN = "<instrument/testville/plan>"
ORG = "<organisation/commune/99001>"
POST = "<post/maire/99001>"
PERSON = "<person/alice-exemple>"
COMMUNE = "<territory/commune/99001>"
DEP = "<territory/departement/99>"
SRC = "<https://example.org/testville/announcement>"
SRC2 = "<https://example.org/testville/follow-up>"
ANN = "<announcement/testville-2030/1>"
QA = "<quantity/testville-2030/announcement-1-1>"
CLAIM = "<claim/testville-2030/signature-state-1-date-1>"
CLAIM2 = "<claim/testville-2030/signature-state-1-date-2>"
# The signature's date disputed by two sourced claims instead of stated: valid as it is.
CLAIMS = (
    f"DELETE WHERE {{ {SIG} dct:date ?o }} ; INSERT DATA {{ "
    f'{CLAIM} a csi:Claim ; rdf:subject {SIG} ; rdf:predicate dct:date ; rdf:object "2030-03-15"^^xsd:date ; '
    f"prov:wasDerivedFrom {SRC} . "
    f'{CLAIM2} a csi:Claim ; rdf:subject {SIG} ; rdf:predicate dct:date ; rdf:object "2030-03-16"^^xsd:date ; '
    f"prov:wasDerivedFrom {SRC2} . }}"
)
HIST = "<contract-status/testville-2030/1>"
AXIS = "<axis/testville-2030/1>"
NOTE = "<commitment/testville-2030/state-01/note-1>"
POP = "<population/commune/99001/2029>"
# A register entry that knows only a title, a state and a source: valid, with information results.
MINIMAL = (
    '<contract/minimal-2031> a csi:IntegratedSecurityContract ; dct:identifier "minimal-2031" ; '
    'dct:title "Contrat annoncé (fictif)"@fr ; csi:contractStatus cstatus:announced ; '
    "prov:wasDerivedFrom <https://example.org/testville/announcement> . "
)
OTHER = (
    "<contract/otherville-2031> a csi:IntegratedSecurityContract . "
    "<party/otherville-2031/city> a csi:ContractParty ; csi:inContract <contract/otherville-2031> ."
)


def drop(node: str, prop: str) -> str:
    return f"DELETE WHERE {{ {node} {prop} ?o }}"


def replace(node: str, prop: str, value: str) -> str:
    return f"DELETE {{ {node} {prop} ?o }} INSERT {{ {node} {prop} {value} }} WHERE {{ {node} {prop} ?o }}"


def add(triples: str) -> str:
    return f"INSERT DATA {{ {triples} }}"


def remove_resource(node: str) -> str:
    return f"DELETE WHERE {{ {node} ?p ?o }}"


@dataclass(frozen=True)
class CounterExample:
    name: str
    update: str
    shape: str
    path: str | None
    severity: str = "Violation"


def V(name: str, update: str, shape: str, path: str | None) -> CounterExample:
    return CounterExample(name, update, shape, path, "Violation")


def W(name: str, update: str, shape: str, path: str | None) -> CounterExample:
    return CounterExample(name, update, shape, path, "Warning")


def I(name: str, update: str, shape: str, path: str | None) -> CounterExample:  # noqa: E743
    return CounterExample(name, update, shape, path, "Info")


COUNTER_EXAMPLES: list[CounterExample] = [
    # Named resources
    V(
        "blank-node-quantity",
        drop(C1, "csi:targetQuantity")
        + ";"
        + add(
            f"{C1} csi:targetQuantity _:q . _:q a csi:Quantity ; schema:value 1 ; csi:unit unit:post ; "
            f"csi:quantityKind qkind:national-police-staff ; prov:wasDerivedFrom {SRC} ."
        ),
        "csish:NamedResourceShape",
        None,
    ),
    # Contract
    V(
        "contract-identifier-pattern",
        replace(K, "dct:identifier", '"Testville 2030"'),
        "csish:Contract-identifier",
        "dct:identifier",
    ),
    V(
        "contract-no-french-title",
        f'DELETE DATA {{ {K} dct:title "Contrat de sécurité intégrée de Testville (fictif)"@fr }}',
        "csish:Contract-title",
        "dct:title",
    ),
    V(
        "contract-status-wrong-scheme",
        replace(K, "csi:contractStatus", "theme:justice"),
        "csish:Contract-status",
        "csi:contractStatus",
    ),
    V(
        "contract-unknown-legal-basis",
        replace(K, "csi:legalBasis", "<legal/unknown>"),
        "csish:Contract-legalBasis",
        "csi:legalBasis",
    ),
    V(
        "contract-territory-not-a-territory",
        replace(K, "csi:territory", PLAN),
        "csish:Contract-territory",
        "csi:territory",
    ),
    I(
        "contract-no-territory",
        drop(K, "csi:territory"),
        "csish:Contract-territoryRecommended",
        "csi:territory",
    ),
    V(
        "contract-partner-not-an-organisation",
        add(f"{K} csi:partner {PLAN} ."),
        "csish:Contract-partner",
        "csi:partner",
    ),
    V(
        "contract-two-periods",
        add(f"{K} dct:temporal <period/extra> . <period/extra> a dct:PeriodOfTime ."),
        "csish:Contract-period",
        "dct:temporal",
    ),
    V(
        "contract-follow-up-not-a-body",
        replace(K, "csi:followUpBody", PLAN),
        "csish:Contract-followUpBody",
        "csi:followUpBody",
    ),
    I("contract-one-party", add(MINIMAL), "csish:Contract-parties", "^csi:inContract"),
    I("contract-no-commitment", add(MINIMAL), "csish:Contract-commitmentsRecommended", None),
    V("contract-rank-zero", add(f"{K} csi:rank 0 ."), "csish:Contract-rank", "csi:rank"),
    V("contract-renews-a-party", add(f"{K} csi:renews {STATE} ."), "csish:Contract-renews", "csi:renews"),
    V(
        "commitments-known-as-text",
        add(f'{K} csi:commitmentsKnown "no" .'),
        "csish:Contract-commitmentsKnown",
        "csi:commitmentsKnown",
    ),
    W(
        "contract-state-not-in-its-history",
        replace(K, "csi:contractStatus", "cstatus:refused"),
        "csish:Contract-stateInHistory",
        None,
    ),
    V(
        "history-without-contract",
        drop(HIST, "csi:inContract"),
        "csish:ContractStatus-contract",
        "csi:inContract",
    ),
    V(
        "history-state-wrong-scheme",
        replace(HIST, "csi:contractStatus", "status:realised"),
        "csish:ContractStatus-status",
        "csi:contractStatus",
    ),
    V("history-without-date", drop(HIST, "dct:date"), "csish:ContractStatus-date", "dct:date"),
    V(
        "history-without-source",
        drop(HIST, "prov:wasDerivedFrom"),
        "csish:ContractStatus-source",
        "prov:wasDerivedFrom",
    ),
    V("contract-no-source", drop(K, "prov:wasDerivedFrom"), "csish:Contract-source", "prov:wasDerivedFrom"),
    I(
        "signed-contract-without-signature",
        remove_resource(SIG) + ";" + remove_resource("<signature/testville-2030/city-1>"),
        "csish:ContractSignaturesShape",
        None,
    ),
    V(
        "period-starts-after-end",
        replace("<period/testville-2030>", "dcat:startDate", '"2033-01-01"^^xsd:date'),
        "csish:Contract-periodOrder",
        None,
    ),
    V(
        "signed-after-end",
        replace(SIG, "dct:date", '"2033-05-01"^^xsd:date'),
        "csish:Contract-signedAfterEnd",
        None,
    ),
    V(
        "signed-before-its-legal-basis",
        replace(SIG, "dct:date", '"2021-03-01"^^xsd:date'),
        "csish:Contract-legalBasisAfterSignature",
        None,
    ),
    V(
        "duplicate-commitment-identifier",
        replace(C2, "dct:identifier", '"state-01"'),
        "csish:Contract-uniqueIdentifiers",
        None,
    ),
    V(
        "period-start-not-a-date",
        replace("<period/testville-2030>", "dcat:startDate", '"15/03/2030"'),
        "csish:Period-start",
        "dcat:startDate",
    ),
    V(
        "period-end-plain-string",
        replace("<period/testville-2030>", "dcat:endDate", '"2032"'),
        "csish:Period-end",
        "dcat:endDate",
    ),
    V(
        "signature-only-present",
        replace(SIG, "csi:capacity", "<https://w3id.org/csi-graph/signature-capacity/present>"),
        "csish:Signature-signed",
        "csi:capacity",
    ),
    V(
        "signature-capacity-wrong-scheme",
        replace(SIG, "csi:capacity", "status:realised"),
        "csish:Signature-capacity",
        "csi:capacity",
    ),
    # Figures: values, ranges, qualifiers, baselines, relations
    V("figure-without-value", drop(Q, "schema:value"), "csish:QuantityFigureShape", None),
    V(
        "range-upside-down",
        drop(Q, "schema:value") + ";" + add(f"{Q} schema:minValue 9 ; schema:maxValue 5 ."),
        "csish:Quantity-rangeOrder",
        None,
    ),
    V("range-min-as-text", add(f'{Q} schema:minValue "5" .'), "csish:Quantity-min", "schema:minValue"),
    V("range-max-negative", add(f"{Q} schema:maxValue -1 ."), "csish:Quantity-max", "schema:maxValue"),
    V(
        "relative-change-in-posts",
        add(f"{Q} csi:quantityBasis <https://w3id.org/csi-graph/quantity-basis/relative> ."),
        "csish:QuantityRelativeShape",
        None,
    ),
    V(
        "qualifier-wrong-scheme",
        add(f"{Q} csi:valueQualifier unit:post ."),
        "csish:Quantity-qualifier",
        "csi:valueQualifier",
    ),
    V("baseline-not-a-figure", add(f"{Q} csi:baseline {PLAN} ."), "csish:Quantity-baseline", "csi:baseline"),
    V(
        "part-of-and-same-target",
        add(f"{Q} csi:partOf {QA} ; csi:sameTargetAs {QA} ."),
        "csish:Quantity-partOf",
        "csi:partOf",
    ),
    V(
        "same-target-not-a-figure",
        add(f"{Q} csi:sameTargetAs {PLAN} ."),
        "csish:Quantity-sameTarget",
        "csi:sameTargetAs",
    ),
    V(
        "figure-stated-by-a-plan",
        add(f"{Q} csi:statedBy {PLAN} ."),
        "csish:Quantity-statedBy",
        "csi:statedBy",
    ),
    V("figure-date-as-text", add(f'{Q} dct:date "2030" .'), "csish:Quantity-date", "dct:date"),
    # Notes
    V("note-on-two-resources", add(f"{NOTE} csi:noteOn {K} ."), "csish:Note-on", "csi:noteOn"),
    V("note-without-text", drop(NOTE, "dct:description"), "csish:Note-text", "dct:description"),
    V("note-date-as-text", replace(NOTE, "dct:date", '"2031"'), "csish:Note-date", "dct:date"),
    V("note-without-source", drop(NOTE, "prov:wasDerivedFrom"), "csish:Note-source", "prov:wasDerivedFrom"),
    # Stated axes
    V("axis-without-contract", drop(AXIS, "csi:inContract"), "csish:Axis-contract", "csi:inContract"),
    V("axis-without-label", drop(AXIS, "rdfs:label"), "csish:Axis-label", "rdfs:label"),
    V(
        "axis-theme-wrong-scheme",
        replace(AXIS, "csi:theme", "ctype:staffing"),
        "csish:Axis-theme",
        "csi:theme",
    ),
    V("axis-position-zero", replace(AXIS, "schema:position", "0"), "csish:Axis-position", "schema:position"),
    V("axis-without-source", drop(AXIS, "prov:wasDerivedFrom"), "csish:Axis-source", "prov:wasDerivedFrom"),
    # Announcements
    V(
        "announcement-about-no-contract",
        f"DELETE DATA {{ {ANN} csi:relatesTo {K} }}",
        "csish:Announcement-contract",
        "csi:relatesTo",
    ),
    V(
        "announcement-about-a-party",
        add(f"{ANN} csi:relatesTo {STATE} ."),
        "csish:Announcement-commitment",
        "csi:relatesTo",
    ),
    V(
        "announcement-date-as-text",
        replace(ANN, "dct:date", '"juin 2030"'),
        "csish:Announcement-date",
        "dct:date",
    ),
    V(
        "announcement-without-description",
        drop(ANN, "dct:description"),
        "csish:Announcement-description",
        "dct:description",
    ),
    V(
        "announcement-stated-by-a-territory",
        replace(ANN, "csi:statedBy", COMMUNE),
        "csish:Announcement-statedBy",
        "csi:statedBy",
    ),
    V(
        "announcement-figure-not-a-quantity",
        replace(ANN, "csi:targetQuantity", PLAN),
        "csish:Announcement-quantity",
        "csi:targetQuantity",
    ),
    V(
        "announcement-without-source",
        drop(ANN, "prov:wasDerivedFrom"),
        "csish:Announcement-source",
        "prov:wasDerivedFrom",
    ),
    # Parties
    V("party-without-contract", drop(STATE, "csi:inContract"), "csish:Party-contract", "csi:inContract"),
    V(
        "party-kind-wrong-scheme",
        replace(STATE, "csi:partyKind", "theme:justice"),
        "csish:Party-kind",
        "csi:partyKind",
    ),
    V(
        "party-without-organisation",
        drop(STATE, "csi:organisation"),
        "csish:Party-organisation",
        "csi:organisation",
    ),
    V(
        "party-without-french-label",
        f'DELETE DATA {{ {STATE} rdfs:label "État"@fr }}',
        "csish:Party-label",
        "rdfs:label",
    ),
    V(
        "party-without-source",
        drop(STATE, "prov:wasDerivedFrom"),
        "csish:Party-source",
        "prov:wasDerivedFrom",
    ),
    # Signatures
    V(
        "signature-without-contract",
        drop(SIG, "csi:inContract"),
        "csish:Signature-contract",
        "csi:inContract",
    ),
    V(
        "signature-for-an-organisation",
        replace(SIG, "csi:signedFor", "<organisation/prefecture/99>"),
        "csish:Signature-party",
        "csi:signedFor",
    ),
    V(
        "signature-for-party-of-other-contract",
        add(OTHER) + ";" + replace(SIG, "csi:signedFor", "<party/otherville-2031/city>"),
        "csish:SignaturePartyShape",
        None,
    ),
    V(
        "signatory-not-a-person",
        replace(SIG, "csi:signatory", POST),
        "csish:Signature-signatory",
        "csi:signatory",
    ),
    V(
        "signatory-post-not-a-post",
        replace(SIG, "csi:signatoryPost", PERSON),
        "csish:Signature-post",
        "csi:signatoryPost",
    ),
    V("signature-date-untyped", replace(SIG, "dct:date", '"2030-03-15"'), "csish:Signature-date", "dct:date"),
    V(
        "signature-without-source",
        drop(SIG, "prov:wasDerivedFrom"),
        "csish:Signature-source",
        "prov:wasDerivedFrom",
    ),
    # Commitments
    V(
        "commitment-without-identifier",
        drop(C1, "dct:identifier"),
        "csish:Commitment-identifier",
        "dct:identifier",
    ),
    V(
        "commitment-in-unknown-contract",
        replace(C1, "csi:inContract", "<contract/nowhere>"),
        "csish:Commitment-contract",
        "csi:inContract",
    ),
    V("commitment-without-party", drop(C1, "csi:committedBy"), "csish:Commitment-party", "csi:committedBy"),
    V(
        "commitment-two-parties",
        add(f"{C1} csi:committedBy {CITY} ."),
        "csish:Commitment-party",
        "csi:committedBy",
    ),
    V(
        "commitment-by-party-of-other-contract",
        add(OTHER) + ";" + replace(C1, "csi:committedBy", "<party/otherville-2031/city>"),
        "csish:CommitmentPartyShape",
        None,
    ),
    V(
        "commitment-wording-in-english",
        replace(C1, "csi:wording", '"Five national police posts"@en'),
        "csish:Commitment-wording",
        "csi:wording",
    ),
    V(
        "commitment-without-french-label",
        f'DELETE DATA {{ {C1} rdfs:label "Création de 5 postes de policiers nationaux (fictif)"@fr }}',
        "csish:Commitment-labelFr",
        "rdfs:label",
    ),
    V(
        "commitment-paraphrase-in-english",
        drop(C1, "csi:wording")
        + ";"
        + add(f'{C1} csi:paraphrase "Five national police posts (fictional)"@en .'),
        "csish:Commitment-paraphrase",
        "csi:paraphrase",
    ),
    V("commitment-without-text", drop(C1, "csi:wording"), "csish:CommitmentTextShape", None),
    V(
        "commitment-wording-and-paraphrase",
        add(f'{C1} csi:paraphrase "Cinq postes de policiers nationaux (fictif)"@fr .'),
        "csish:CommitmentTextShape",
        None,
    ),
    V(
        "commitment-without-english-label",
        f'DELETE DATA {{ {C1} rdfs:label "Creation of 5 national police posts (fictional)"@en }}',
        "csish:Commitment-labelEn",
        "rdfs:label",
    ),
    V(
        "commitment-unknown-theme",
        replace(C1, "csi:theme", "theme:videoprotection"),
        "csish:Commitment-theme",
        "csi:theme",
    ),
    V(
        "commitment-type-wrong-scheme",
        replace(C1, "csi:commitmentType", "theme:justice"),
        "csish:Commitment-type",
        "csi:commitmentType",
    ),
    V(
        "commitment-undescribed-quantity",
        replace(C1, "csi:targetQuantity", "<quantity/none>"),
        "csish:Commitment-quantity",
        "csi:targetQuantity",
    ),
    V(
        "commitment-territory-not-a-territory",
        replace(C2, "csi:targetTerritory", ORG),
        "csish:Commitment-targetTerritory",
        "csi:targetTerritory",
    ),
    V(
        "commitment-unknown-fund",
        replace(C1, "csi:fundingInstrument", "<fund/unknown>"),
        "csish:Commitment-funding",
        "csi:fundingInstrument",
    ),
    V(
        "commitment-beneficiary-person",
        replace(C1, "csi:beneficiary", PERSON),
        "csish:Commitment-beneficiary",
        "csi:beneficiary",
    ),
    V(
        "commitment-creates-person",
        replace(C2, "csi:creates", PERSON),
        "csish:Commitment-creates",
        "csi:creates",
    ),
    V(
        "commitment-maintains-person",
        replace(C2, "csi:maintains", PERSON),
        "csish:Commitment-maintains",
        "csi:maintains",
    ),
    V(
        "commitment-updates-person",
        replace(C2, "csi:updates", PERSON),
        "csish:Commitment-updates",
        "csi:updates",
    ),
    V(
        "commitment-deadline-text",
        replace(C1, "csi:deadline", '"next year"'),
        "csish:Commitment-deadline",
        "csi:deadline",
    ),
    V(
        "commitment-position-zero",
        replace(C1, "schema:position", "0"),
        "csish:Commitment-position",
        "schema:position",
    ),
    V(
        "commitment-without-source",
        drop(C1, "prov:wasDerivedFrom"),
        "csish:Commitment-source",
        "prov:wasDerivedFrom",
    ),
    V(
        "commitment-undescribed-source",
        replace(C1, "prov:wasDerivedFrom", "<https://example.org/unknown>"),
        "csish:Commitment-source",
        "prov:wasDerivedFrom",
    ),
    # Commitment items
    V("item-of-nothing", drop(ITEM, "csi:itemOf"), "csish:Item-of", "csi:itemOf"),
    V(
        "item-without-french-label",
        f'DELETE DATA {{ {ITEM} rdfs:label "réunions trimestrielles (fictif)"@fr }}',
        "csish:Item-label",
        "rdfs:label",
    ),
    V("item-without-source", drop(ITEM, "prov:wasDerivedFrom"), "csish:Item-source", "prov:wasDerivedFrom"),
    # Quantities
    V("quantity-negative", replace(Q, "schema:value", "-5"), "csish:Quantity-value", "schema:value"),
    V("quantity-value-text", replace(Q, "schema:value", '"five"'), "csish:Quantity-value", "schema:value"),
    V(
        "quantity-unit-wrong-scheme",
        replace(Q, "csi:unit", "theme:justice"),
        "csish:Quantity-unit",
        "csi:unit",
    ),
    V(
        "quantity-basis-wrong-scheme",
        add(f"{Q} csi:quantityBasis theme:justice ."),
        "csish:Quantity-basis",
        "csi:quantityBasis",
    ),
    V("quantity-without-kind", drop(Q, "csi:quantityKind"), "csish:Quantity-kind", "csi:quantityKind"),
    V(
        "quantity-two-deadlines",
        add(f'{Q} csi:deadline "2032"^^xsd:gYear .'),
        "csish:Quantity-deadline",
        "csi:deadline",
    ),
    V(
        "quantity-without-source",
        drop(Q, "prov:wasDerivedFrom"),
        "csish:Quantity-source",
        "prov:wasDerivedFrom",
    ),
    # Status records
    V("status-of-nothing", drop(REC, "csi:statusOf"), "csish:Status-of", "csi:statusOf"),
    V(
        "status-unknown",
        replace(REC, "csi:status", "<https://w3id.org/csi-graph/status/done>"),
        "csish:Status-status",
        "csi:status",
    ),
    V("status-undated", drop(REC, "dct:date"), "csish:Status-date", "dct:date"),
    V(
        "status-instrument-person",
        replace(REC, "csi:concernsInstrument", PERSON),
        "csish:Status-instrument",
        "csi:concernsInstrument",
    ),
    V(
        "status-without-source",
        drop(REC, "prov:wasDerivedFrom"),
        "csish:Status-source",
        "prov:wasDerivedFrom",
    ),
    # Instruments
    V(
        "instrument-without-french-label",
        f'DELETE DATA {{ {BODY} rdfs:label "Conseil de la tranquillité de Testville"@fr }}',
        "csish:Instrument-label",
        "rdfs:label",
    ),
    V(
        "instrument-territory-person",
        replace(BODY, "dct:spatial", PERSON),
        "csish:Instrument-territory",
        "dct:spatial",
    ),
    V(
        "instrument-without-source",
        drop(BODY, "prov:wasDerivedFrom"),
        "csish:Instrument-source",
        "prov:wasDerivedFrom",
    ),
    # Organisations, posts, persons
    V("organisation-without-label", drop(ORG, "rdfs:label"), "csish:Organisation-label", "rdfs:label"),
    V(
        "organisation-kind-wrong-scheme",
        replace(ORG, "org:classification", "theme:justice"),
        "csish:Organisation-kind",
        "org:classification",
    ),
    V(
        "organisation-territory-person",
        replace(ORG, "dct:spatial", PERSON),
        "csish:Organisation-territory",
        "dct:spatial",
    ),
    V(
        "organisation-without-source",
        drop(ORG, "prov:wasDerivedFrom"),
        "csish:Organisation-source",
        "prov:wasDerivedFrom",
    ),
    V("post-without-label", drop(POST, "rdfs:label"), "csish:Post-label", "rdfs:label"),
    V("post-in-nothing", drop(POST, "org:postIn"), "csish:Post-in", "org:postIn"),
    V("post-role-wrong-scheme", replace(POST, "org:role", "theme:justice"), "csish:Post-role", "org:role"),
    V("post-without-source", drop(POST, "prov:wasDerivedFrom"), "csish:Post-source", "prov:wasDerivedFrom"),
    V("person-two-names", add(f'{PERSON} foaf:name "Alice B. Exemple" .'), "csish:Person-name", "foaf:name"),
    V("person-without-name", drop(PERSON, "foaf:name"), "csish:PersonNamedShape", None),
    V(
        "person-without-source",
        drop(PERSON, "prov:wasDerivedFrom"),
        "csish:Person-source",
        "prov:wasDerivedFrom",
    ),
    # Territories
    V("territory-without-label", drop(COMMUNE, "rdfs:label"), "csish:Territory-label", "rdfs:label"),
    V(
        "territory-within-organisation",
        replace(COMMUNE, "schema:containedInPlace", ORG),
        "csish:Territory-within",
        "schema:containedInPlace",
    ),
    V(
        "territory-without-source",
        drop(COMMUNE, "prov:wasDerivedFrom"),
        "csish:Territory-source",
        "prov:wasDerivedFrom",
    ),
    V(
        "commune-code-four-digits",
        replace(COMMUNE, "igeo:codeINSEE", '"9901"'),
        "csish:Commune-code",
        "igeo:codeINSEE",
    ),
    V(
        "departement-code-three-digits",
        replace(DEP, "igeo:codeINSEE", '"999"'),
        "csish:Departement-code",
        "igeo:codeINSEE",
    ),
    V("departement-without-code", drop(DEP, "igeo:codeINSEE"), "csish:Departement-code", "igeo:codeINSEE"),
    V(
        "siren-of-eight-digits",
        replace(COMMUNE, "csi:siren", '"29999000"'),
        "csish:Territory-siren",
        "csi:siren",
    ),
    V(
        "population-not-a-population",
        replace(COMMUNE, "csi:population", PLAN),
        "csish:Territory-population",
        "csi:population",
    ),
    V(
        "intercommunality-without-siren",
        add(
            f'<territory/intercommunality/x> a csi:Intercommunality ; rdfs:label "X"@fr ; prov:wasDerivedFrom {SRC} .'
        ),
        "csish:Intercommunality-siren",
        "csi:siren",
    ),
    V(
        "population-as-text",
        replace(POP, "schema:value", '"50000"'),
        "csish:Population-value",
        "schema:value",
    ),
    V("population-without-year", drop(POP, "dct:date"), "csish:Population-year", "dct:date"),
    V(
        "population-year-as-date",
        replace(POP, "dct:date", '"2029-01-01"^^xsd:date'),
        "csish:Population-year",
        "dct:date",
    ),
    V(
        "population-without-source",
        drop(POP, "prov:wasDerivedFrom"),
        "csish:Population-source",
        "prov:wasDerivedFrom",
    ),
    # Sourced claims
    V("claim-about-nothing", CLAIMS + ";" + drop(CLAIM, "rdf:subject"), "csish:Claim-subject", "rdf:subject"),
    V(
        "claim-about-no-property",
        CLAIMS + ";" + drop(CLAIM, "rdf:predicate"),
        "csish:Claim-predicate",
        "rdf:predicate",
    ),
    V(
        "claim-with-two-values",
        CLAIMS + ";" + add(f'{CLAIM} rdf:object "2030-03-17"^^xsd:date .'),
        "csish:Claim-object",
        "rdf:object",
    ),
    V(
        "claim-without-source",
        CLAIMS + ";" + drop(CLAIM, "prov:wasDerivedFrom"),
        "csish:Claim-source",
        "prov:wasDerivedFrom",
    ),
    V(
        "claimed-value-also-picked",
        CLAIMS + ";" + add(f'{SIG} dct:date "2030-03-15"^^xsd:date .'),
        "csish:Claim-notAsserted",
        None,
    ),
    # Sources
    V(
        "source-not-a-web-address",
        add(
            f"{C1} prov:wasDerivedFrom <urn:example:memo> . <urn:example:memo> a csi:Source ; "
            'rdfs:label "memo"@en ; csi:reliability rel:a ; csi:readOn "2030-04-01"^^xsd:date .'
        ),
        "csish:SourceShape",
        None,
    ),
    V(
        "source-without-reliability",
        drop(SRC, "csi:reliability"),
        "csish:Source-reliability",
        "csi:reliability",
    ),
    V(
        "source-read-on-year",
        replace(SRC, "csi:readOn", '"2030"^^xsd:gYear'),
        "csish:Source-readOn",
        "csi:readOn",
    ),
    V("source-without-label", drop(SRC, "rdfs:label"), "csish:Source-label", "rdfs:label"),
    V(
        "source-two-issued-dates",
        add(f'{SRC} dct:issued "2030-03-16"^^xsd:date .'),
        "csish:Source-issued",
        "dct:issued",
    ),
    # The vocabulary
    V(
        "term-without-english",
        add('csi:Fake a owl:Class ; rdfs:label "faux"@fr ; skos:definition "faux"@fr .'),
        "csish:Term-labelEn",
        "rdfs:label",
    ),
    V(
        "term-without-english-definition",
        add('csi:Fake a owl:Class ; rdfs:label "faux"@fr , "fake"@en ; skos:definition "faux"@fr .'),
        "csish:Term-definitionEn",
        "skos:definition",
    ),
    V(
        "term-without-french",
        add('csi:Fake a owl:Class ; rdfs:label "fake"@en ; skos:definition "fake"@en .'),
        "csish:Term-labelFr",
        "rdfs:label",
    ),
    V(
        "term-without-french-definition",
        add('csi:Fake a owl:Class ; rdfs:label "fake"@en , "faux"@fr ; skos:definition "fake"@en .'),
        "csish:Term-definitionFr",
        "skos:definition",
    ),
    V(
        "concept-without-english",
        add(
            '<https://w3id.org/csi-graph/theme/fake> a skos:Concept ; skos:prefLabel "faux"@fr ; '
            'skos:definition "faux"@fr , "fake"@en ; skos:inScheme <https://w3id.org/csi-graph/scheme/themes> .'
        ),
        "csish:Concept-labelEn",
        "skos:prefLabel",
    ),
    V(
        "concept-without-french",
        add(
            '<https://w3id.org/csi-graph/theme/fake> a skos:Concept ; skos:prefLabel "fake"@en ; '
            'skos:definition "faux"@fr , "fake"@en ; skos:inScheme <https://w3id.org/csi-graph/scheme/themes> .'
        ),
        "csish:Concept-labelFr",
        "skos:prefLabel",
    ),
    V(
        "concept-outside-any-scheme",
        add(
            '<https://w3id.org/csi-graph/theme/fake> a skos:Concept ; skos:prefLabel "faux"@fr , "fake"@en ; '
            'skos:definition "faux"@fr , "fake"@en .'
        ),
        "csish:Concept-inScheme",
        "skos:inScheme",
    ),
    # Warnings
    W(
        "status-before-signature",
        replace(REC, "dct:date", '"2029-01"^^xsd:gYearMonth'),
        "csish:Contract-statusBeforeSignature",
        None,
    ),
    W("single-claim", CLAIMS + ";" + remove_resource(CLAIM2), "csish:Claim-disputed", None),
    W(
        "status-without-description",
        drop(REC, "dct:description"),
        "csish:Status-description",
        "dct:description",
    ),
    W(
        "orphan-quantity",
        add(
            f"<quantity/orphan> a csi:Quantity ; schema:value 3 ; csi:unit unit:camera ; "
            f"csi:quantityKind qkind:cameras ; prov:wasDerivedFrom {SRC} ."
        ),
        "csish:Quantity-used",
        "(^csi:targetQuantity|^csi:baseline)",
    ),
    W(
        "orphan-instrument",
        add(
            f'<instrument/orphan> a csi:Plan ; rdfs:label "plan orphelin"@fr , "orphan plan"@en ; prov:wasDerivedFrom {SRC} .'
        ),
        "csish:Instrument-used",
        "(^csi:creates|^csi:maintains|^csi:updates|^csi:concernsInstrument|^csi:followUpBody)",
    ),
    W(
        "commitment-misspelt-property",
        add(f"{C1} csi:comittedBy {STATE} ."),
        "csish:CommitmentClosedShape",
        "csi:comittedBy",
    ),
    W(
        "contract-unexpected-property",
        add(f'{K} csi:signedOn "2030-03-15"^^xsd:date .'),
        "csish:ContractClosedShape",
        "csi:signedOn",
    ),
    W(
        "party-unexpected-property",
        add(f"{STATE} csi:theme theme:justice ."),
        "csish:PartyClosedShape",
        "csi:theme",
    ),
    W(
        "signature-unexpected-property",
        add(f'{SIG} csi:signedOn "2030-03-15"^^xsd:date .'),
        "csish:SignatureClosedShape",
        "csi:signedOn",
    ),
    W(
        "quantity-unexpected-property",
        add(f"{Q} csi:theme theme:justice ."),
        "csish:QuantityClosedShape",
        "csi:theme",
    ),
    W(
        "status-unexpected-property",
        add(f'{REC} csi:statusDate "2030-06-01"^^xsd:date .'),
        "csish:StatusRecordClosedShape",
        "csi:statusDate",
    ),
    # Information
    I("contract-without-period", drop(K, "dct:temporal"), "csish:Contract-periodRecommended", "dct:temporal"),
    I(
        "contract-without-english-title",
        f'DELETE DATA {{ {K} dct:title "Integrated security contract of Testville (fictional)"@en }}',
        "csish:Contract-titleEn",
        "dct:title",
    ),
    I("signature-undated", drop(SIG, "dct:date"), "csish:Signature-dateRecommended", None),
    I(
        "commune-without-confirmed-code",
        add(
            f'<territory/commune/ailleurs> a csi:Territory , igeo:Commune ; rdfs:label "Ailleurs (fictif)"@fr ; '
            f"prov:wasDerivedFrom {SRC} ."
        ),
        "csish:Territory-communeCode",
        None,
    ),
    I(
        "signature-without-signatory",
        drop(SIG, "csi:signatory"),
        "csish:Signature-signatoryRecommended",
        "csi:signatory",
    ),
    I(
        "signature-without-post",
        drop(SIG, "csi:signatoryPost"),
        "csish:Signature-postRecommended",
        "csi:signatoryPost",
    ),
    I(
        "signature-without-party",
        drop(SIG, "csi:signedFor"),
        "csish:Signature-partyRecommended",
        "csi:signedFor",
    ),
    I(
        "commitment-on-weak-source",
        replace(SRC, "csi:reliability", "rel:c"),
        "csish:Commitment-credibleSource",
        "prov:wasDerivedFrom",
    ),
    I(
        "status-on-weak-source",
        replace(SRC2, "csi:reliability", "rel:c-d"),
        "csish:Status-credibleSource",
        "prov:wasDerivedFrom",
    ),
    I(
        "party-without-signature",
        remove_resource("<signature/testville-2030/city-1>"),
        "csish:Party-signed",
        "^csi:signedFor",
    ),
    I(
        "party-without-commitment",
        replace(C2, "csi:committedBy", STATE),
        "csish:Party-commits",
        None,
    ),
    I(
        "instrument-without-english-name",
        f'DELETE DATA {{ {PLAN} rdfs:label "Tranquillity plan of Testville"@en }}',
        "csish:Instrument-labelEn",
        "rdfs:label",
    ),
]
