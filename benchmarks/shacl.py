"""SHACL validation benchmark: the csi-graph SPARQL engine against pySHACL and pyrudof.

One command measures, on the shipped ontology, shapes and contracts plus synthetic contracts
of growing size (``csi_graph.synthetic``, seed 0, a few planted mistakes)::

    pip install -e '.[bench]'                      # pyrudof
    python benchmarks/shacl.py                     # 10k, 100k, 1M triples
    python benchmarks/shacl.py --sizes 10k --timeout 120   # a smoke run

Engines, each with the project's shapes in full (SHACL Core and SHACL-SPARQL) and with
SHACL Core only (the shapes without their ``sh:sparql`` constraints):

* ``csi-graph``: ``validate(dataset, engine="sparql")``, the dataset loaded by the one loader
  (loading not timed; the copy of the data graph the engine reads is timed);
* ``pySHACL``: ``pyshacl.validate`` on the same data graph as an rdflib graph (no inference);
* ``pyrudof``: rudof's native SHACL engine on the same data graph, read from N-Triples
  (SHACL Core only: rudof does not run ``sh:sparql``).

Every measurement runs in a fresh process, which reports its time and its peak resident
memory (``getrusage``); a process still running after ``--timeout`` seconds is stopped and
reported as ``>N s``. Each figure is the median of ``--repeat`` runs (one run for the slow
baselines from 100k triples). The number of results of each engine is printed beside its
time, so that a fast wrong answer cannot pass for a fast right one. Results go to
``benchmarks/results/shacl-latest.json`` and ``shacl-latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
RUNS = [
    ("csi-graph", "full"),
    ("csi-graph", "core"),
    ("pyshacl", "full"),
    ("pyshacl", "core"),
    ("pyrudof", "core"),
]
SLOW = {"pyshacl"}  # baselines run once from 100k triples, where one run takes minutes
BEGAN = time.perf_counter()  # a stopped child reports the time its validation had had


# -- inputs ------------------------------------------------------------------------------------


def synthetic(size: str) -> Path:
    from csi_graph.synthetic import generate

    WORK.mkdir(exist_ok=True)
    path = WORK / f"synthetic-{size}.ttl"
    if not path.exists():
        triples = SIZES[size]
        generate(path, triples=triples, seed=0, violations=max(13, triples // 10_000))
    return path


def inputs(size: str) -> dict[str, Path]:
    """The data graph (N-Triples) and the shapes (full, core only) of one size, made once."""
    import pyoxigraph as ox

    from csi_graph.loader import load

    paths = {
        "data": WORK / f"shacl-data-{size}.nt",
        "full": WORK / "shacl-shapes-full.nt",
        "core": WORK / "shacl-shapes-core.nt",
        "source": synthetic(size),
    }
    if all(p.exists() for p in paths.values()):
        return paths
    dataset = load([paths["source"]])
    ox.serialize(dataset.oxigraph_view("ontology", "data"), str(paths["data"]), ox.RdfFormat.N_TRIPLES)
    shapes = dataset.oxigraph_view("shapes")
    ox.serialize(shapes, str(paths["full"]), ox.RdfFormat.N_TRIPLES)
    sparql = ox.NamedNode("http://www.w3.org/ns/shacl#sparql")
    core = [q for q in shapes if q.predicate != sparql]
    ox.serialize(core, str(paths["core"]), ox.RdfFormat.N_TRIPLES)
    return paths


# -- child side: one measurement -------------------------------------------------------------


def child(engine: str, shapes: str, size: str) -> dict:
    """Load (untimed), validate (timed), and report the time, the result counts and the memory."""
    import pyoxigraph as ox

    paths = inputs(size)
    shapes_path = paths[shapes]
    if engine == "csi-graph":
        from csi_graph.loader import load
        from csi_graph.validation import graph_from_quads, validate

        dataset = load([paths["source"]])
        graph = graph_from_quads(ox.parse(path=str(shapes_path), format=ox.RdfFormat.N_TRIPLES))
        print(json.dumps({"running": "validate", "elapsed": time.perf_counter() - BEGAN}), flush=True)
        start = time.perf_counter()
        report = validate(dataset, shapes=graph, engine="sparql")
        seconds = time.perf_counter() - start
        counts = {k.lower(): v for k, v in report.counts.items()}
    elif engine == "pyshacl":
        import pyshacl

        from csi_graph.validation import graph_from_quads

        data = graph_from_quads(ox.parse(path=str(paths["data"]), format=ox.RdfFormat.N_TRIPLES))
        graph = graph_from_quads(ox.parse(path=str(shapes_path), format=ox.RdfFormat.N_TRIPLES))
        print(json.dumps({"running": "validate", "elapsed": time.perf_counter() - BEGAN}), flush=True)
        start = time.perf_counter()
        _, report, _ = pyshacl.validate(
            data,
            shacl_graph=graph,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
        )
        seconds = time.perf_counter() - start
        counts = _counts(report)
    else:
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(paths["data"]), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(str(shapes_path), format=pyrudof.ShaclFormat.NTriples)
        print(json.dumps({"running": "validate", "elapsed": time.perf_counter() - BEGAN}), flush=True)
        start = time.perf_counter()
        report = rudof.validate_shacl()
        seconds = time.perf_counter() - start
        counts = _rudof_counts(report)
    return {"seconds": seconds, "counts": counts}


def _counts(report) -> dict[str, int]:
    from rdflib.namespace import SH

    counts = {"violation": 0, "warning": 0, "info": 0}
    for result in report.objects(None, SH.result):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1].lower()
        counts[severity] = counts.get(severity, 0) + 1
    return counts


def _rudof_counts(report) -> dict[str, int]:
    counts = {"violation": 0, "warning": 0, "info": 0}
    for entry in report:
        severity = str(getattr(entry, "severity", "Violation")).rsplit("#", 1)[-1].rsplit(":", 1)[-1].lower()
        counts[severity] = counts.get(severity, 0) + 1
    return counts


# -- parent side --------------------------------------------------------------------------------


def measure(engine: str, shapes: str, size: str, timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__)), "--child", engine, "--shapes", shapes, "--sizes", size]
    print(f"  {size:>4} {engine:<9} {shapes:<4} ...", end=" ", flush=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        output, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        peak = _high_water_mark(process.pid)
        process.kill()
        output, _ = process.communicate()
        started = [json.loads(line) for line in output.splitlines() if line.startswith('{"running"')]
        had = timeout - started[-1]["elapsed"] if started else 0.0  # loading is not validating
        print(f"stopped after {timeout:.0f} s, {had:.0f} s into validation")
        return {"stopped": had, "peak_mib": peak}
    if process.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{errors}")
    result = json.loads(output.splitlines()[-1])
    print(f"{result['seconds']:.1f} s, {result['counts']}, peak {result['peak_mib']:.0f} MiB")
    return result


def _high_water_mark(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run(sizes: list[str], repeat: int, timeout: float) -> dict:
    import pyoxigraph
    import pyshacl
    import rdflib

    try:
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig()).get_version()
    except ImportError:
        rudof = None
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpu": next(
                (line.split(":")[1].strip() for line in _cpuinfo() if line.startswith("model name")),
                platform.machine(),
            ),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__,
            "pyshacl": pyshacl.__version__,
            "rdflib": rdflib.__version__,
            "pyrudof": rudof,
        },
        "sizes": {},
    }
    for size in sizes:
        paths = inputs(size)
        results["sizes"][size] = {"load average": os.getloadavg(), "triples": _triples(paths["data"])}
        for engine, shapes in RUNS:
            if engine == "pyrudof" and rudof is None:
                continue
            times = []
            runs = 1 if engine in SLOW and SIZES[size] >= 100_000 else repeat
            for _ in range(runs):
                figure = measure(engine, shapes, size, timeout)
                times.append(figure)
                if "stopped" in figure:
                    break
            results["sizes"][size][f"{engine} {shapes}"] = times
        _write(results)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    _write(results)
    return results


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def _triples(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _cell(times: list[dict]) -> tuple[str, str, str]:
    stopped = [t for t in times if "stopped" in t]
    peaks = [t["peak_mib"] for t in times if t.get("peak_mib") is not None]
    peak = f"{'≥' if stopped else ''}{max(peaks):.0f}" if peaks else "–"
    if stopped:
        return f">{stopped[0]['stopped']:.0f} s", peak, "–"
    seconds = statistics.median(t["seconds"] for t in times)
    counts = times[0]["counts"]
    shown = f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
    return shown, peak, f"{counts.get('violation', 0)}/{counts.get('warning', 0)}/{counts.get('info', 0)}"


def markdown(results: dict) -> str:
    sizes = list(results["sizes"])
    lines = [
        "| engine | shapes | " + " | ".join(f"{s} time | {s} peak MiB | {s} results" for s in sizes) + " |"
    ]
    lines.append("|---|---|" + "---|---|---|" * len(sizes))
    for engine, shapes in RUNS:
        key = f"{engine} {shapes}"
        if not any(key in results["sizes"][s] for s in sizes):
            continue
        cells = []
        for size in sizes:
            cells += list(_cell(results["sizes"][size][key])) if key in results["sizes"][size] else ["–"] * 3
        label = "SHACL Core + SPARQL" if shapes == "full" else "SHACL Core only"
        lines.append(f"| {engine} | {label} | " + " | ".join(cells) + " |")
    lines += ["", "Ratios (time of the baseline / time of csi-graph, same shapes, same run):", ""]
    lines.append("| baseline | shapes | " + " | ".join(sizes) + " |")
    lines.append("|---|---|" + "---|" * len(sizes))
    for engine, shapes in RUNS:
        if engine == "csi-graph":
            continue
        cells = []
        for size in sizes:
            figures = results["sizes"][size]
            fast, slow = figures.get(f"csi-graph {shapes}"), figures.get(f"{engine} {shapes}")
            if not fast or not slow or any("stopped" in t for t in fast):
                cells.append("–")
                continue
            quick = statistics.median(t["seconds"] for t in fast)
            stopped = [t for t in slow if "stopped" in t]
            if stopped:
                cells.append(f">{stopped[0]['stopped'] / quick:.0f}×")
            else:
                cells.append(f"{statistics.median(t['seconds'] for t in slow) / quick:.1f}×")
        lines.append(
            f"| {engine} | {'SHACL Core + SPARQL' if shapes == 'full' else 'SHACL Core only'} | "
            + " | ".join(cells)
            + " |"
        )
    lines += ["", "Results: violations/warnings/infos. Triples in the data graph: "]
    lines[-1] += ", ".join(f"{s}: {results['sizes'][s]['triples']:,}" for s in sizes) + "."
    return "\n".join(lines) + "\n"


def _write(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shacl-latest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (RESULTS / "shacl-latest.md").write_text(markdown(results), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k, 100k, 1M")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a measurement is stopped")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--shapes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown}; use {', '.join(SIZES)}")
    if args.child:
        result = child(args.child, args.shapes, sizes[0])
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    results = run(sizes, args.repeat, args.timeout)
    print(markdown(results))


if __name__ == "__main__":
    main()
