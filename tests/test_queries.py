"""The named queries: headers, answers on Chambéry's data, checks, parameter safety."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyoxigraph as ox
import pytest
from conftest import SYNTHETIC

from csi_graph.errors import CsiError
from csi_graph.loader import graph_name, load
from csi_graph.queries import checks, internal, library, to_term
from csi_graph.sparql import QueryError

NAMES = sorted(library())
CHECKS = sorted(checks())


def test_library_has_at_least_fifteen_queries():
    assert len(NAMES) >= 15
    assert len(CHECKS) >= 5


@pytest.mark.parametrize("name", NAMES)
def test_header_is_bilingual_and_parameters_are_used(name):
    named = library()[name]
    assert set(named.titles) == {"en", "fr"} and set(named.descriptions) == {"en", "fr"}
    body = named.text
    for parameter in named.parameters:
        assert f"?{parameter.name}" in body, f"{name}: parameter {parameter.name} not used"
        assert parameter.description


@pytest.mark.parametrize("name", NAMES)
def test_every_named_query_answers_on_the_shipped_data(shipped, name):
    result = shipped.query(name)
    assert result.form == library()[name].form
    assert len(result) > 0 or result.boolean is not None, "an empty answer proves little"


@pytest.mark.parametrize("name", CHECKS)
def test_checks_find_nothing_in_shipped_data(shipped, name):
    assert len(shipped.query(f"checks/{name}")) == 0


CHECK_BREAKS = {
    "commitment-party-outside-contract-violation": """
        INSERT DATA { <contract/other-2031> a csi:IntegratedSecurityContract .
                      <party/other-2031/city> a csi:ContractParty ; csi:inContract <contract/other-2031> . } ;
        DELETE { <commitment/testville-2030/state-01> csi:committedBy ?p }
        INSERT { <commitment/testville-2030/state-01> csi:committedBy <party/other-2031/city> }
        WHERE { <commitment/testville-2030/state-01> csi:committedBy ?p }""",
    "fact-without-source-violation": "DELETE WHERE { <commitment/testville-2030/state-01> prov:wasDerivedFrom ?s }",
    "undeclared-term-violation": "INSERT DATA { <commitment/testville-2030/state-01> csi:themes theme:justice }",
    "term-not-bilingual-violation": 'INSERT DATA { csi:Fake a owl:Class ; rdfs:label "faux"@fr ; skos:definition "faux"@fr }',
    "duplicate-identifier-violation": """
        DELETE { <commitment/testville-2030/city-01> dct:identifier ?i }
        INSERT { <commitment/testville-2030/city-01> dct:identifier "state-01" }
        WHERE { <commitment/testville-2030/city-01> dct:identifier ?i }""",
    "negative-quantity-violation": """
        DELETE { ?q schema:value ?v } INSERT { ?q schema:value -3 }
        WHERE { ?q a csi:Quantity ; schema:value ?v }""",
    "concept-outside-scheme-violation": "INSERT DATA { <commitment/testville-2030/state-01> csi:theme theme:nowhere }",
    "shape-in-data-violation": "INSERT DATA { <https://w3id.org/csi-graph/shapes#ContractShape> <http://www.w3.org/ns/shacl#deactivated> true }",
}


def test_every_check_has_a_break():
    assert set(CHECK_BREAKS) == set(CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_check_finds_its_break(name):
    from counterexamples import PROLOGUE

    dataset = load([SYNTHETIC], contracts=False)
    assert len(dataset.query(f"checks/{name}")) == 0
    dataset.update(graph_name(SYNTHETIC), PROLOGUE + CHECK_BREAKS[name])
    assert len(dataset.query(f"checks/{name}")) > 0


# What the queries say about Chambéry ------------------------------------------------------


def test_commitments_by_party(shipped):
    rows = shipped.query("commitments-by-party").to_dicts()
    assert len(rows) == 16
    by_party = {}
    for row in rows:
        by_party.setdefault(row["party"], []).append(row["position"])
    assert {party: len(positions) for party, positions in by_party.items()} == {
        "State": 8,
        "City of Chambéry": 6,
        "Public prosecutor": 2,
    }
    assert by_party["State"] == list(range(1, 9))
    first = rows[[r["identifier"] for r in rows].index("state-01")]
    assert first["label"] == "Creation of 10 additional national police officer posts"
    assert first["themes"] == "National police staffing"


def test_commitments_by_party_in_french(shipped):
    rows = shipped.query("commitments-by-party", lang="fr").to_dicts()
    assert {r["party"] for r in rows} == {"État", "Ville de Chambéry", "Parquet"}


def test_commitment_counts(shipped):
    rows = [r for r in shipped.query("commitment-counts") if r["contract"] == "chambery-2021"]
    assert {(r["party"], r["commitments"]) for r in rows} == {
        ("State", 8),
        ("City of Chambéry", 6),
        ("Public prosecutor", 2),
    }


def test_theme_matrix_counts_every_commitment_once_per_volet(shipped):
    rows = shipped.query("theme-matrix", lang="fr").to_dicts()
    cells = {r["theme"]: r["commitments"] for r in rows if r["contract"] == "chambery-2021"}
    assert len(cells) == 7
    assert cells["Sécurité intérieure"] == 6
    assert cells["Justice"] == 2
    assert cells["Transport"] == 0


def test_signatories(shipped):
    rows = shipped.query("signatories", contract="chambery-2021").to_dicts()
    assert {(r["signatory"], r["post"], r["role"], r["party"]) for r in rows} == {
        ("Pascal Bolot", "Prefect of Savoie", "Prefect", "State"),
        ("Pierre-Yves Michau", "Public prosecutor of Chambéry", "Public prosecutor", "Public prosecutor"),
        ("Thierry Repentin", "Mayor of Chambéry", "Mayor", "City of Chambéry"),
    }
    assert {r["date"] for r in rows} == {datetime.date(2021, 9, 22)}
    french = shipped.query("signatories", lang="fr").to_dicts()
    assert "Préfet de la Savoie" in {r["post"] for r in french}


def test_quantified_targets_keep_one_row_per_source(shipped):
    rows = shipped.query("quantified-targets", contract="chambery-2021").to_dicts()
    assert {(r["value"], r["unit"], r["measures"]) for r in rows} == {(10, "post", "National police staff")}
    assert {r["reliability"] for r in rows} == {"A", "B-"}


def test_funding(shipped):
    rows = [r for r in shipped.query("funding") if r["identifier"] == "chambery-2021"]
    assert {r["acronym"] for r in rows} == {"FIPD"}
    assert {r["commitment"].rsplit("/", 1)[-1] for r in rows} == {"state-02", "state-06"}
    assert "City of Chambéry" in {r["beneficiary"] for r in rows}


def test_targeted_territories(shipped):
    (row,) = [r for r in shipped.query("targeted-territories") if r["identifier"] == "chambery-2021"]
    assert (row["territoryName"], row["kind"], row["within"]) == (
        "Hauts-de-Chambéry",
        "neighbourhood",
        "Chambéry",
    )
    assert row["commitment"].endswith("/state-08")
    assert len(shipped.query("targeted-territories", territory="territory/commune/73065")) == 0


def test_instruments(shipped):
    rows = [r for r in shipped.query("instruments") if r["identifier"] == "chambery-2021"]
    relations = {(r["instrument"], r["relation"]) for r in rows}
    assert ("Local delinquency handling group (GLTD) of Chambéry", "maintains") in relations
    assert ("Night Council of Chambéry", "creates") in relations
    assert len(rows) == 8


def test_latest_status(shipped):
    rows = {
        r["commitment"].rsplit("/", 1)[-1]: r
        for r in shipped.query("latest-status", contract="chambery-2021")
    }
    assert rows["city-06"]["status"] == "Realised" and rows["city-06"]["date"] == datetime.date(2021, 11, 23)
    assert rows["state-08"]["status"] == "Reported, unconfirmed" and rows["state-08"]["reliability"] == "C/D"


def test_without_realisation(shipped):
    rows = shipped.query("without-realisation", contract="chambery-2021").to_dicts()
    names = {r["commitment"].rsplit("/", 1)[-1] for r in rows}
    assert len(rows) == 14 and "city-06" not in names and "city-05" not in names and "state-08" in names


def test_timeline_is_ordered_from_signature_to_end(shipped):
    rows = shipped.query("timeline").to_dicts()
    assert rows[0]["event"] == "signature" and str(rows[0]["date"]) == "2021-09-22"
    assert (rows[-1]["event"], str(rows[-1]["date"])) == ("end of the period", "2026")
    assert shipped.query("timeline", lang="fr").to_dicts()[-1]["event"] == "fin de la période"


def test_provenance_and_sources(shipped):
    rows = shipped.query("provenance").to_dicts()
    assert all(r["reliability"] and r["readOn"] for r in rows)
    sources = {r["source"]: r for r in shipped.query("sources")}
    city = sources[
        "https://www.chambery.fr/actualite/3934/140-la-ville-de-chambery-signe-avec-l-etat-et-le-parquet-le-premier-"
        "contrat-de-securite-integree-de-chambery.htm"
    ]
    assert city["reliability"] == "A" and city["facts"] > 30


def test_search(shipped):
    rows = [r for r in shipped.query("search", text="VIDÉO") if r["identifier"] == "chambery-2021"]
    assert [r["commitment"].rsplit("/", 1)[-1] for r in rows] == ["city-04"]
    assert [r["identifier"] for r in shipped.query("search", text="laïcité")] == ["chambery-2021"]


def test_contracts_overview(shipped):
    (row,) = [r for r in shipped.query("contracts-overview") if r["identifier"] == "chambery-2021"]
    assert (row["identifier"], row["territories"], row["status"], row["signed"], row["ends"]) == (
        "chambery-2021",
        "Chambéry",
        "Signed",
        "2021-09-22",
        "2026",
    )
    assert (row["parties"], row["commitments"]) == (3, 16)


def test_reciprocity(shipped):
    rows = {
        r["theme"]: (r["state"], r["city"])
        for r in shipped.query("reciprocity")
        if r["identifier"] == "chambery-2021"
    }
    assert rows == {"Internal security": (3, 3), "Crime prevention": (5, 3)}


def test_construct_and_ask(shipped):
    graph = shipped.query("commitment-graph").graph
    assert len(graph) == 21  # Chambéry state-01 and its figure (now with its basis, « supplémentaires »)
    assert shipped.query("has-realisation").boolean is True
    without = {r["identifier"] for r in shipped.query("contracts-overview")} - realised_contracts(shipped)
    assert without, "the shipped data should hold a contract with nothing realised"
    assert all(shipped.query("has-realisation", contract=c).boolean is False for c in without)


def realised_contracts(dataset) -> set[str]:
    """Contracts with a commitment recorded as realised, read apart from the named queries."""
    text = """SELECT DISTINCT ?id WHERE {
        ?record csi:statusOf ?c ; csi:status status:realised . ?c csi:inContract/dct:identifier ?id }"""
    return {row["id"] for row in dataset.query(text)}


def test_an_unknown_contract_is_a_usage_error(shipped):
    with pytest.raises(
        CsiError, match="no contract 'nowhere-2030' is loaded; the loaded contracts are: "
    ) as raised:
        shipped.query("has-realisation", contract="nowhere-2030")
    assert raised.value.exit_code == 2
    with pytest.raises(CsiError, match="no contract 'chambery-2012' is loaded; did you mean chambery-2021"):
        shipped.query("signatories", contract="chambery-2012")


def test_rows_are_plain_python_values(shipped):
    (row,) = shipped.query(
        'SELECT ?n ?d ?x WHERE { BIND(10 AS ?n) BIND("2021-09-22"^^xsd:date AS ?d) BIND(1.5 AS ?x) }'.replace(
            "SELECT", "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT"
        )
    )
    assert row == {"n": 10, "d": datetime.date(2021, 9, 22), "x": Decimal("1.5")}


def test_to_dataframe(shipped):
    import pandas

    frame = shipped.query("commitment-counts").to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["contract", "party", "kind", "commitments"]
    assert frame[frame["contract"] == "chambery-2021"]["commitments"].sum() == 16


def test_to_dataframe_without_pandas(shipped, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(CsiError, match=r"pandas is not installed: pip install 'csi-graph\[pandas\]'"):
        shipped.query("commitment-counts").to_dataframe()


# Parameters cannot change a query ---------------------------------------------------------

HOSTILE = [
    '" } UNION { ?s ?p ?o } #',
    'police" . } } SELECT * WHERE { ?s ?p ?o',
    "x' } UNION { ?a ?b ?c }",
    "}}} LOAD <http://127.0.0.1:9/>",
    '\\" ) } # \n INSERT DATA { <a> <b> <c> }',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_only_text(shipped, value):
    assert len(shipped.query("search", text=value)) == 0
    rows = shipped.query("SELECT ?v WHERE { BIND(?text AS ?v) }", text=value).to_dicts()
    assert rows == [{"v": value}]


@pytest.mark.parametrize("value", ["chambery-2021> } UNION { ?s ?p ?o", "x y", 'a"b', "a>b"])
def test_hostile_iri_is_refused(shipped, value):
    with pytest.raises(CsiError):
        shipped.query("signatories", contract="https://w3id.org/" + value)


def test_parameter_conversion():
    assert to_term("chambery-2021", "contract") == to_term(
        "https://w3id.org/csi-graph/id/contract/chambery-2021", "contract"
    )
    assert to_term("theme:justice", "iri").value == "https://w3id.org/csi-graph/theme/justice"
    assert to_term("<contract/chambery-2021>", "iri") == to_term("chambery-2021", "contract")
    assert to_term('"texte"@fr') == ox.Literal("texte", language="fr")
    assert to_term("12") == ox.Literal(
        "12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    with pytest.raises(CsiError, match="not a language tag"):
        to_term("en; DROP", "lang")


def test_unknown_parameter_and_unknown_query(shipped):
    with pytest.raises(CsiError, match="has no parameter 'city'"):
        shipped.query("commitments-by-party", city="x")
    with pytest.raises(
        CsiError, match="no named query 'commitments-by-parti'; did you mean commitments-by-party"
    ):
        shipped.query("commitments-by-parti")


@pytest.mark.parametrize(
    "text,message",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
        ("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", "FROM <http://127.0.0.1:9/g> is refused"),
        ("LOAD <http://127.0.0.1:9/data.ttl>", r"SPARQL Update \(LOAD\) is refused"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", r"SPARQL Update \(INSERT\) is refused"),
        ("SELECT * WHERE { ?s ?p }", "malformed SPARQL"),
    ],
)
def test_refused_and_malformed_queries(shipped, text, message):
    with pytest.raises(QueryError, match=message):
        shipped.query(text)


def test_from_a_loaded_graph_is_allowed(shipped):
    text = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl> WHERE { ?s ?p ?o }"
    assert shipped.query(text).to_dicts()[0]["n"] > 400


# The queries the library runs itself ------------------------------------------------------

INTERNAL = sorted(internal())
# Python files that may hold SPARQL: the SHACL compiler generates it; the others show an
# example to people (help text, the query page, a package README) and run none.
MAY_HOLD_SPARQL = {"shacl_sparql.py", "cli.py", "app.py", "readme.py"}


@pytest.mark.parametrize("name", INTERNAL)
def test_internal_queries_have_a_header_and_answer(shipped, name):
    named = internal()[name]
    assert set(named.titles) == {"en", "fr"} and set(named.descriptions) == {"en", "fr"}, name
    for parameter in named.parameters:
        assert f"?{parameter.name}" in named.text and parameter.description
    resource = "https://w3id.org/csi-graph/id/contract/chambery-2021"
    params = {p.name: resource for p in named.parameters if p.default is None}
    result = shipped.query(named, **params)
    assert result.form == named.form


def test_no_sparql_text_in_the_library_outside_queries():
    from conftest import ROOT

    for path in sorted((ROOT / "csi_graph").rglob("*.py")):
        if path.name not in MAY_HOLD_SPARQL:
            assert "WHERE {" not in path.read_text(encoding="utf-8"), f"{path}: move the query to queries/"


def test_the_lexer_finds_the_where_group_the_parser_confirms_in_every_shipped_query():
    """The project's queries are bound without the parser (bind_values(confirm=False)): for
    each of them, the place the lexer finds is the one rdflib's parser confirms."""
    from csi_graph.sparql import _checked_where_brace, _where_brace

    shipped = {**library(), **internal()}
    with_parameters = [named for named in shipped.values() if named.parameters]
    assert with_parameters
    for named in with_parameters:
        assert named.trusted
        assert _where_brace(named.text) == _checked_where_brace(named.text), named.name
