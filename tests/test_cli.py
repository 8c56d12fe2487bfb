"""The command line: exit codes, exact error lines, formats. Run through click's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from conftest import FIXTURES, SYNTHETIC, contract_identifiers
from terminal import bars, run_on_a_terminal

from csi_graph.cli import cli


def test_help_lists_commands_and_exit_codes(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.output and "info" in result.output
    assert "2    usage or input error" in result.output
    assert "70   internal error" in result.output


def test_validate_shipped_data_is_valid_verdict_first_infos_counted(runner, shipped):
    from csi_graph.validation import validate

    infos = validate(shipped).counts["Info"]
    assert infos > 0
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"Valid: 0 violations, 0 warnings, {infos} infos \(--show-info lists them\) in \d+ triples\n",
        result.stdout,
    )
    shown = runner.invoke(cli, ["validate", "--show-info"])
    lines = shown.stdout.splitlines()
    assert re.fullmatch(rf"Valid: 0 violations, 0 warnings, {infos} infos in \d+ triples", lines[0])
    assert len(lines) == 1 + infos and all(": Info: " in line for line in lines[1:])


def test_validate_clean_file_says_valid(runner):
    result = runner.invoke(cli, ["validate", str(SYNTHETIC)])
    assert result.exit_code == 0
    assert re.fullmatch(r"Valid: 0 violations, 0 warnings, 0 infos in \d+ triples\n", result.stdout)


def _broken_copy(tmp_path, old: str, new: str):
    path = tmp_path / "broken.ttl"
    text = SYNTHETIC.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_validate_violation_exits_1_with_one_line_per_result(runner, tmp_path):
    path = _broken_copy(
        tmp_path,
        "csi:committedBy <party/testville-2030/state> ;",
        "csi:committedBy <organisation/prefecture/99> ;",
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    line = path.read_text().splitlines().index("<commitment/testville-2030/state-01>") + 1
    assert (
        f"{path}:{line}: Violation: <commitment/testville-2030/state-01> csi:committedBy: The commitment is taken by "
        "exactly one party: add a single csi:committedBy to a csi:ContractParty of its contract. "
        "[csish:Commitment-party]" in lines
    )
    assert lines[0].startswith("Invalid: ")


def test_validate_messages_in_french(runner, tmp_path):
    path = _broken_copy(tmp_path, "schema:value 5 ;", "schema:value -5 ;")
    result = runner.invoke(cli, ["validate", str(path), "--lang", "fr"])
    assert result.exit_code == 1
    assert "Une quantité a au plus une valeur (schema:value), nombre positif ou nul" in result.stdout


def test_warnings_fail_unless_allowed(runner, tmp_path):
    path = _broken_copy(
        tmp_path,
        "csi:committedBy <party/testville-2030/state> ;",
        "csi:committedBy <party/testville-2030/state> ; csi:comittedBy <party/testville-2030/state> ;",
    )
    strict = runner.invoke(cli, ["validate", str(path)])
    assert strict.exit_code == 1
    assert "Warning: <commitment/testville-2030/state-01> csi:comittedBy:" in strict.stdout
    lenient = runner.invoke(cli, ["validate", str(path), "--allow-warnings"])
    assert lenient.exit_code == 0
    assert lenient.stdout.startswith("Valid: 0 violations, 1 warning, ")


def test_malformed_turtle_exits_2_with_exact_error_line(runner, tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text("@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e ex:f ex:g .\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {path}:3:16: A dot is expected at the end of statements (fix the syntax there)\n"
    )
    assert "Traceback" not in result.output


def test_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.ttl'}: no such file or directory\n"


def test_unknown_extension_exits_2(runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: unknown RDF file extension '.csv'; "
        "use one of .jsonld, .n3, .nq, .nt, .owl, .rdf, .trig, .ttl\n"
    )


def test_bad_option_exits_2(runner):
    result = runner.invoke(cli, ["validate", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '-f' / '--format'" in result.stderr


def test_validate_json_and_turtle_formats(runner):
    result = runner.invoke(cli, ["validate", "-f", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["valid"] is True
    assert document["conforms"] is False  # sh:conforms counts every result, information included
    assert document["counts"]["violation"] == document["counts"]["warning"] == 0
    assert document["counts"]["info"] == len(document["results"]) > 0
    assert {r["severity"] for r in document["results"]} == {"Info"}
    turtle = runner.invoke(cli, ["validate", "-f", "turtle"])
    assert "sh:ValidationReport" in turtle.stdout and "sh:conforms false" in turtle.stdout
    assert turtle.stdout.count("sh:ValidationResult") == len(document["results"])


def test_validate_table_format(runner):
    result = runner.invoke(cli, ["validate", "-f", "table", "--show-info"])
    assert result.stdout.startswith("Valid: ")
    header = result.stdout.splitlines()[2]
    assert [cell.strip() for cell in header.split(" | ")][:3] == ["Severity", "Focus node", "Path"]


def test_validate_output_file(runner, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(cli, ["validate", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["valid"] is True


def test_info_lists_contract_parties_and_graphs(runner):
    result = runner.invoke(cli, ["info", "--lang", "fr"])
    assert result.exit_code == 0
    out = result.stdout
    assert "chambery-2021  Premier contrat de sécurité intégrée de Chambéry" in out
    assert "territory: Chambéry; signed 2021-09-22, runs to 2026" in out
    assert "16 commitments:" in out
    assert "État                 8  (État)" in out
    assert "data/contracts/chambery-2021.ttl" in out


def test_info_json(runner, shipped):
    document = json.loads(runner.invoke(cli, ["info", "-f", "json"]).stdout)
    assert sorted(c["identifier"] for c in document["contracts"]) == contract_identifiers(shipped)
    (contract,) = [c for c in document["contracts"] if c["identifier"] == "chambery-2021"]
    assert {p["label"]: p["commitments"] for p in contract["parties"]} == {
        "State": 8,
        "City of Chambéry": 6,
        "Public prosecutor": 2,
    }


def test_unexpected_error_has_no_traceback(runner, monkeypatch):
    import csi_graph.info

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(csi_graph.info, "summarise", boom)
    result = runner.invoke(cli, ["info"])
    assert result.exit_code == 70  # EX_SOFTWARE: not the user's input (2)
    assert result.stderr == (
        "Error: internal error (RuntimeError: simulated bug). This is a bug in csi-graph: please report "
        "it (https://w3id.org/csi-graph) with the command you ran (--debug shows the traceback)\n"
    )


CSI_GRAPH = shutil.which("csi-graph") or str(Path(sys.executable).parent / "csi-graph")


def test_validate_and_build_show_a_bar_on_a_terminal_and_nothing_with_quiet(tmp_path):
    built = tmp_path / "built"
    commands = {
        "Validating": ["validate", str(SYNTHETIC)],
        "Building": [
            "build",
            str(FIXTURES / "synthetic-contract.yaml"),
            "-o",
            str(built),
            "--reference",
            str(FIXTURES / "synthetic-territories.ttl"),
        ],
    }
    for label, args in commands.items():
        code, text = run_on_a_terminal([CSI_GRAPH, *args])
        assert code == 0, text
        drawn = bars(text)
        assert drawn and drawn[0][0] == label, text
        assert drawn[-1][2] == drawn[-1][3] and set(drawn[-1][1]) == {"#"}  # full at the end
        assert "[1/" not in text  # no plain lines on a terminal
        assert "conforms" in text.lower() or "valid" in text.lower()
        shutil.rmtree(built, ignore_errors=True)
        code, quiet = run_on_a_terminal([CSI_GRAPH, *args, "-q"])
        assert code == 0 and not bars(quiet) and "\x1b[?25l" not in quiet, quiet


def test_validate_and_build_off_a_terminal_print_their_report_only(runner):
    result = runner.invoke(cli, ["validate", str(SYNTHETIC)])
    assert result.exit_code == 0 and result.stderr == ""  # a pipe or a log: no progress lines
