"""Hostile and odd inputs get a clear error and a bounded cost; outputs are written whole, with
the right mode, and never replace what they must not (issue 11, findings 4 and 9; issue 12).

The hostile files are synthetic, made here for these tests only.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csi_graph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CHAMBERY = ROOT / "data" / "contracts" / "chambery-2021.ttl"
SYNTHETIC_YAML = ROOT / "tests" / "fixtures" / "synthetic-contract.yaml"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def csi_graph(
    *args: str, umask: int | None = None, cwd: Path | None = None, **limits
) -> subprocess.CompletedProcess:
    """The installed command as a user runs it, with optional process limits."""

    def prepare() -> None:
        if umask is not None:
            os.umask(umask)
        if "file_size" in limits:  # a full disk, for this process only
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"]))
        if limits.get("no_dac_override"):  # root without its power to read any folder
            libc = ctypes.CDLL(None, use_errno=True)
            for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
                libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec

    return subprocess.run(
        [sys.executable, "-m", "csi_graph", *args],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=prepare,
        cwd=cwd,
    )


# RDF/XML and JSON-LD ----------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "'
    + "a" * 70
    + '">\n'
    + "".join(f' <!ENTITY {b} "{f"&{a};" * 20}">\n' for a, b in zip("abcdefg", "bcdefgh", strict=True))
    + f']>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
    ' <rdf:Description rdf:about="http://example.org/x"><ex:p>&h;</ex:p></rdf:Description>\n</rdf:RDF>\n'
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (LAUGHS, r"laughs.rdf:\d+:\d+: refused: its entities \(&name;\) expand"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY x SYSTEM "file:///etc/hostname"> ]>\n'
            f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
            "<ex:p>&x;</ex:p></rdf:Description></rdf:RDF>\n",
            r"laughs.rdf:2:\d+: refused: declares an external entity \(x\)",
        ),
        (
            f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://e/">'
            + "<rdf:Description><e:p>" * 3000
            + "</e:p></rdf:Description>" * 3000
            + "</rdf:RDF>",
            r"refused: elements nested more than 500 deep \(limit CSI_GRAPH_XML_MAX_DEPTH=500 elements\)",
        ),
    ],
)
def test_hostile_rdf_xml_is_refused_at_once(runner, tmp_path, content, message):
    path = tmp_path / "laughs.rdf"
    path.write_text(content)
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert time.monotonic() - started < 30
    import re

    assert re.search(message, result.stderr), result.stderr


def test_ordinary_xml_entities_still_load(runner, tmp_path):
    # Protégé writes RDF/XML with an entity per namespace: that stays fine.
    path = tmp_path / "entities.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY rdf "{RDF}"> <!ENTITY ex "http://example.org/"> ]>\n'
        '<rdf:RDF xmlns:rdf="&rdf;" xmlns:ex="&ex;"><rdf:Description rdf:about="&ex;x"><ex:p>v</ex:p>'
        "</rdf:Description></rdf:RDF>\n"
    )
    result = runner.invoke(cli, ["info", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output


def test_a_json_ld_file_past_the_size_limit_is_refused(runner, tmp_path, monkeypatch):
    path = tmp_path / "big.jsonld"
    path.write_text('{"@id": "http://example.org/x", "http://example.org/p": "' + "v" * 5000 + '"}')
    monkeypatch.setenv("CSI_GRAPH_TREE_INPUT_MAX_BYTES", "4096")
    result = runner.invoke(cli, ["info", str(path)])
    assert result.exit_code == 2
    assert "parsed in memory: convert it to N-Triples or Turtle" in result.stderr
    assert "(limit CSI_GRAPH_TREE_INPUT_MAX_BYTES=4096 bytes)" in result.stderr


def test_a_bad_limit_setting_is_a_clear_error(runner, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_QUERY_MAX_NESTING", "lots")
    result = runner.invoke(cli, ["query", "-e", "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 2
    assert result.stderr == "Error: CSI_GRAPH_QUERY_MAX_NESTING='lots': give a positive number of levels\n"


# YAML authoring files ----------------------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ALIAS_BOMB, "more than 200,000 values once its aliases (*name) are expanded"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 40 levels deep"),
        ("a: &a\n  b: *a\n", "an alias (*name) nests it more than 40 levels deep"),
    ],
)
def test_hostile_yaml_is_refused_at_once(runner, tmp_path, content, message):
    path = tmp_path / "bomb.yaml"
    path.write_text(content)
    started = time.monotonic()
    result = runner.invoke(cli, ["build", str(path), "-o", str(tmp_path / "out")])
    assert time.monotonic() - started < 10
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_authoring_file_with_a_byte_order_mark_reads(tmp_path):
    from csi_graph.authoring.yamlfile import read_yaml

    path = tmp_path / "testville-2030.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SYNTHETIC_YAML.read_bytes())
    with_mark, problems = read_yaml(path, path.name)
    without, _ = read_yaml(SYNTHETIC_YAML, path.name)
    assert problems == [] and with_mark.keys() == without.keys() and "contract" in with_mark.entries


# Odd files and folders ---------------------------------------------------------------------------


def test_a_byte_order_mark_is_read_in_turtle_and_queries(runner, tmp_path):
    data = tmp_path / "bom.ttl"
    data.write_bytes(b'\xef\xbb\xbf<urn:test:a> <urn:test:b> "c" .\n')
    query = tmp_path / "bom.rq"
    query.write_bytes(b"\xef\xbb\xbfSELECT ?c WHERE { <urn:test:a> <urn:test:b> ?c }\n")
    result = runner.invoke(cli, ["--no-cache", "query", str(query), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "(1 row)" in result.stdout


def test_a_fifo_is_refused_not_waited_for(tmp_path):
    fifo = tmp_path / "stream.ttl"
    os.mkfifo(fifo)
    result = csi_graph("validate", str(fifo))
    assert result.returncode == 2
    assert result.stderr == f"Error: {fifo}: is a FIFO, not a regular file: save the data to a file first\n"


def test_a_dangling_link_in_a_folder_is_an_error(runner, tmp_path):
    (tmp_path / "contract.ttl").write_text(CHAMBERY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "moved.ttl").symlink_to(tmp_path / "nowhere.ttl")
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {tmp_path / 'moved.ttl'}: a symbolic link to {tmp_path / 'nowhere.ttl'}, which does not exist\n"
    )


def test_an_unreadable_sub_folder_is_an_error(tmp_path):
    (tmp_path / "contract.ttl").write_text(CHAMBERY.read_text(encoding="utf-8"), encoding="utf-8")
    hidden = tmp_path / "more"
    hidden.mkdir()
    (hidden / "other.ttl").write_text("<urn:test:a> <urn:test:b> <urn:test:c> .\n")
    hidden.chmod(0)
    try:
        result = csi_graph("validate", str(tmp_path), no_dac_override=True)
    finally:
        hidden.chmod(0o755)
    assert result.returncode == 2, result.stdout
    assert result.stderr == f"Error: {hidden}: cannot read this folder: Permission denied\n"


# Writing outputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("umask", "mode"), [pytest.param(0o022, 0o644, marks=pytest.mark.slow), (0o077, 0o600)]
)  # 4.5 s each
def test_outputs_get_the_mode_of_the_umask(tmp_path, umask, mode):
    territories = str(ROOT / "tests" / "fixtures" / "synthetic-territories.ttl")
    synthetic = str(ROOT / "tests" / "fixtures" / "synthetic-contract.ttl")
    written = {
        "query": ["query", "-e", "ASK { ?s ?p ?o }", "-o", "ask.txt"],
        "export": ["export", "-f", "nt", "-o", "out.nt"],
        "new": ["new", "Testville", "--year", "2031"],
        "chart": ["compare", "--chart", "chart.svg", "-s", "overview"],
        "build": ["build", str(SYNTHETIC_YAML), "-o", "built", "--reference", territories],
        "package": ["package", "package", synthetic, "--no-validate", "-q"],
    }
    for args in written.values():
        result = csi_graph(*args, umask=umask, cwd=tmp_path)
        assert result.returncode in (0, 1), result.stderr
    files = ["ask.txt", "out.nt", "testville-2031.yaml", "chart.svg", "built/testville-2030.ttl"]
    files += [str(p.relative_to(tmp_path)) for p in (tmp_path / "package").rglob("*") if p.is_file()]
    assert "package/tables/contracts.csv" in files
    for name in files:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
    for folder in ("built", "package", "package/tables"):  # folders: searchable as the umask allows
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o777 & ~umask, folder


def test_replacing_a_file_keeps_its_mode_and_follows_links(tmp_path):
    real = tmp_path / "real.nt"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    result = csi_graph("export", "-f", "nt", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("<")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_device_given_as_output_is_written_to_not_replaced(tmp_path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the same device as /dev/null
    result = csi_graph("export", "-f", "nt", "-o", str(device))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(device.stat().st_mode)
    assert os.major(device.stat().st_rdev) == 1 and os.minor(device.stat().st_rdev) == 3


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("full disk", "cannot write: File too large; nothing was changed there"),
        ("name too long", "cannot write: File name too long; nothing was changed there"),
    ],
)
def test_a_failed_write_is_a_clear_error_and_changes_nothing(tmp_path, problem, expected):
    target = tmp_path / ("out.nt" if problem == "full disk" else "x" * 300 + ".nt")
    if problem == "full disk":
        target.write_text("previous\n")
        result = csi_graph("export", "-f", "nt", "-o", str(target), file_size=10_000)
    else:
        result = csi_graph("export", "-f", "nt", "-o", str(target))
    assert result.returncode == 2
    assert result.stderr == f"Error: {target}: {expected}\n"
    if problem == "full disk":
        assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


# Blank-node canonicalisation (export, package) ---------------------------------------------------


def chain(tmp_path: Path, length: int) -> Path:
    path = tmp_path / f"chain-{length}.nt"
    path.write_text("".join(f"_:b{i} <http://example.org/next> _:b{i + 1} .\n" for i in range(length)))
    return path


@pytest.mark.parametrize(
    ("setting", "limit", "other"),
    [
        ("CSI_GRAPH_CANON_MAX_SECONDS", "0.5", "CSI_GRAPH_CANON_MAX_MEMORY"),
        ("CSI_GRAPH_CANON_MAX_MEMORY", "20000000", "CSI_GRAPH_CANON_MAX_SECONDS"),
    ],
)
def test_canonical_labelling_is_bounded(tmp_path, monkeypatch, setting, limit, other):
    monkeypatch.setenv(setting, limit)
    monkeypatch.setenv(other, "4000000000" if other.endswith("MEMORY") else "600")  # the other bound is far
    started = time.monotonic()
    result = csi_graph("export", str(chain(tmp_path, 1000)), "-f", "nt")  # took minutes before
    assert time.monotonic() - started < 60
    assert result.returncode == 2
    assert "1000 blank nodes are the values of other blank nodes" in result.stderr
    assert f"(limit {setting}={limit} " in result.stderr
    assert "memory allocation" not in result.stderr


def test_linked_blank_nodes_within_bounds_export_the_same_bytes(runner, tmp_path):
    path = chain(tmp_path, 40)
    first = runner.invoke(cli, ["export", str(path), "-f", "nt"])
    second = runner.invoke(cli, ["export", str(path), "-f", "nt"])
    assert first.exit_code == 0 and first.stdout == second.stdout
    lines = [line for line in first.stdout.splitlines() if "<http://example.org/next>" in line]
    assert len(lines) == 40 and all(line.startswith("_:c14n") for line in lines)


# Folders written as a whole: site and package -----------------------------------------------------


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A site built (3 s of CPU) once for the two tests below: from the ontology and reference
    data with a synthetic resource whose path segment is 300 long, in a folder where a killed
    build left its temporary folder. The folder, the build's report, the leftover's name."""
    from csi_graph.loader import load
    from csi_graph.web.site import write_site

    folder = tmp_path_factory.mktemp("small-site")
    data = folder / "long.ttl"
    data.write_text(
        f'<https://w3id.org/csi-graph/id/thing/{"x" * 300}> <http://www.w3.org/2000/01/rdf-schema#label> "long"@en .\n'
    )
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that is no longer alive, as a killed build's
    left = folder / f".public.tmp-{gone.pid}-0123abcd"  # the folder such a build leaves
    (left / "id").mkdir(parents=True)
    report = write_site(load([data], contracts=False, store="oxigraph"), folder / "public")
    return folder, report, left


def test_site_skips_a_segment_too_long_for_a_file_name(small_site):
    folder, report, _ = small_site  # the build aborted before
    assert report.skipped == [f"https://w3id.org/csi-graph/id/thing/{'x' * 300}"]
    assert (folder / "public" / "index.html").is_file()


def test_what_a_killed_site_build_left_is_cleaned_up_by_the_next(small_site):
    folder, _, left = small_site
    assert not left.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["long.ttl", "public"]


def test_package_force_never_replaces_a_repository(runner, tmp_path):
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    (work / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["package", str(work), "--force", "-q"])
    assert result.exit_code == 2
    assert "holds a .git folder: --force never replaces a repository" in result.stderr
    assert (work / "notes.txt").read_text() == "mine" and (work / ".git").is_dir()


# CSV tables opened in a spreadsheet ----------------------------------------------------------------


def test_text_cells_never_become_spreadsheet_formulas_and_still_read_back(tmp_path):
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic

    from csi_graph.loader import load
    from csi_graph.tables import COMMITMENTS, PARTIES, SIGNATORIES, build_tables, read_back

    hostile = '=HYPERLINK(\\"http://example.org/\\",\\"click\\")'  # synthetic, as Turtle, for this test only
    text = (ROOT / "tests" / "fixtures" / "synthetic-contract.ttl").read_text(encoding="utf-8")
    text = text.replace('"Création de 5 postes de policiers nationaux (fictif)"@fr ;', f'"{hostile}"@fr ;', 1)
    text = text.replace('"City of Testville"@en', '"+33 1 23 45 67 89"@en')
    path = tmp_path / "testville.ttl"
    path.write_text(text, encoding="utf-8")
    dataset = load([path], contracts=False)
    tables = build_tables(dataset)
    (tmp_path / "tables").mkdir()
    for name, data in tables.items():
        (tmp_path / "tables" / f"{name}.csv").write_text(data.to_csv(), encoding="utf-8")
    written = (tmp_path / "tables" / "commitments.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in written and ',"=HYPERLINK' not in written and ",=HYPERLINK" not in written
    assert "'+33 1 23 45 67 89" in (tmp_path / "tables" / "parties.csv").read_text(encoding="utf-8")
    data = dataset.merged("data")
    source = Graph()
    for cls in ("Commitment", "ContractParty", "Signature"):
        for subject in data.subjects(
            URIRef(RDF + "type"), URIRef("https://w3id.org/csi-graph/ontology#" + cls)
        ):
            for p, o in data.predicate_objects(subject):
                source.add((subject, p, o))
    back = read_back(tmp_path, (COMMITMENTS, PARTIES, SIGNATORIES))
    assert isomorphic(back, source), sorted(set(source) ^ set(back))[:5]


# Integers of more than 4,300 digits (Python refuses to convert them) -------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "args",
    [
        ["query", "-e", "SELECT ?n WHERE { ?s <urn:test:n> ?n }", "-f", "json", "--data", "{data}"],
        ["query", "-e", "SELECT ?x WHERE { ?s ?p ?x }", "-p", "x", HUGE],
        ["query", "-e", f"SELECT ?x WHERE {{ BIND({HUGE} AS ?x) }}", "-f", "csv"],
        ["export", "{data}", "-f", "jsonld"],
        ["compare", "--data", "{contract}"],
    ],
)
def test_huge_integers_are_values_not_crashes(runner, tmp_path, args):
    data = tmp_path / "huge.ttl"
    data.write_text(f"<urn:test:a> <urn:test:n> {HUGE} .\n")
    contract = tmp_path / "contract.ttl"  # Chambéry's data under an identifier with 5,000 digits
    contract.write_text(
        CHAMBERY.read_text(encoding="utf-8").replace("chambery-2021", f"chambery-{'1' * 5000}")
    )
    result = runner.invoke(
        cli, [a.replace("{data}", str(data)).replace("{contract}", str(contract)) for a in args]
    )
    assert result.exit_code == 0, result.output[-500:]
    assert "Traceback" not in result.stderr and "Exceeds the limit" not in result.stderr


@pytest.mark.parametrize("command", ["site", "package"])
def test_a_full_disk_under_a_folder_output_changes_nothing(tmp_path, command):
    target = tmp_path / "out"
    # Each file may hold 2,000 bytes at most: the first page or table already fails.
    options = ["-q", "--no-validate"] if command == "package" else ["-q"]  # validation is not the point here
    result = csi_graph(command, str(target), *options, file_size=2000)
    assert result.returncode == 2
    assert result.stderr == f"Error: {target}: cannot write: File too large; nothing was changed there\n"
    assert list(tmp_path.iterdir()) == []  # no half-built folder left


def test_an_input_name_too_long_is_a_clear_error(runner):
    name = "x" * 300 + ".ttl"
    result = runner.invoke(cli, ["validate", name])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {name}: cannot read: File name too long\n"
