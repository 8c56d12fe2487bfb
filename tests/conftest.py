"""Shared fixtures. Nothing here reaches the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from csi_graph.loader import load

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
ROOT = TESTS.parent
SYNTHETIC = FIXTURES / "synthetic-contract.ttl"
SEED = ROOT.parent / "shared" / "seeds" / "chambery-csi-press-release.txt"


@pytest.fixture(scope="session")
def shipped():
    """The ontology and the shipped data, loaded once."""
    return load()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


PACKAGE_DATE = "2026-11-30"


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory):
    """An open-data package of Chambéry's contract and the synthetic one, built once."""
    import datetime

    from csi_graph.catalog import PublishSettings
    from csi_graph.package import build_package

    dataset = load([ROOT / "data" / "contracts" / "chambery-2021.ttl", SYNTHETIC], contracts=False)
    settings = PublishSettings(
        base_url="https://data.example.org/csi/",
        publisher_name="Testville open data team (synthetic)",
        contact_email="opendata@example.org",
        date=datetime.date.fromisoformat(PACKAGE_DATE),
    )
    folder = tmp_path_factory.mktemp("package") / "out"
    build_package(dataset, folder, settings)
    return folder
