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


@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory):
    """About 10,000 triples of synthetic contracts with one planted mistake of each kind."""
    from csi_graph.synthetic import PLANTS, generate

    return generate(
        tmp_path_factory.mktemp("synthetic") / "synthetic-10k.ttl", triples=10_000, violations=len(PLANTS)
    )
