"""A data file cannot switch validation off (issue 11, finding 2).

Before, a contract file holding one extra ``<urn:x> a sh:NodeShape .`` counted as a shapes
file, so its data was never validated ("No issues found"), and ``sh:deactivated true`` on
the project's shapes did the same; ``package`` then published invalid data. Shapes now come
only from the ontology folder (and files named with ``validate --shapes``), and a data file
that declares or deactivates a shape is itself a violation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF
from rdflib.namespace import SH

from csi_graph.cli import cli
from csi_graph.loader import load

ROOT = Path(__file__).resolve().parent.parent
CHAMBERY = ROOT / "data" / "contracts" / "chambery-2021.ttl"
# Chambéry's real data with one mistake planted: a theme that does not exist.
MISTAKE = (
    "<https://w3id.org/csi-graph/id/commitment/chambery-2021/state-01> "
    "<https://w3id.org/csi-graph/ontology#theme> <https://w3id.org/csi-graph/theme/no-such-theme> .\n"
)


def project_shapes() -> list[str]:
    shapes = load(contracts=False).shapes_graph
    return sorted(
        {
            str(s)
            for kind in (SH.NodeShape, SH.PropertyShape)
            for s in shapes.subjects(RDF.type, kind)
            if "#" in str(s)
        }
    )


def switch_offs() -> dict[str, str]:
    deactivate = "".join(
        f"<{shape}> <http://www.w3.org/ns/shacl#deactivated> true .\n" for shape in project_shapes()
    )
    return {
        "an extra shape": "<urn:x> a <http://www.w3.org/ns/shacl#NodeShape> .\n",
        "every project shape deactivated": deactivate,
        "both": "<urn:x> a <http://www.w3.org/ns/shacl#NodeShape> .\n" + deactivate,
    }


@pytest.fixture
def planted(tmp_path):
    def write(extra: str) -> Path:
        path = tmp_path / "chambery-2021.ttl"
        path.write_text(CHAMBERY.read_text(encoding="utf-8") + "\n" + MISTAKE + extra, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    ("case", "engine"),
    [("an extra shape", "pyshacl"), ("every project shape deactivated", "sparql"), ("both", "sparql")],
)
def test_validate_still_finds_the_mistake(runner, planted, case, engine):
    assert len(project_shapes()) > 20
    path = planted(switch_offs()[case])
    result = runner.invoke(cli, ["validate", str(path), "--engine", engine])
    assert result.exit_code == 1, result.output
    assert "csish:Commitment-theme" in result.stdout  # the planted mistake
    assert "shapes come only from the ontology, never from a data file" in result.stdout
    assert "No issues found" not in result.stdout


def test_package_refuses_the_data(runner, planted, tmp_path):
    path = planted(switch_offs()["both"])
    out = tmp_path / "package"
    result = runner.invoke(cli, ["package", str(out), str(path), "-q"])
    assert result.exit_code == 1, result.output
    assert not out.exists()


def test_shapes_of_ones_own_are_named_explicitly(runner, tmp_path):
    # Synthetic shape, for this test only: every contract must have a rdfs:comment (none has).
    shapes = tmp_path / "extra.shacl.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:test:CommentShape> a sh:NodeShape ; sh:targetClass <https://w3id.org/csi-graph/ontology#IntegratedSecurityContract> ;\n"
        "  sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#comment> ; sh:minCount 1 ;"
        ' sh:message "A contract needs a comment (a test shape)."@en ] .\n'
    )
    as_data = runner.invoke(cli, ["validate", str(CHAMBERY), str(shapes)])
    assert as_data.exit_code == 1 and "declares a SHACL shape <urn:test:CommentShape>" in as_data.stdout
    named = runner.invoke(cli, ["validate", str(CHAMBERY), "--shapes", str(shapes)])
    assert named.exit_code == 1
    assert "A contract needs a comment (a test shape)." in named.stdout
    assert "declares a SHACL shape" not in named.stdout


def test_the_shipped_data_declares_no_shape(shipped):
    assert {info.role for info in shipped.graphs if info.path and "ontology" not in info.path.parts} == {
        "data"
    }
