"""csi-graph benchmarks: load, named queries, validation, export and start-up, 10k to 1M triples.

One command runs everything and writes the tables that BENCHMARKS.md reports::

    python benchmarks/run.py                       # 10k, 100k and 1M triples (about 30 min on 2 cores)
    python benchmarks/run.py --sizes 10k,100k      # quicker
    python benchmarks/run.py --sizes 10k --repeat 1 --timeout 60   # a smoke run

Method:

* The data is synthetic (``csi_graph.synthetic``, seed 0, a few planted mistakes), added to
  the shipped ontology and data; it is generated once into ``benchmarks/.work/``.
* Every measurement runs in a fresh Python process (``run.py --child ...``), so that one
  measurement's caches and memory do not leak into the next; the child reports its times
  and its peak resident memory (``getrusage``). Imports and, where said, loading are
  outside the timed part.
* Each figure is the median of ``--repeat`` runs (``--slow-repeat`` for the rdflib and
  pySHACL baselines at the largest size); the baseline (plain rdflib, pySHACL) is measured
  in the same run as the fast path, and ratios are baseline / fast.
* A measurement that exceeds ``--timeout`` seconds is stopped and reported as ``>N s``.

Results go to ``benchmarks/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results"
WORKLOAD = HERE / "queries"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


# -- child side: one measurement, printed as JSON -------------------------------------------


def child(task: str, data: str, store: str, repeat: int, cache_dir: str | None) -> dict:
    """Run one task in this (fresh) process and return its timings."""
    timings: dict[str, list[float]] = {}
    info: dict = {}

    def timed(name: str, function):
        start = time.perf_counter()
        result = function()
        timings.setdefault(name, []).append(time.perf_counter() - start)
        return result

    if task == "parse-rdflib":  # the plain-rdflib baseline: rdflib's own Turtle parser
        import rdflib

        for _ in range(repeat):
            graph = rdflib.Graph()
            timed("load", lambda graph=graph: graph.parse(data, format="turtle"))
            info["triples"] = len(graph)
        return {"timings": timings, "info": info}

    from csi_graph.loader import load

    if task == "load":
        cache = Path(cache_dir) if cache_dir else False
        for _ in range(repeat):
            dataset = timed("load", lambda: load([data], store=store, cache=cache))
            info["triples"] = len(dataset)
        return {"timings": timings, "info": info}

    dataset = timed("load", lambda: load([data], store=store))
    info["triples"] = len(dataset)
    if task == "queries":
        from csi_graph.agreement import answers, bound_query
        from csi_graph.queries import library

        named = {**library(), **{f"workload/{n}": q for n, q in library(WORKLOAD).items()}}
        for name, query in named.items():
            text = bound_query(query, dataset.graph_names)
            for _ in range(repeat):
                result = timed(name, lambda text=text: dataset.execute(text))
            info[name] = sum(answers(result).values())  # rows, for the check that stores agree
    elif task == "validate":
        from csi_graph.validation import validate

        engine = "pyshacl" if store == "rdflib" else "sparql"
        for _ in range(repeat):
            report = timed("validate", lambda: validate(dataset, engine=engine))
        info["results"] = report.counts
    elif task == "export":
        out = Path(tempfile.mkdtemp(prefix="csi-graph-bench-"))
        try:
            for fmt in ("turtle", "nt"):
                for _ in range(repeat):
                    timed(f"export {fmt}", lambda fmt=fmt: export(dataset, out / f"data.{fmt}", fmt))
                info[f"bytes {fmt}"] = (out / f"data.{fmt}").stat().st_size
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return {"timings": timings, "info": info}


def export(dataset, path: Path, fmt: str) -> None:
    """Serialise the ontology and data (one graph) the way each store can.

    rdflib: merge the named graphs into one rdflib Graph and serialise it. Oxigraph: a
    CONSTRUCT over the union of those graphs, serialised by Oxigraph's writers.
    """
    from csi_graph.namespaces import PREFIXES

    if dataset.store.name == "rdflib":
        dataset.merged("ontology", "data").serialize(destination=str(path), format=fmt)
        return
    import pyoxigraph as ox

    store, graphs = dataset.oxigraph_view("ontology", "data")
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=graphs)
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
    prefixes = PREFIXES if fmt == "turtle" else None
    ox.serialize(triples, str(path), formats[fmt], prefixes=prefixes)


# -- parent side: orchestration ---------------------------------------------------------


def measure(
    task: str, data: Path, store: str, repeat: int, timeout: float, cache_dir: Path | None = None
) -> dict:
    """Run a child process; its result, or ``{"timeout": seconds}``."""
    command = [sys.executable, str(Path(__file__)), "--child", task, "--data", str(data), "--store", store]
    command += ["--repeat", str(repeat)] + (["--cache-dir", str(cache_dir)] if cache_dir else [])
    print(f"  {task:<12} {store:<9} x{repeat} ...", end=" ", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f">{timeout:.0f} s (stopped)")
        return {"timeout": timeout}
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    result = json.loads(done.stdout.splitlines()[-1])
    print(f"{time.perf_counter() - start:.1f} s, peak {result['peak_mib']:.0f} MiB")
    return result


def startup(runs: int = 15) -> dict:
    """Wall time of ``csi-graph --help`` (and of a bare interpreter, for scale)."""
    figures = {}
    for name, command in (
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("csi-graph --help", [str(Path(sys.executable).with_name("csi-graph")), "--help"]),
    ):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        figures[name] = {"median": statistics.median(times), "min": min(times), "max": max(times)}
    return figures


def generate(size: str) -> Path:
    from csi_graph.synthetic import generate as write

    WORK.mkdir(exist_ok=True)
    path = WORK / f"synthetic-{size}.ttl"
    if not path.exists():
        triples = SIZES[size]
        write(path, triples=triples, seed=0, violations=max(13, triples // 10_000))
    return path


def run(sizes: list[str], repeat: int, slow_repeat: int, timeout: float) -> dict:
    results: dict = {"machine": machine(), "sizes": {}, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    print("start-up ...", flush=True)
    results["startup"] = startup()
    for size in sizes:
        data = generate(size)
        slow = slow_repeat if size == sizes[-1] and len(sizes) > 1 else repeat
        print(f"{size}: {data}", flush=True)
        figures: dict = {}
        figures["load plain rdflib"] = measure("parse-rdflib", data, "rdflib", slow, timeout)
        figures["load rdflib"] = measure("load", data, "rdflib", slow, timeout)
        figures["load oxigraph"] = measure("load", data, "oxigraph", repeat, timeout)
        cache_dir = Path(tempfile.mkdtemp(prefix="csi-graph-bench-cache-"))
        try:
            cold = []
            for _ in range(max(2, slow)):  # each first run starts from an empty cache
                shutil.rmtree(cache_dir, ignore_errors=True)
                cold.append(measure("load", data, "oxigraph", 1, timeout, cache_dir))
            figures["load cache, first run"] = merge(cold)
            figures["load cache, next runs"] = measure("load", data, "oxigraph", repeat, timeout, cache_dir)
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        figures["queries rdflib"] = measure("queries", data, "rdflib", slow, timeout)
        figures["queries oxigraph"] = measure("queries", data, "oxigraph", repeat, timeout)
        figures["validate pyshacl"] = measure("validate", data, "rdflib", slow, timeout)
        figures["validate sparql"] = measure("validate", data, "oxigraph", repeat, timeout)
        figures["export rdflib"] = measure("export", data, "rdflib", slow, timeout)
        figures["export oxigraph"] = measure("export", data, "oxigraph", repeat, timeout)
        results["sizes"][size] = figures
        write_results(results)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    write_results(results)
    return results


def merge(runs: list[dict]) -> dict:
    """Several single-run measurements as one (times pooled, peak memory the largest)."""
    if any("timeout" in r for r in runs):
        return next(r for r in runs if "timeout" in r)
    timings: dict[str, list[float]] = {}
    for r in runs:
        for name, values in r["timings"].items():
            timings.setdefault(name, []).extend(values)
    return {"timings": timings, "info": runs[-1]["info"], "peak_mib": max(r["peak_mib"] for r in runs)}


def machine() -> dict:
    import pyoxigraph
    import pyshacl
    import rdflib

    memory = ""
    with open("/proc/meminfo", encoding="utf-8") as handle:
        memory = handle.readline().split(":")[1].strip()
    cpu = next(
        (
            line.split(":")[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "rdflib": rdflib.__version__,
        "pyshacl": pyshacl.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "load average at start": os.getloadavg(),
    }


# -- report ----------------------------------------------------------------------------------


def median(figure: dict, name: str) -> float | None:
    if "timeout" in figure or name not in figure.get("timings", {}):
        return None
    return statistics.median(figure["timings"][name])


def show(seconds: float | None, figure: dict | None = None) -> str:
    if seconds is None:
        return f">{figure['timeout']:.0f} s" if figure and "timeout" in figure else "–"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def ratio(slow: float | None, fast: float | None, slow_figure: dict) -> str:
    if fast is None:
        return "–"
    if slow is None:
        return f">{slow_figure['timeout'] / fast:.0f}×" if "timeout" in slow_figure else "–"
    return f"{slow / fast:.1f}×"


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(measure, baseline figure name, fast figure name, timing name) for every line of the table."""
    lines = [
        ("load: plain rdflib parse → in-memory Oxigraph", "load plain rdflib", "load oxigraph", "load"),
        ("load: csi-graph rdflib store → Oxigraph store", "load rdflib", "load oxigraph", "load"),
        ("load: cache, first run → next runs", "load cache, first run", "load cache, next runs", "load"),
    ]
    names = set()
    for figures in results["sizes"].values():
        names |= set(figures["queries oxigraph"].get("timings", {})) - {"load"}
    lines += [(f"query {n}", "queries rdflib", "queries oxigraph", n) for n in sorted(names)]
    lines += [
        ("validate: pySHACL → SPARQL engine", "validate pyshacl", "validate sparql", "validate"),
        ("export Turtle", "export rdflib", "export oxigraph", "export turtle"),
        ("export N-Triples", "export rdflib", "export oxigraph", "export nt"),
    ]
    return lines


def markdown(results: dict) -> str:
    sizes = list(results["sizes"])
    out = ["| measure | " + " | ".join(f"{s} baseline | {s} fast | {s} ratio" for s in sizes) + " |"]
    out.append("|---|" + "---|---|---|" * len(sizes))
    for label, slow_name, fast_name, timing in rows(results):
        cells = []
        for size in sizes:
            figures = results["sizes"][size]
            slow_figure, fast_figure = figures.get(slow_name, {}), figures.get(fast_name, {})
            slow, fast = median(slow_figure, timing), median(fast_figure, timing)
            cells += [show(slow, slow_figure), show(fast, fast_figure), ratio(slow, fast, slow_figure)]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    if len(sizes) >= 2 and "100k" in sizes and "1M" in sizes:
        out += ["", "Growth from 100k to 1M triples (10× the data), time ratio:", ""]
        out.append("| measure | baseline | fast |")
        out.append("|---|---|---|")
        for label, slow_name, fast_name, timing in rows(results):
            cells = []
            for name in (slow_name, fast_name):
                a = median(results["sizes"]["100k"].get(name, {}), timing)
                b = median(results["sizes"]["1M"].get(name, {}), timing)
                cells.append(f"{b / a:.1f}×" if a and b else "–")
            out.append(f"| {label} | {cells[0]} | {cells[1]} |")
    out += ["", "Peak resident memory of the measuring process (MiB):", ""]
    out.append("| process | " + " | ".join(sizes) + " |")
    out.append("|---|" + "---|" * len(sizes))
    for name in results["sizes"][sizes[0]]:
        cells = []
        for size in sizes:
            figure = results["sizes"][size].get(name, {})
            cells.append(
                f"≥{figure.get('peak_mib', 0):.0f}"
                if "timeout" in figure
                else f"{figure.get('peak_mib', 0):.0f}"
            )
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    start = results["startup"]
    out += ["", "Start-up (wall time of the whole process, 15 runs):", ""]
    out.append("| command | median | min | max |")
    out.append("|---|---|---|---|")
    for name, figure in start.items():
        out.append(f"| `{name}` | {figure['median']:.3f} s | {figure['min']:.3f} s | {figure['max']:.3f} s |")
    out += ["", "Checks made in the same run:", ""]
    for size in sizes:
        figures = results["sizes"][size]
        agree = figures["queries rdflib"].get("info") == figures["queries oxigraph"].get("info")
        counted = "rows agree" if agree else "ROW COUNTS DIFFER"
        if "timeout" in figures["queries rdflib"]:
            counted = "rdflib stopped"
        validated = figures["validate sparql"].get("info", {}).get("results")
        reference = figures["validate pyshacl"].get("info", {}).get("results")
        same = "same counts as pySHACL" if validated == reference else "pySHACL stopped or differs"
        triples = figures["load oxigraph"].get("info", {}).get("triples")
        out.append(
            f"- {size}: {triples} triples loaded; queries on both stores: {counted}; validation {validated} ({same})"
        )
    return "\n".join(out) + "\n"


def write_results(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (RESULTS / "latest.md").write_text(markdown(results), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k, 100k, 1M")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--slow-repeat", type=int, default=1, help="runs of the baselines at the largest size"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a measurement is stopped")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.child, args.data, args.store, args.repeat, args.cache_dir)
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    sizes = [s.strip() for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown}; use {', '.join(SIZES)}")
    results = run(sizes, args.repeat, args.slow_repeat, args.timeout)
    print(markdown(results))


if __name__ == "__main__":
    main()
