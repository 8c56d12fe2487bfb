"""A real browser (Debian's chromium, headless, driven by Playwright) on ``csi-graph serve``.

It opens the home page, goes to Chambéry's contract, switches to French, runs a named query
on the query page and reads the rows, and saves the screenshots the README shows
into a temporary folder. ``.ci/run`` installs chromium. Without it the tests are skipped
with the reason shown, except under CI (``CI=true``), where its absence fails them.

The screenshots the documentation shows (``docs/screenshots/``) are refreshed on purpose,
never by a plain test run::

    CSI_GRAPH_SCREENSHOTS=docs/screenshots pytest tests/test_browser.py -n 0
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from liveserver import FIXTURE_QUERIES, running_server
from playwright.sync_api import expect, sync_playwright

from csi_graph.files import write_atomic

CHROMIUM = os.environ.get("CSI_GRAPH_CHROMIUM", "/usr/bin/chromium")  # another path: to try the rule below
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# As root, without a network: no sandbox, and none of chromium's own connections.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, or the one CSI_GRAPH_SCREENSHOTS names."""
    chosen = os.environ.get("CSI_GRAPH_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def page(screenshots):
    if not Path(CHROMIUM).exists():
        message = f"Debian's chromium is missing ({CHROMIUM}): apt-get install chromium (.ci/run does)"
        if ON_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with (
        running_server("--queries", str(FIXTURE_QUERIES)) as (_, url),
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory() as profile,  # a new, empty profile
    ):
        browser = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
        )
        tab = browser.new_page()
        tab.base_url = url  # type: ignore[attr-defined]
        tab.screenshots = screenshots  # type: ignore[attr-defined]
        yield tab
        browser.close()


def screenshot(tab, name: str) -> None:
    path = tab.screenshots / name
    write_atomic(path, tab.screenshot(full_page=False))
    assert path.stat().st_size > 0


def test_home_to_contract_to_french(page):
    page.goto(page.base_url + "/")
    expect(page.locator("h1")).to_have_text("Integrated security contracts")
    screenshot(page, "home.png")
    page.get_by_role("link", name="First integrated security contract of Chambéry").click()
    expect(page).to_have_url(page.base_url + "/id/contract/chambery-2021.en.html")
    expect(page.locator("h1")).to_have_text("First integrated security contract of Chambéry")
    expect(page.locator("table.parties tbody tr")).to_have_count(3)
    expect(page.locator("table.signatures")).to_contain_text("Pascal Bolot")
    expect(page.locator("table.commitments tbody tr")).to_have_count(16)
    screenshot(page, "contract.png")
    page.locator("#lang-switch").click()
    expect(page).to_have_url(page.base_url + "/id/contract/chambery-2021.fr.html")
    expect(page.locator("h1")).to_have_text("Premier contrat de sécurité intégrée de Chambéry")
    expect(page.locator("#by-party")).to_have_text("Engagements par partie")


def test_a_link_goes_from_the_contract_to_a_commitment_and_its_data(page):
    page.goto(page.base_url + "/id/contract/chambery-2021")  # the IRI itself: 303 to the page
    expect(page).to_have_url(page.base_url + "/id/contract/chambery-2021.en.html")
    page.get_by_role("link", name="Creation of 10 additional national police officer posts").first.click()
    expect(page).to_have_url(page.base_url + "/id/commitment/chambery-2021/state-01.en.html")
    expect(page.locator("blockquote")).to_contain_text(
        "Création de 10 postes de fonctionnaires de la police nationale supplémentaires"
    )


def test_a_named_query_runs_on_the_query_page(page):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Query", exact=True).click()
    page.get_by_role("link", name="Commitments of a contract (test fixture)").click()
    expect(page.locator("#query-text")).to_contain_text("chambery-2021")
    page.locator("#run").click()
    rows = page.locator("#results-table tbody tr")
    expect(rows).to_have_count(16)
    expect(rows.first).to_contain_text("city-01")
    expect(page.locator("#results-table")).to_contain_text(
        "Creation of 10 additional national police officer posts"
    )
    expect(page.locator("#row-count")).to_have_text("16 rows")
    download = page.locator("a.download", has_text="CSV")
    with page.expect_download() as info:
        download.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "identifier,party,label"
    assert len(text.splitlines()) == 17


def test_a_refused_query_shows_an_error_on_the_page(page):
    page.goto(page.base_url + "/query")
    page.locator("#query-text").fill("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    page.locator("#run").click()
    expect(page.locator("#query-error")).to_contain_text("SERVICE is refused")


def test_the_register_page_from_the_home_page_in_both_languages(page):
    page.goto(page.base_url + "/index.en.html")
    contracts = page.locator("#contracts tbody tr").count()
    page.locator("#register-link").click()
    expect(page).to_have_url(page.base_url + "/register.en.html")
    expect(page.locator("h1")).to_contain_text("Register of contracts")
    expect(page.locator("#register tbody tr")).to_have_count(contracts)
    page.locator("#lang-switch").click()
    expect(page).to_have_url(page.base_url + "/register.fr.html")
    expect(page.locator("#register thead")).to_contain_text("Complétude")
    expect(page.locator("#register tbody tr")).to_have_count(contracts)
