"""Authoring without Turtle: exact error messages, atomic builds, the round trip, the scaffold.

The synthetic fixture ``fixtures/synthetic-contract.yaml`` (an invented contract) is valid;
each test breaks it one way and checks the exact message, with file, line, column and key.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from csi_graph.authoring import AuthoringError, build, compile_file
from csi_graph.authoring.build import GENERATED, turtle_for
from csi_graph.authoring.exporter import export_contract
from csi_graph.authoring.scaffold import scaffold
from csi_graph.cli import cli
from csi_graph.loader import graph_name, load
from csi_graph.namespaces import DATA_BASE
from csi_graph.vocabulary import read_vocabulary

SYNTHETIC_YAML = FIXTURES / "synthetic-contract.yaml"
# The invented Testville's official records, as csi-graph territories would write them.
TERRITORIES = FIXTURES / "synthetic-territories.ttl"
AUTHORING = sorted((ROOT / "data" / "authoring").glob("*.yaml"))
SCHEMES = ROOT / "ontology" / "csi-schemes.skos.ttl"
CSI = "https://w3id.org/csi-graph/ontology#"


@pytest.fixture(scope="module")
def vocabulary():
    return read_vocabulary(load([TERRITORIES], contracts=False))


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A copy of the synthetic file with ``old`` replaced by ``new``, and its text."""
    text = SYNTHETIC_YAML.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path = tmp_path / "testville.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def at(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> str:
    """``line:column`` (1-based) of ``needle`` in ``text`` (plus ``offset`` columns)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def problems(path: Path, vocabulary) -> list[str]:
    with pytest.raises(AuthoringError) as caught:
        compile_file(path, vocabulary)
    return str(caught.value).splitlines()


def test_synthetic_file_compiles_and_conforms(vocabulary, tmp_path):
    report = build([SYNTHETIC_YAML], tmp_path, context=[], reference=[TERRITORIES])
    assert report.conforms and report.results == [], report.to_text()
    assert (tmp_path / "testville-2030.ttl").exists()


# ---------------------------------------------------------------------- each mistake, exactly


def test_commitment_without_party(vocabulary, tmp_path):
    path, text = broken(tmp_path, "    party: state\n    wording:", "    wording:")
    assert problems(path, vocabulary) == [
        f"{path}:{at(text, 'id: state-01')}: commitments[0] (state-01): missing key 'party': "
        "name the party that takes this commitment, one of: city, state",
        f"1 problem in {path}: nothing was written",
    ]


def test_commitment_by_a_non_party(vocabulary, tmp_path):
    path, text = broken(tmp_path, "    party: state\n    wording:", "    party: prefecture\n    wording:")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'party: prefecture', offset=7)}: commitments[0] (state-01).party: "
        "'prefecture' is not a party of this contract; use one of: city, state"
    )


def test_signature_for_a_non_party(vocabulary, tmp_path):
    path, text = broken(tmp_path, "  - party: state\n    signatory:", "  - party: parquet\n    signatory:")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'party: parquet', offset=7)}: signatures[0].party: "
        "'parquet' is not a party of this contract; use one of: city, state"
    )


def test_contract_with_one_party_builds_and_says_what_is_missing(vocabulary, tmp_path):
    """A register entry may know one party, or none: information, never a violation."""
    city_party = (
        "  city:\n"
        '    label: {fr: "Ville de Testville", en: "City of Testville"}\n'
        "    kind: commune\n"
        "    organisation: commune/99001\n"
        "    sources: [announcement]\n"
    )
    text = SYNTHETIC_YAML.read_text(encoding="utf-8")
    for block in (city_party, text[text.index("  - party: city\n") : text.index("commitments:\n")]):
        text = text.replace(block, "", 1)
    start = text.index("  - id: city-01\n")
    text = text[:start] + text[text.index("instruments:\n") :]  # the city's commitment goes too
    path = tmp_path / "testville.yaml"
    path.write_text(text, encoding="utf-8")
    report = build([path], tmp_path / "out", context=[], reference=[TERRITORIES])
    assert report.conforms, report.to_text()
    assert ("Info", "csish:Contract-parties") in {(r.severity, r.shape) for r in report.results}


def test_unknown_theme_suggests_the_nearest(vocabulary, tmp_path):
    path, text = broken(tmp_path, "themes: [national-police-staffing]", "themes: [videoprotection]")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'videoprotection')}: commitments[0] (state-01).themes[0]: "
        "unknown theme 'videoprotection'; did you mean video-protection?"
    )


def test_unknown_theme_without_a_near_one_points_to_the_list(vocabulary, tmp_path):
    path, text = broken(tmp_path, "themes: [national-police-staffing]", "themes: [zzz]")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'zzz')}: commitments[0] (state-01).themes[0]: unknown theme 'zzz'; "
        "the allowed themes are listed at the end of a file made by csi-graph new"
    )


@pytest.mark.parametrize(
    "date,why",
    [
        ("15/03/2030", ""),
        ("mars 2030", ""),
        ("2030-02-30", "30 February 2030 does not exist: "),
        ("2021-13-01", "month 13 does not exist: "),
        ("2021-00", "month 0 does not exist: "),
    ],
)
def test_bad_date(vocabulary, tmp_path, date, why):
    signature = "    date: 2030-03-15\n    sources: [announcement]\n  - party: city"
    path, text = broken(tmp_path, signature, signature.replace("2030-03-15", date))
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, date)}: signatures[0].date: '{date}' is not a date: {why}"
        "write YYYY-MM-DD, YYYY-MM or YYYY, for example 2021-09-22"
    )


def test_an_empty_list_of_sources_is_reported_at_its_line(vocabulary, tmp_path):
    old = "    beneficiaries: [commune/99001]\n    sources: [announcement]"
    path, text = broken(tmp_path, old, old.replace("[announcement]", "[]"))
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'sources: []', offset=len('sources: '))}: commitments[0] (state-01).sources: "
        "is an empty list: list the keys of the sources that state this"
    )


def test_a_read_on_date_in_the_future_is_refused(vocabulary, tmp_path):
    import datetime

    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    path, text = broken(tmp_path, "read_on: 2026-04-01", f"read_on: {later}")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, later)}: sources.announcement.read_on: {later} is in the future: "
        "give the day you read the source, today or before"
    )


def test_a_party_kind_must_agree_with_its_organisation(vocabulary, tmp_path):
    party = "    kind: state\n    organisation: prefecture/99\n"
    path, text = broken(tmp_path, party, party.replace("kind: state", "kind: prosecution"))
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'kind: prosecution', offset=len('kind: '))}: parties.state.kind: the party is of "
        "kind prosecution but its organisation prefecture/99 is of kind state: make them agree (the party is "
        "the role the organisation plays)"
    )


def test_a_tab_in_the_yaml_gets_a_hint(vocabulary, tmp_path):
    path, _ = broken(tmp_path, "  status: signed\n", "  status: signed\n\tlegal: x\n")
    (message,) = problems(path, vocabulary)[:1]
    assert message.endswith("found character '\\t' that cannot start any token: indent with spaces, not tabs")


def test_duplicate_identifier(vocabulary, tmp_path):
    path, text = broken(tmp_path, "  - id: city-01", "  - id: state-01")
    first = at(text, "state-01").split(":")[0]
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'state-01', 1)}: commitments[1] (state-01).id: duplicate identifier "
        f"'state-01' (already used at line {first}); give each commitment its own id"
    )


def test_misspelt_key_suggests_the_right_one(vocabulary, tmp_path):
    path, text = broken(
        tmp_path, "    themes: [national-police-staffing]", "    theme: [national-police-staffing]"
    )
    found = problems(path, vocabulary)
    assert (
        f"{path}:{at(text, 'theme:')}: commitments[0].theme: unknown key 'theme'; did you mean themes or items?"
        in found
    )
    assert any("missing key 'themes'" in line for line in found)


def test_unknown_source_key(vocabulary, tmp_path):
    old = "    beneficiaries: [commune/99001]\n    sources: [announcement]"
    path, text = broken(tmp_path, old, old.replace("[announcement]", "[anouncement]"))
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'anouncement')}: commitments[0] (state-01).sources[0]: 'anouncement' is not "
        "described under sources: add it there or fix the key; did you mean announcement?"
    )


@pytest.mark.parametrize(
    "value,message",
    [
        ("-5", "-5 is negative: a target quantity is zero or more"),
        ("cinq", "'cinq' is not a number: write digits, with a dot for decimals, for example 10 or 5.5"),
        ("5,5", "'5,5' is not a number: write digits, with a dot for decimals, for example 10 or 5.5"),
    ],
)
def test_bad_quantity(vocabulary, tmp_path, value, message):
    path, text = broken(tmp_path, "{value: 5, unit: post", f'{{value: "{value}", unit: post')
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, chr(34) + value)}: commitments[0] (state-01).quantities[0].value: {message}"
    )


def test_wording_and_paraphrase_together(vocabulary, tmp_path):
    path, text = broken(
        tmp_path, '    paraphrase: "Réunir', '    wording: "Réunir le conseil"\n    paraphrase: "Réunir'
    )
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'id: city-01')}: commitments[1] (city-01): give either wording (the contract's own "
        "text) or paraphrase (your summary when no source gives the text), not both"
    )


def test_english_label_required(vocabulary, tmp_path):
    old = '    label: {en: "Creation of 5 national police posts (fictional)"}'
    path, text = broken(tmp_path, old, '    label: {fr: "Création"}')
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, '{fr: ' + chr(34) + 'Création')}: commitments[0] (state-01).label: "
        "missing key 'en': add an English label (a translation)"
    )


def test_todo_left_in(vocabulary, tmp_path):
    path, text = broken(tmp_path, 'name: "Alice Exemple"', "name: TODO")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'TODO')}: persons.alice-exemple.name: still TODO: replace it with what a source "
        "states, or delete it if no source gives it"
    )


def test_yaml_syntax_error(vocabulary, tmp_path):
    path, text = broken(tmp_path, "  status: signed\n", "  status: signed\n   oops: [\n")
    assert problems(path, vocabulary) == [
        f"{path}:{at(text, 'oops:', offset=4)}: not valid YAML: mapping values are not allowed here: quote a value that contains "
        '": ", for example label: "Ville : centre"',
        f"1 problem in {path}: nothing was written",
    ]


def test_unknown_reliability_grade(vocabulary, tmp_path):
    path, text = broken(tmp_path, "    reliability: B\n", "    reliability: D\n")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'reliability: D', offset=len('reliability: '))}: sources.follow-up.reliability: "
        "unknown reliability grade 'D'; did you mean C/D?"
    )


def test_an_insee_code_is_not_typed_by_hand(vocabulary, tmp_path):
    path, text = broken(
        tmp_path, '    name: {fr: "Testville"}\n', '    name: {fr: "Testville"}\n    insee: "99001"\n'
    )
    where = at(text, 'insee: "99001"', offset=len("insee: "))
    assert problems(path, vocabulary)[0] == (
        f"{path}:{where}: territories.commune/99001.insee: INSEE codes are not typed by hand: they come "
        "from data/reference/territories.ttl, which csi-graph territories makes from INSEE's official "
        "list; remove insee:"
    )


def test_a_commune_is_found_by_its_name_in_the_official_list(vocabulary, tmp_path):
    path, text = broken(tmp_path, 'name: {fr: "Testville"}', 'name: {fr: "Testvile"}')
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, chr(34) + 'Testvile')}: territories.commune/99001: no commune named 'Testvile' among the "
        "official territories; did you mean Testville? (a new one is added by csi-graph territories; an "
        "intercommunality may need official_name:)"
    )
    compiled = compile_file(SYNTHETIC_YAML, vocabulary)
    assert (
        URIRef(f"{DATA_BASE}contract/testville-2030"),
        URIRef(CSI + "territory"),
        URIRef(f"{DATA_BASE}territory/commune/99001"),
    ) in compiled.graph


def test_dispute_needs_two_values(vocabulary, tmp_path):
    path, text = broken(tmp_path, "        - {value: 2033, sources: [follow-up]}\n", "")
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, 'disputed:')}: contract.period.end: a dispute needs at least two values, "
        "each with its sources; otherwise give the value directly"
    )


def test_source_without_web_address(vocabulary, tmp_path):
    path, text = broken(
        tmp_path, 'url: "https://example.org/testville/follow-up"', 'url: "example.org/follow-up"'
    )
    assert problems(path, vocabulary)[0] == (
        f"{path}:{at(text, chr(34) + 'example.org/follow-up')}: sources.follow-up.url: 'example.org/follow-up' "
        "is not a web address: a source is identified by its http:// or https:// address"
    )


def test_every_problem_is_reported_at_once(vocabulary, tmp_path):
    path, _ = broken(tmp_path, "themes: [national-police-staffing]", "themes: [videoprotection]")
    text = path.read_text(encoding="utf-8").replace("unit: post,", "unit: posts,").replace("2030-06", "juin")
    path.write_text(text, encoding="utf-8")
    found = problems(path, vocabulary)
    assert found[-1] == f"5 problems in {path}: nothing was written"  # 2 units, 2 dates, 1 theme
    lines = [int(line.split(":")[1]) for line in found[:-1]]
    assert lines == sorted(lines)  # in the order of the file


# ---------------------------------------------------------------------- sourced claims


def test_disputed_values_become_claims_not_picked_values(vocabulary):
    graph = compile_file(SYNTHETIC_YAML, vocabulary).graph
    rows = graph.query(
        """PREFIX csi: <https://w3id.org/csi-graph/ontology#>
        SELECT ?subject ?predicate ?object WHERE {
            ?claim a csi:Claim ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object }"""
    )
    claims = {
        (str(s).removeprefix(DATA_BASE), str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o))
        for s, p, o in rows
    }
    assert claims == {
        ("period/testville-2030", "endDate", "2032"),
        ("period/testville-2030", "endDate", "2033"),
        ("signature/testville-2030/city-1", "date", "2030-03-15"),
        ("signature/testville-2030/city-1", "date", "2030-03-16"),
        ("person/bob-exemple", "name", "Bob Exemple"),
        ("person/bob-exemple", "name", "Bob Exemplé"),
    }
    # No value is picked: the disputed properties are not stated on the resources themselves.
    for subject, predicate in (
        ("signature/testville-2030/city-1", "http://purl.org/dc/terms/date"),
        ("period/testville-2030", "http://www.w3.org/ns/dcat#endDate"),
        ("person/bob-exemple", "http://xmlns.com/foaf/0.1/name"),
    ):
        assert list(graph.objects(URIRef(DATA_BASE + subject), URIRef(predicate))) == []


# ---------------------------------------------------------------------- building


def test_violation_writes_nothing_and_points_to_the_authoring_line(vocabulary, tmp_path):
    text = SYNTHETIC_YAML.read_text(encoding="utf-8")
    start, end = text.index("signatures:\n"), text.index("commitments:\n")
    path = tmp_path / "testville.yaml"
    signatures = text[start:end].replace("    date: 2030-03-15\n", "    date: 2020-01-01\n", 1)
    path.write_text(text[:start] + signatures + text[end:], encoding="utf-8")  # before its legal basis
    report = build([path], tmp_path / "out", context=[], reference=[TERRITORIES])
    assert not report.conforms
    line = path.read_text(encoding="utf-8").splitlines().index("  id: testville-2030") + 1
    assert (
        f"{path}:{line}: Violation: <contract/testville-2030>: The contract was signed (2020-01-01) before "
        "the date of its legal basis: a later text cannot be its basis; remove csi:legalBasis or check the "
        "dates. [csish:Contract-legalBasisAfterSignature]"
    ) in report.to_text().splitlines()
    assert report.to_text().splitlines()[-1].startswith("1 violation, ")
    assert report.to_text().splitlines()[-1].endswith(" in 1 contract: does not conform: nothing was written")
    assert not (tmp_path / "out").exists()


def test_bad_input_leaves_the_existing_file_untouched(vocabulary, tmp_path):
    out = tmp_path / "out"
    build([SYNTHETIC_YAML], out, context=[], reference=[TERRITORIES])
    target = out / "testville-2030.ttl"
    before = target.read_bytes()
    path, _ = broken(tmp_path, "themes: [national-police-staffing]", "themes: [videoprotection]")
    with pytest.raises(AuthoringError):
        build([path], out, context=[], reference=[TERRITORIES])
    assert target.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["testville-2030.ttl"]  # no temporary file left


def test_a_hand_written_file_is_not_replaced_without_force(vocabulary, tmp_path):
    from csi_graph.errors import CsiError

    target = tmp_path / "testville-2030.ttl"
    target.write_text("# written by hand\n", encoding="utf-8")
    with pytest.raises(CsiError, match="exists and was not made by csi-graph build"):
        build([SYNTHETIC_YAML], tmp_path, context=[], reference=[TERRITORIES])
    assert target.read_text(encoding="utf-8") == "# written by hand\n"
    build([SYNTHETIC_YAML], tmp_path, context=[], reference=[TERRITORIES], force=True)
    assert GENERATED in target.read_text(encoding="utf-8").splitlines()[0]


def test_check_reports_a_stale_file(vocabulary, tmp_path):
    build([SYNTHETIC_YAML], tmp_path, context=[], reference=[TERRITORIES])
    assert [
        b.state
        for b in build([SYNTHETIC_YAML], tmp_path, check=True, context=[], reference=[TERRITORIES]).built
    ] == ["up to date"]
    target = tmp_path / "testville-2030.ttl"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Alice Exemple", "Alice Autre"), encoding="utf-8"
    )
    report = build([SYNTHETIC_YAML], tmp_path, check=True, context=[], reference=[TERRITORIES])
    assert [b.state for b in report.built] == ["stale"]
    assert "Alice Autre" in target.read_text(encoding="utf-8")  # --check writes nothing


def test_turtle_is_deterministic_readable_and_based(vocabulary):
    first = turtle_for(compile_file(SYNTHETIC_YAML, vocabulary), "synthetic-contract.yaml")
    second = turtle_for(compile_file(SYNTHETIC_YAML, vocabulary), "synthetic-contract.yaml")
    assert first == second
    assert "@base <https://w3id.org/csi-graph/id/> ." in first
    assert "\n<commitment/testville-2030/state-01>\n    a csi:Commitment ;\n" in first
    assert re.search(r"^# Commitments of the party State \(1\)$", first, re.M)
    parsed = Graph().parse(data=first, format="turtle")
    assert isomorphic(parsed, compile_file(SYNTHETIC_YAML, vocabulary).graph)


@pytest.mark.parametrize("path", AUTHORING, ids=lambda p: p.stem)
def test_shipped_turtle_is_built_from_its_authoring_file(vocabulary, path):
    """data/contracts/ID.ttl is exactly what csi-graph build makes of data/authoring/ID.yaml."""
    compiled = compile_file(path, vocabulary)
    shipped = ROOT / "data" / "contracts" / f"{compiled.identifier}.ttl"
    assert shipped.read_text(encoding="utf-8") == turtle_for(compiled, path.name), (
        f"rebuild it: csi-graph build {path.relative_to(ROOT)}"
    )


# ---------------------------------------------------------------------- round trip


def test_round_trip_of_chambery_gives_an_isomorphic_graph(shipped, vocabulary, tmp_path):
    text = export_contract(shipped, "chambery-2021", vocabulary)
    path = tmp_path / "chambery-2021.yaml"
    path.write_text(text, encoding="utf-8")
    turtle = turtle_for(compile_file(path, vocabulary), path.name)
    original = Graph().parse(ROOT / "data" / "contracts" / "chambery-2021.ttl")
    rebuilt = Graph().parse(data=turtle, format="turtle")
    assert len(rebuilt) == len(original) > 400
    assert isomorphic(rebuilt, original)


@pytest.mark.parametrize("path", AUTHORING, ids=lambda p: p.stem)
def test_every_built_contract_exports_back_exactly(shipped, vocabulary, path):
    """The exporter checks the round trip itself and fails if a triple would be lost."""
    identifier = compile_file(path, vocabulary).identifier
    text = export_contract(shipped, identifier, vocabulary)
    assert text.startswith(f"# Integrated security contract {identifier}: authoring file for csi-graph,")


def test_export_refuses_what_the_format_cannot_say(vocabulary):
    from csi_graph.authoring.exporter import ExportError

    dataset = load()
    chambery = "https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl"
    dataset.update(
        chambery,
        "INSERT DATA { <https://w3id.org/csi-graph/id/contract/chambery-2021> "
        '<http://purl.org/dc/terms/extent> "4 pages" }',
    )
    with pytest.raises(ExportError) as caught:
        export_contract(dataset, "chambery-2021", vocabulary)
    assert str(caught.value) == (
        "the authoring format cannot express data/contracts/chambery-2021.ttl exactly (1 triples lost, "
        '0 added); edit that Turtle file by hand:\n  lost: <contract/chambery-2021> dct:extent "4 pages"'
    )


# ---------------------------------------------------------------------- the scaffold


def test_scaffold_lists_every_allowed_value_from_the_schemes(vocabulary):
    text = scaffold("Testville", "testville-2030", vocabulary)
    allowed = text[text.index("# Allowed values") :]
    for scheme in ("themes", "types", "actor-kinds", "roles", "units", "quantity-kinds", "statuses"):
        for concept in vocabulary.schemes[scheme].values():
            assert re.search(rf"^#\s+{re.escape(concept.key)}\s", allowed, re.M), (scheme, concept.key)
    for concept in vocabulary.schemes["reliability"].values():
        assert re.search(rf"^#\s+{re.escape(concept.notation)}\s", allowed, re.M)
    assert "#     national-police-staffing" in allowed  # finer themes indented under their volet


def test_scaffold_follows_the_schemes_not_a_hard_coded_list():
    dataset = load(contracts=False)
    dataset.update(
        graph_name(SCHEMES),
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA { <https://w3id.org/csi-graph/theme/drones> a skos:Concept ;
            skos:inScheme <https://w3id.org/csi-graph/scheme/themes> ;
            skos:broader <https://w3id.org/csi-graph/theme/internal-security> ;
            skos:prefLabel "Drones"@fr , "Drones"@en }""",
    )
    vocabulary = read_vocabulary(dataset)
    assert re.search(r"^#\s+drones\s+Drones / Drones$", scaffold("X", "x-2030", vocabulary), re.M)
    assert vocabulary.concept("themes", "drones") is not None


def test_a_new_scaffold_says_what_to_fill_in(vocabulary, tmp_path):
    path = tmp_path / "lyon-2025.yaml"
    path.write_text(scaffold("Lyon", "lyon-2025", vocabulary), encoding="utf-8")
    found = problems(path, vocabulary)
    assert found[-1] == f"19 problems in {path}: nothing was written"
    # Every TODO, and the commune that the official territories do not list yet.
    todo = [line for line in found[:-1] if "still TODO" in line]
    (territory,) = [line for line in found[:-1] if "still TODO" not in line]
    assert len(todo) == 18
    assert "no commune named 'Lyon' among the official territories" in territory
    assert "csi-graph territories" in territory


def test_a_filled_in_scaffold_builds(vocabulary, tmp_path):
    text = scaffold("Testville", "testville-2025", vocabulary)
    fills = {
        "start: TODO ": "start: 2025-01-10 ",
        "end: TODO ": "end: 2026 ",
        'wording: "TODO: the commitment, copied exactly as the contract or the source writes it"': 'wording: "Dix policiers nationaux de plus (fictif)"',
        '{en: "TODO: an English translation"}': '{en: "Ten more national police officers (fictional)"}',
        "{value: TODO, unit: post, kind: national-police-staff, basis: additional, deadline: TODO}": "{value: 10, unit: post, kind: national-police-staff, basis: additional, deadline: 2026}",
        '{fr: "TODO: Préfecture de ...", en: "TODO: Prefecture of ..."}': '{fr: "Préfecture de Testdépartement (fictif)", en: "Prefecture of Testdépartement (fictional)"}',
        '{fr: "TODO: Préfet de ...", en: "TODO: Prefect of ..."}': '{fr: "Préfet de Testdépartement (fictif)", en: "Prefect of Testdépartement (fictional)"}',
        "url: TODO ": 'url: "https://example.org/testville-2025" ',
        '{fr: "TODO: what the page is", en: "TODO"}': '{fr: "Annonce fictive", en: "Fictional announcement"}',
        "publisher: TODO ": 'publisher: "Exemple" ',
        "persons: {} ": 'persons: {jeanne-exemple: {name: "Jeanne Exemple", sources: [announcement]}} ',
    }
    for old, new in fills.items():
        assert old in text, old
        text = text.replace(old, new)
    text = text.replace("signatory: TODO", "signatory: jeanne-exemple").replace(
        "date: TODO", "date: 2025-01-10"
    )
    path = tmp_path / "testville-2025.yaml"
    path.write_text(text, encoding="utf-8")
    report = build([path], tmp_path, context=[], reference=[TERRITORIES])
    assert report.counts["Violation"] == 0 and report.counts["Warning"] == 0, report.to_text()
    assert (tmp_path / "testville-2025.ttl").exists()


# ---------------------------------------------------------------------- the command line


def test_cli_new_then_build_round_trip_end_to_end(tmp_path, monkeypatch):
    """As a user would: export Chambéry, build it (validated with all shipped contracts)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    exported = runner.invoke(cli, ["new", "--from", "chambery-2021"])
    assert exported.exit_code == 0, exported.output
    assert (
        exported.stdout == "wrote chambery-2021.yaml: edit it, then run csi-graph build chambery-2021.yaml\n"
    )
    again = runner.invoke(cli, ["new", "--from", "chambery-2021"])
    assert again.exit_code == 2
    assert (
        again.stderr
        == "Error: chambery-2021.yaml: exists; choose another file with -o, or use --force to replace it\n"
    )
    taken = runner.invoke(cli, ["build", "chambery-2021.yaml", "-o", "out"])
    assert taken.exit_code == 1  # the shipped chambery-2021.ttl describes that contract already
    assert taken.stderr.startswith(
        "Error: chambery-2021.yaml: contract id 'chambery-2021' is already the id of the contract in "
    )
    assert taken.stderr.rstrip().endswith("chambery-2021.ttl, written by hand; give this contract its own id")
    built = runner.invoke(cli, ["build", "chambery-2021.yaml", "-o", "out", "--force"])
    assert built.exit_code == 0, built.output
    shipped = Graph().parse(ROOT / "data" / "contracts" / "chambery-2021.ttl")
    assert built.stdout.splitlines()[-2:] == [
        f"written: out/chambery-2021.ttl ({len(shipped)} triples, from chambery-2021.yaml)",
        "0 violations, 0 warnings, 1 info in 1 contract: conforms",
    ]
    rebuilt = Graph().parse(tmp_path / "out" / "chambery-2021.ttl")
    assert isomorphic(rebuilt, shipped)


def test_cli_build_mistakes_exit_2_and_write_nothing(tmp_path):
    path, text = broken(tmp_path, "themes: [national-police-staffing]", "themes: [videoprotection]")
    result = CliRunner().invoke(
        cli, ["build", str(path), "-o", str(tmp_path / "out"), "--reference", str(TERRITORIES)]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}:{at(text, 'videoprotection')}: commitments[0] (state-01).themes[0]: unknown theme "
        f"'videoprotection'; did you mean video-protection?\n1 problem in {path}: nothing was written\n"
    )
    assert not (tmp_path / "out").exists()


def test_cli_new_scaffold(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", "Saint-Étienne", "--year", "2022"])
    assert result.exit_code == 0
    assert (
        result.stdout
        == "wrote saint-etienne-2022.yaml: fill it in, then run csi-graph build saint-etienne-2022.yaml\n"
    )
    text = (tmp_path / "saint-etienne-2022.yaml").read_text(encoding="utf-8")
    assert "  id: saint-etienne-2022 " in text and "territories: [commune/saint-etienne]" in text
    missing = CliRunner().invoke(cli, ["new"])
    assert missing.exit_code == 2
    assert missing.stderr == (
        "Error: name the city (csi-graph new Lyon --year 2025), or export one with --from CONTRACT\n"
    )


# ---------------------------------------------------------------------- other files


def test_an_id_that_another_file_defines_is_refused(tmp_path):
    """Issue 12: a new file with Dijon's id used to replace Dijon's shipped contract in silence."""
    text = (ROOT / "data" / "authoring" / "chatellerault-2023.yaml").read_text(encoding="utf-8")
    path = tmp_path / "lyon.yaml"
    path.write_text(text.replace("id: chatellerault-2023", "id: dijon-2021"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {path}: contract id 'dijon-2021' is already the id of the contract in "
    )
    assert result.stderr.endswith(
        "data/contracts/dijon-2021.ttl, built from dijon-2021.yaml; give this contract its own id\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_conflict_with_another_file_names_that_file_and_its_value(tmp_path):
    text = (ROOT / "data" / "authoring" / "chatellerault-2023.yaml").read_text(encoding="utf-8")
    text = text.replace("id: chatellerault-2023", "id: testville-2031")
    text = text.replace(
        'gerald-darmanin: {name: "Gérald Darmanin"', 'gerald-darmanin: {name: "Gerald Darmanin"'
    )
    path = tmp_path / "testville-2031.yaml"
    path.write_text(text, encoding="utf-8")
    report = build([path], tmp_path / "out")
    (result,) = [r for r in report.results if r.severity == "Violation"]
    assert result.shape == "csish:Person-name"
    assert 'data/contracts/arles-2021.ttl: "Gérald Darmanin"' in result.message("en")
    assert "(décrit aussi ailleurs — data/contracts/arles-2021.ttl" in result.message("fr")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------- the key reference


def test_every_key_the_compiler_accepts_is_explained(monkeypatch):
    from csi_graph.authoring import keys

    assert keys.undocumented() == []
    allowed, required = keys.KEYS["contract"]
    monkeypatch.setitem(keys.KEYS, "contract", (allowed | {"mystery"}, required))
    assert keys.undocumented() == [("contract", "mystery")]  # the check can fail


def test_the_key_reference_is_what_the_compiler_gives(runner, tmp_path):
    from csi_graph.authoring.keys import reference_markdown

    committed = ROOT / "docs" / "authoring-keys.md"
    assert committed.read_text(encoding="utf-8") == reference_markdown(), "run csi-graph docs"
    assert runner.invoke(cli, ["docs", "-o", str(tmp_path)]).exit_code == 0
    (tmp_path / "authoring-keys.md").write_text("edited by hand\n")
    stale = runner.invoke(cli, ["docs", "--check", "-o", str(tmp_path)])
    assert (stale.exit_code, stale.stderr) == (
        1,
        f"{tmp_path / 'authoring-keys.md'} is out of date: run csi-graph docs\n",
    )


def test_the_template_shows_every_new_notion(vocabulary):
    text = scaffold("Testville", "testville-2031", vocabulary)
    for notion in (
        "history:",
        "rank:",
        "renews:",
        "legal_basis:",
        "commitments_known:",
        "axes:",
        "partners:",
        "capacity: present",
        "part_of:",
        "qualifier: approximate",
        "min: 40, max: 90",
        "baseline:",
        "basis: relative",
        "basis: maintained",
        "same_target_as:",
        "stated_by:",
        "notes:",
        "announcements:",
        "official_name:",
        "departement:",
        "ungraded",
    ):
        assert notion in text, notion


def test_a_disputed_capacity_is_two_claims_and_no_signature(vocabulary, tmp_path):
    """A signature page says present, a review says signatory: neither is picked."""
    old = "    post: prefet/99\n    date: 2030-03-15\n"
    new = (
        "    post: prefet/99\n"
        "    capacity:\n"
        "      disputed:\n"
        "        - {value: present, sources: [announcement]}\n"
        "        - {value: signatory, sources: [follow-up]}\n"
        "    date: 2030-03-15\n"
    )
    path, _ = broken(tmp_path, old, new)
    graph = compile_file(path, vocabulary).graph
    signature = URIRef(f"{DATA_BASE}signature/testville-2030/state-1")
    types = set(graph.objects(signature, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    assert types == {URIRef(CSI + "SigningParticipation")}
    claims = {
        str(graph.value(c, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")))
        for c in graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), signature)
        if graph.value(c, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"))
        == URIRef(CSI + "capacity")
    }
    assert claims == {
        "https://w3id.org/csi-graph/signature-capacity/present",
        "https://w3id.org/csi-graph/signature-capacity/signatory",
    }
    report = build([path], tmp_path / "out", context=[], reference=[TERRITORIES])
    assert report.conforms, report.to_text()
