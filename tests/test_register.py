"""The register on the shipped data: its summary in ``info``, compare by completeness, the
register page, the register table of the package and the chart of signatures per quarter.

Every figure is recounted here from the graph (rdflib, independent of the queries) or taken
from the named query the feature claims to show; none is typed in.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from rdflib import RDF
from test_model import C, completeness, identifier

from csi_graph.cli import cli
from csi_graph.compare import compare
from csi_graph.register import LEVELS, at_least, register, summary


@pytest.fixture(scope="module")
def entries(shipped):
    return register(shipped)


@pytest.fixture(scope="module")
def graph(shipped):
    return shipped.data_graph


def recount(graph) -> dict[str, str]:
    """Each contract's level of completeness, recounted on the graph."""
    return {
        identifier(graph, c): completeness(graph, c)
        for c in graph.subjects(RDF.type, C("IntegratedSecurityContract"))
    }


# ---------------------------------------------------------------------- the library


def test_register_is_every_contract_in_the_canonical_order(shipped, entries, graph):
    from csi_graph.contracts import contract_facts

    order = [c.identifier for c in contract_facts(shipped)]
    assert [e.identifier for e in entries] == order
    levels = recount(graph)
    assert {e.identifier: e.completeness for e in entries} == levels
    query = {r["identifier"]: r for r in shipped.query("register").to_dicts()}
    for e in entries:
        row = query[e.identifier]
        assert (e.state, e.precision, e.rank, e.sources) == (
            row["state"],
            row["precision"],
            row["rank"],
            row["sources"],
        )
        assert e.date == (str(row["date"]) if row["date"] is not None else None)


def test_at_least_keeps_that_level_and_the_more_complete(entries, graph):
    levels = recount(graph)
    for rank, level in enumerate(LEVELS):
        kept = {e.identifier for e in at_least(entries, level)}
        assert kept == {c for c, got in levels.items() if LEVELS.index(got) >= rank}, level
    assert len(at_least(entries, "listed")) == len(entries)
    # the shipped data has contracts at several levels, so the option really filters
    assert len({e.completeness for e in entries}) > 1


def test_summary_counts_states_and_levels(entries, graph, shipped):
    s = summary(entries)
    assert s["contracts"] == len(set(graph.subjects(RDF.type, C("IntegratedSecurityContract"))))
    assert s["completeness"] == {level: Counter(recount(graph).values())[level] for level in LEVELS}
    assert list(s["completeness"]) == list(LEVELS)
    labels = Counter(
        shipped.labels.label(str(graph.value(c, C("contractStatus"))), "en")
        for c in graph.subjects(RDF.type, C("IntegratedSecurityContract"))
    )
    assert s["states"] == dict(labels)


# ---------------------------------------------------------------------- info


def test_info_shows_the_register_in_text_and_json(runner, entries):
    s = summary(entries)
    text = runner.invoke(cli, ["info"])
    assert text.exit_code == 0, text.output
    assert f"Register: {s['contracts']} contracts" in text.output
    for level, n in s["completeness"].items():
        assert f"{level} {n}" in text.output
    for state, n in s["states"].items():
        assert f"{state} {n}" in text.output
    document = runner.invoke(cli, ["info", "-f", "json"])
    assert document.exit_code == 0, document.output
    assert json.loads(document.output)["register"] == s


# ---------------------------------------------------------------------- compare --completeness


@pytest.mark.parametrize("level", LEVELS)
def test_compare_by_completeness(shipped, entries, level):
    expected = [e.identifier for e in at_least(entries, level)]
    chosen = compare(shipped, completeness=level)
    assert sorted(c.identifier for c in chosen.contracts) == sorted(expected)
    assert set(chosen.themes) == set(expected)


def test_compare_completeness_on_the_command_line_and_the_chart(runner, entries, tmp_path):
    level = "commitments"
    kept = {e.identifier for e in at_least(entries, level)}
    dropped = {e.identifier for e in entries} - kept
    assert kept and dropped  # the shipped data has both
    chart = tmp_path / "themes.svg"
    result = runner.invoke(cli, ["compare", "-f", "json", "--completeness", level, "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert {c["identifier"] for c in json.loads(result.output)["contracts"]} == kept
    svg = chart.read_text(encoding="utf-8")
    for identifier_ in kept:
        assert f"<title>{identifier_} – " in svg
    for identifier_ in dropped:
        assert f"<title>{identifier_} – " not in svg


def test_compare_completeness_that_keeps_nothing_is_a_usage_error(runner, entries):
    thin = next(e for e in entries if e.completeness == LEVELS[0])
    result = runner.invoke(cli, ["compare", thin.identifier, "--completeness", LEVELS[-1]])
    assert result.exit_code == 2
    assert "documented at the level" in result.output
    bad = runner.invoke(cli, ["compare", "--completeness", "everything"])
    assert bad.exit_code == 2 and "is not one of" in bad.output


# ---------------------------------------------------------------------- the package's register table


def _csv(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_package_ships_the_register_as_the_query_gives_it(shipped_package, entries):
    from csi_graph.tables import REGISTER

    rows = {r["contract"]: r for r in _csv(shipped_package / REGISTER.file)}
    assert set(rows) == {e.identifier for e in entries}
    for e in entries:
        row = rows[e.identifier]
        assert row["date"] == (e.date or "") and row["date_precision"] == (e.precision or "")
        assert row["completeness"] == e.completeness and int(row["sources"]) == e.sources
        assert row["rank"] == ("" if e.rank is None else str(e.rank))
        assert row["state"] == e.state
    # partial dates are shipped as the source gives them, with their precision
    assert {r["date_precision"] for r in rows.values()} >= {"day", "month", "year"}
    assert any(len(r["date"]) == 4 for r in rows.values()) and any(len(r["date"]) == 7 for r in rows.values())
    contracts = {r["contract"] for r in _csv(shipped_package / "tables" / "contracts.csv")}
    assert set(rows) <= contracts


def test_frictionless_validates_the_register_and_its_link_to_contracts(
    shipped_package, tmp_path, monkeypatch
):
    import shutil

    import frictionless

    from csi_graph.tables import REGISTER

    monkeypatch.chdir(shipped_package)
    alone = frictionless.validate(REGISTER.file, schema=REGISTER.schema_file)
    assert alone.valid, alone.flatten(["rowNumber", "fieldName", "type", "note"])
    assert alone.tasks[0].stats["rows"] == len(_csv(shipped_package / REGISTER.file))
    assert frictionless.validate(REGISTER.schema_file, type="schema").valid
    linked = frictionless.validate("datapackage.json", resource_name="register")
    assert linked.valid, linked.flatten(["rowNumber", "fieldName", "type", "note"])
    # and both can fail: a precision that is no precision, a contract that contracts.csv lacks
    broken = tmp_path / "broken"
    shutil.copytree(shipped_package, broken)
    monkeypatch.chdir(broken)
    rows = _csv(broken / REGISTER.file)
    rows[0] |= {"contract": "no-such-contract", "date_precision": "week"}
    with (broken / REGISTER.file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    errors = frictionless.validate("datapackage.json", resource_name="register").flatten(["type"])
    assert ["foreign-key"] in errors and ["constraint-error"] in errors, errors


# ---------------------------------------------------------------------- the register page


@pytest.fixture(scope="module")
def client(shipped):
    import warnings

    from csi_graph.web.app import Settings, create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    with TestClient(create_app(shipped, Settings(workers=1))) as test_client:
        yield test_client


def _rows_of(page: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<tr data-contract="([^"]+)" data-completeness="([^"]+)">', page)


@pytest.mark.parametrize(
    ("url", "lang", "heading"),
    [
        ("/register", "en", "Register of contracts"),
        ("/register.en.html", "en", "Register of contracts"),
        ("/register.fr.html", "fr", "Registre des contrats"),
        ("/register?lang=fr", "fr", "Registre des contrats"),
    ],
)
def test_the_server_shows_the_register_in_both_languages(client, entries, url, lang, heading):
    page = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 200 and page.headers["content-language"] == lang
    assert heading in page.text
    assert _rows_of(page.text) == [(e.identifier, e.completeness) for e in entries]
    for e in entries:
        assert f'href="id/contract/{e.identifier}.{lang}.html"' in page.text
        if e.date:
            assert f"<time>{e.date}</time>" in page.text


def test_the_register_rows_show_state_date_rank_and_sources(shipped, client):
    import html
    import re

    page = client.get("/register.fr.html").text
    french = register(shipped, "fr")
    cells = re.findall(r"<tr data-contract[^>]*>(.*?)</tr>", page, flags=re.S)
    assert len(cells) == len(french)
    levels = {"listed": "listé seulement", "signatories": "signataires", "commitments": "engagements"}
    levels["follow-up"] = "suivi"
    for e, row in zip(french, cells, strict=True):
        texts = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        assert texts[0] == e.identifier and texts[1] == (e.territories or "")
        assert texts[2].startswith(e.state) and texts[3] == (e.date or "")
        assert texts[5] == ("" if e.rank is None else str(e.rank))
        assert texts[6] == levels[e.completeness] and texts[7] == str(e.sources)


def test_the_home_page_links_to_the_register_and_the_static_site_has_it(shipped, client, entries):
    from csi_graph.web.app import render_site_page
    from csi_graph.web.pages import LANGUAGES, Pages
    from csi_graph.web.render import Renderer

    home = client.get("/index.fr.html").text
    assert 'href="register.fr.html" id="register-link"' in home
    pages = Pages(shipped)
    renderer = Renderer(pages, live=False)
    alternates = {code: f"register.{code}.html" for code in LANGUAGES}
    for lang in LANGUAGES:
        html = render_site_page(renderer, pages, "register", f"register.{lang}.html", lang, alternates)
        assert _rows_of(html) == [(e.identifier, e.completeness) for e in entries]


# ---------------------------------------------------------------------- signatures per quarter

CHART = "docs/charts/signatures-by-quarter.svg"


def test_signings_are_the_signed_contracts_by_their_earliest_date(shipped, graph):
    from test_model import signed_dates

    from csi_graph.register import signings

    dates = signed_dates(graph)  # recounted on the graph, independently of the query
    counts = signings(shipped)
    expected_quarters = Counter(
        (int(d[:4]), (int(d[5:7]) - 1) // 3 + 1) for d in dates.values() if d and len(d) >= 7
    )
    assert counts.quarters == dict(expected_quarters)
    assert counts.years_only == dict(Counter(int(d) for d in dates.values() if d and len(d) == 4))
    assert counts.undated == sum(1 for d in dates.values() if d is None)
    assert counts.total == len(dates)


def _bars(svg: str) -> dict[str, int]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return {
        g.get("data-period"): int(g.get("data-count"))
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("data-period")
    }


def test_the_chart_draws_the_figures_of_the_query(shipped, runner, tmp_path):
    from csi_graph.register import signings

    counts = signings(shipped)
    for lang in ("en", "fr"):
        out = tmp_path / f"quarters.{lang}.svg"
        result = runner.invoke(cli, ["signatures", "--chart", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
        bars = _bars(out.read_text(encoding="utf-8"))
        drawn = {period: n for period, n in bars.items() if n}
        expected = {f"{y}-Q{q}": n for (y, q), n in counts.quarters.items()}
        expected |= {str(y): n for y, n in counts.years_only.items()}
        assert drawn == expected
        # every quarter from the first year to the last has its bar, empty ones too
        first, last = counts.years[0], counts.years[-1]
        quarters = {p for p in bars if "-Q" in p}
        assert quarters == {f"{y}-Q{q}" for y in range(first, last + 1) for q in range(1, 5)}
    text = result.output
    assert f"Signed contracts: {counts.total}" in text
    for (year, quarter), n in counts.quarters.items():
        assert f"{year} Q{quarter}  {n:>3}" in text


def test_the_committed_chart_is_what_the_command_draws(runner, tmp_path):
    from conftest import ROOT

    out = tmp_path / "signatures-by-quarter.svg"
    assert runner.invoke(cli, ["signatures", "--chart", str(out)]).exit_code == 0
    committed = (ROOT / CHART).read_text(encoding="utf-8")
    assert committed == out.read_text(encoding="utf-8"), (
        f"{CHART} is out of date: run csi-graph signatures --chart {CHART}"
    )


def test_the_chart_must_be_svg(runner, tmp_path):
    result = runner.invoke(cli, ["signatures", "--chart", str(tmp_path / "chart.png")])
    assert result.exit_code == 2 and "ending in .svg" in result.output
    assert not (tmp_path / "chart.png").exists()


def test_the_register_page_of_the_docs_shows_the_chart_and_the_commands_that_give_its_figures():
    from conftest import ROOT

    page = (ROOT / "docs" / "register.md").read_text(encoding="utf-8")
    assert "](charts/signatures-by-quarter.svg)" in page
    assert f"$ csi-graph signatures --chart {CHART}\n" in page  # the command the chart test runs
    for command in ("signed-by -p date 2022-01-12", "signed-by -p date 2023-09-30", "compare --completeness"):
        assert f"$ csi-graph query {command}" in page or f"$ csi-graph {command}" in page, command
    # the counts the sources give, with their addresses
    assert "https://banquedesterritoires.fr/17-contrats-de-securite-integree-signes" in page
    assert "chatellerault-la-ville-signe-un-contrat-de-securite-integree" in page
