"""csi-graph benchmarks: load, named queries, validation, export and start-up, 10k to 1M triples.

Every figure is csi-graph's against a baseline measured in the same run: Oxigraph's own
bulk loader and plain rdflib for loading, rdflib for queries and export, pySHACL for
validation; and the whole commands a user types (``info``, ``query``, ``validate``) on the
shipped data.

One command runs everything and writes the tables that BENCHMARKS.md reports::

    python benchmarks/run.py                       # 10k, 100k and 1M triples (about 45 min on 2 cores)
    python benchmarks/run.py --sizes 10k,100k      # quicker
    python benchmarks/run.py --sizes 10k --repeat 1 --timeout 60   # a smoke run
    python benchmarks/run.py --sizes 1M --add      # measure one size, keep the others' results

Method:

* The data is synthetic (``csi_graph.synthetic``, seed 0, a few planted mistakes), added to
  the shipped ontology and data; it is generated once into ``benchmarks/.work/``.
* Every measurement runs in a fresh Python process (``run.py --child ...``), so that one
  measurement's caches and memory do not leak into the next; the child reports its times
  and its peak resident memory (``getrusage``). Imports and, where said, loading are
  outside the timed part.
* Each figure is the median of ``--repeat`` runs, each in its own process
  (``--slow-repeat`` runs for the rdflib and pySHACL baselines from 100k triples, where one
  run takes minutes); the baseline is measured in the same run as csi-graph, and ratios are
  baseline / csi-graph (for the bulk loader, csi-graph / bulk loader: the cost of csi-graph's
  named graphs and merge over a bare load).
* A process that exceeds ``--timeout`` seconds is stopped; the step it was running is
  reported as ``>N s`` (N: the time that step had had) and its peak memory as ``≥M``.
  Stopped query runs go on with the remaining queries in a new process, until the
  measurement has taken ``--query-budget`` seconds; the queries left are "not run".

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
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


# -- child side: one measurement, printed as JSON -------------------------------------------


TASKS = (
    "parse-rdflib",  # baseline: rdflib's own Turtle parser
    "bulk-load",  # baseline: pyoxigraph.Store.bulk_load of the file, nothing else
    "load",  # csi-graph's loader (the shipped data, then the file; optionally the cache)
    "queries-rdflib",  # baseline: the same query texts on an rdflib Graph of the same files
    "queries",  # csi-graph: Dataset.execute of the prepared texts
    "validate-pyshacl",
    "validate-sparql",
    "export-rdflib",  # baseline: rdflib's serialisers on the merged graph
    "export",  # csi-graph export (canonical, sorted, the one Turtle writer)
)


def child(task: str, data: str, repeat: int, cache_dir: str | None, skip: list[str] = ()) -> dict:
    """Run one task in this (fresh) process and return its timings."""
    timings: dict[str, list[float]] = {}  # CPU seconds (every thread of the process)
    wall: dict[str, list[float]] = {}
    info: dict = {}
    began = time.perf_counter()

    def timed(name: str, function):
        # Progress lines let the parent keep what was measured if it must stop this process.
        print(json.dumps({"running": name, "elapsed": time.perf_counter() - began}), flush=True)
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        timings.setdefault(name, []).append(time.process_time() - cpu)
        wall.setdefault(name, []).append(time.perf_counter() - start)
        print(json.dumps({"timings": timings, "wall": wall, "info": info}), flush=True)
        return result

    if task == "parse-rdflib":
        import rdflib

        for _ in range(repeat):
            graph = rdflib.Graph()
            timed("load", lambda graph=graph: graph.parse(data, format="turtle"))
            info["triples"] = len(graph)
        return {"timings": timings, "wall": wall, "info": info}
    if task == "bulk-load":
        import pyoxigraph

        for _ in range(repeat):
            store = pyoxigraph.Store()
            timed(
                "load",
                lambda store=store: store.bulk_load(
                    path=data, format=pyoxigraph.RdfFormat.TURTLE, base_iri=Path(data).resolve().as_uri()
                ),
            )
            info["triples"] = len(store)
        return {"timings": timings, "wall": wall, "info": info}

    from csi_graph.loader import load

    if task == "load":
        cache = Path(cache_dir) if cache_dir else False
        for _ in range(repeat):
            dataset = timed("load", lambda: load([data], cache=cache))
            info["triples"] = len(dataset)
        return {"timings": timings, "wall": wall, "info": info}
    if task.endswith("-rdflib"):  # the baselines read every file into one rdflib Graph
        import rdflib

        from csi_graph.loader import source_files

        graph = rdflib.Graph()

        def parse_all():
            for path, _ in source_files([data]):
                graph.parse(path, format="turtle", publicID=path.resolve().as_uri())

        timed("load", parse_all)
        info["triples"] = len(graph)
        if task == "queries-rdflib":
            import rdflib.plugins.sparql as rdflib_sparql
            from workload import named_queries

            from csi_graph.agreement import bound_query

            rdflib_sparql.SPARQL_LOAD_GRAPHS = False
            for name, query in named_queries().items():
                if name in skip:
                    continue
                text = bound_query(query, [])
                for _ in range(repeat):
                    result = timed(name, lambda text=text: list(graph.query(text)))
                info[name] = len(result)
        else:
            out = Path(tempfile.mkdtemp(prefix="csi-graph-bench-"))
            try:
                for fmt in ("turtle", "nt"):
                    for _ in range(repeat):
                        timed(
                            f"export {fmt}",
                            lambda fmt=fmt: graph.serialize(destination=str(out / "x"), format=fmt),
                        )
            finally:
                shutil.rmtree(out, ignore_errors=True)
        return {"timings": timings, "wall": wall, "info": info}

    cache = Path(cache_dir) if cache_dir else False  # queries on the on-disk cache, when given
    dataset = timed("load", lambda: load([data], cache=cache))
    info["triples"] = len(dataset)
    if task == "queries":
        from workload import named_queries

        from csi_graph.agreement import answers, bound_query

        for name, query in named_queries().items():
            if name in skip:
                continue
            text = bound_query(query, dataset.graph_names)
            for _ in range(repeat):
                result = timed(name, lambda text=text, query=query: dataset.execute(text, query.form))
            info[name] = sum(answers(result).values())  # rows, for the check that both sides agree
    elif task.startswith("validate-"):
        from csi_graph.validation import validate

        engine = task.split("-", 1)[1]
        for _ in range(repeat):
            report = timed("validate", lambda: validate(dataset, engine=engine))
        info["results"] = report.counts
    elif task == "export":
        from csi_graph.export import export

        for fmt in ("turtle", "nt"):
            for _ in range(repeat):
                content = timed(f"export {fmt}", lambda fmt=fmt: export(dataset, fmt, ontology=True))
            info[f"bytes {fmt}"] = len(content)
    return {"timings": timings, "wall": wall, "info": info}


# -- parent side: orchestration ---------------------------------------------------------


def measure(
    task: str,
    data: Path,
    repeat: int,
    timeout: float,
    cache_dir: Path | None = None,
    budget: float = float("inf"),
) -> dict:
    """Run ``repeat`` fresh child processes, each stopped after ``timeout`` seconds.

    Returns the pooled timings and the largest peak memory. If a child is stopped, what it
    measured before is kept, the step it was running is recorded with the time it had had
    (``stopped``: step -> seconds), and no further repetition is made; a stopped query run
    continues in a new process with the remaining queries, as long as the measurement has
    taken less than ``budget`` seconds (the queries left then are reported "not run").
    """
    runs = []
    started = time.perf_counter()
    for _ in range(repeat):
        runs.append(child_run(task, data, timeout, cache_dir))
        # A stopped query run goes on in a new process without the queries already done.
        while task.startswith("queries") and "stopped" in runs[-1] and time.perf_counter() - started < budget:
            done = {name for r in runs for name in [*r["timings"], *r.get("stopped", {})]}
            runs.append(child_run(task, data, timeout, cache_dir, skip=done))
            if not runs[-1]["timings"].keys() - {"load"} and "stopped" not in runs[-1]:
                break
        if any("stopped" in r for r in runs):
            break
    return merge(runs)


def child_run(
    task: str,
    data: Path,
    timeout: float,
    cache_dir: Path | None = None,
    skip: set[str] = frozenset(),
) -> dict:
    """One measurement in a fresh process (``skip``: named queries not to run)."""
    command = [sys.executable, str(Path(__file__)), "--child", task, "--data", str(data)]
    command += ["--repeat", "1"] + (["--cache-dir", str(cache_dir)] if cache_dir else [])
    command += ["--skip", json.dumps(sorted(skip))] if skip else []
    print(f"  {task:<18} ...", end=" ", flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_so_far = None
    try:
        output, errors = process.communicate(timeout=timeout)
        stopped = False
    except subprocess.TimeoutExpired:
        peak_so_far = high_water_mark(process.pid)  # before stopping it
        process.kill()
        output, errors = process.communicate()
        stopped = True
    if not stopped and process.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{errors}")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    measured = [line for line in lines if "timings" in line]
    result = dict(measured[-1]) if measured else {"timings": {}, "info": {}}
    if stopped:
        running = [line for line in lines if "running" in line]
        last = running[-1] if running else {"running": "load", "elapsed": 0.0}
        result.update(
            stopped={last["running"]: timeout - last["elapsed"]}, peak_mib=peak_so_far, peak_at_stop=True
        )
        print(f"stopped after {timeout:.0f} s, during {last['running']!r}")
    else:
        print(f"{time.perf_counter() - start:.1f} s, peak {result['peak_mib']:.0f} MiB")
    return result


def high_water_mark(pid: int) -> float | None:
    """Peak resident memory (MiB) of a running process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def merge(runs: list[dict]) -> dict:
    """Several runs as one: timings pooled, peak memory the largest, a stop kept."""
    timings: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    for run_result in runs:
        for name, values in run_result["timings"].items():
            timings.setdefault(name, []).extend(values)
        for name, values in run_result.get("wall", {}).items():
            wall.setdefault(name, []).extend(values)
    peaks = [r["peak_mib"] for r in runs if r.get("peak_mib") is not None]
    info: dict = {}
    for run_result in runs:  # a resumed query run adds the answers of the remaining queries
        info.update(run_result["info"])
    merged = {"timings": timings, "wall": wall, "info": info, "peak_mib": max(peaks) if peaks else None}
    for run_result in runs:
        if "stopped" in run_result:
            merged.setdefault("stopped", {}).update(run_result["stopped"])
            merged["peak_at_stop"] = True
    for name in merged.get("stopped", {}):
        timings.pop(name, None)  # a step stopped once is reported as stopped
    return merged


STARTUP_COMMANDS = (
    ("python -c pass", ["{python}", "-c", "pass"]),
    ("csi-graph --help", ["{csi}", "--help"]),
    ("csi-graph info", ["{csi}", "info"]),
    ("csi-graph query themes", ["{csi}", "query", "themes"]),
    ("csi-graph query contracts-overview", ["{csi}", "query", "contracts-overview"]),
    ("csi-graph query search", ["{csi}", "query", "search", "-p", "text", "vidéo"]),
    ("csi-graph validate", ["{csi}", "validate"]),
)
# The bounds for whole commands on the shipped data (CPU seconds of the process and
# of the processes it starts: on a shared machine, wall time measures the other users too).
STARTUP_BOUNDS = {"csi-graph validate": 1.0, "csi-graph info": 0.5}


def startup(runs: int = 5) -> dict:
    """CPU and wall time of whole commands on the shipped data (and of a bare interpreter, for scale).

    CPU time counts the command's process and the processes it waits for (a local query runs
    in a child of its own, see csi_graph.isolation).
    """
    return whole_commands(STARTUP_COMMANDS, runs, {"CSI_GRAPH_CACHE": "0"})


# Whole commands on generated data, its cache entry already built (``{data}``: the file): the
# issue's bound for a search at 1M triples is 1 s; a query that reads little, for scale. The
# first search of an entry builds its text index (csi_graph/textindex.py): it is run once and
# reported apart (FIRST_SEARCH; with time to spare on a busy machine: the default --timeout
# is 60 s of wall time), then the commands are timed ``--repeat`` times.
SEARCH = ["{csi}", "query", "search", "--data", "{data}", "-f", "csv"]
FIRST_SEARCH = (("csi-graph query search, first run (builds the index)", [*SEARCH, "--timeout", "600"]),)
CACHED_COMMANDS = (
    ("csi-graph query search", SEARCH),
    ("csi-graph query themes", ["{csi}", "query", "themes", "--data", "{data}", "-f", "csv"]),
)


def whole_commands(commands, runs: int, environment: dict[str, str], data: Path | None = None) -> dict:
    """CPU (the process and the processes it waits for) and wall time of each command, ``runs`` times."""
    figures = {"load average at start": os.getloadavg()}
    csi = str(Path(sys.executable).with_name("csi-graph"))
    env = {**os.environ, **environment}
    for name, template in commands:
        command = [part.format(python=sys.executable, csi=csi, data=data) for part in template]
        cpu, wall = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=env)
            wall.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        figures[name] = {
            "median": statistics.median(cpu),
            "min": min(cpu),
            "max": max(cpu),
            "wall median": statistics.median(wall),
        }
    return figures


def generate(size: str) -> Path:
    from csi_graph.synthetic import generate as write

    WORK.mkdir(exist_ok=True)
    path = WORK / f"synthetic-{size}.ttl"
    if not path.exists():
        triples = SIZES[size]
        write(path, triples=triples, seed=0, violations=max(13, triples // 10_000))
    return path


# (figure, child task, is a baseline) of every in-memory measurement, in the order run
FIGURES = (
    ("load plain rdflib", "parse-rdflib", True),
    ("load bulk", "bulk-load", False),
    ("load csi-graph", "load", False),
    ("queries rdflib", "queries-rdflib", True),
    ("queries csi-graph", "queries", False),
    ("validate pyshacl", "validate-pyshacl", True),
    ("validate sparql", "validate-sparql", False),
    ("export rdflib", "export-rdflib", True),
    ("export csi-graph", "export", False),
)
CACHE_FIGURES = ("load cache, first run", "load cache, next runs", "queries cache", "commands cache")


def run(
    sizes: list[str],
    repeat: int,
    slow_repeat: int,
    timeout: float,
    query_budget: float,
    previous: dict | None = None,
    only: set[str] | None = None,
    startup_runs: int = 5,
) -> dict:
    """Measure ``sizes``; with ``previous`` results, add them (start-up and machine are measured again).

    ``only``: the figures to measure (names as in :data:`FIGURES`), every one if None (the
    figures of the on-disk cache, :data:`CACHE_FIGURES`, are measured then, or when named).
    """
    results: dict = previous or {"sizes": {}, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    results["machine"] = machine()
    print("start-up ...", flush=True)
    results["startup"] = startup(startup_runs)
    for size in sizes:
        results.setdefault("size runs", {})[size] = {
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "load average at start": os.getloadavg(),
        }
        data = generate(size)
        slow = slow_repeat if SIZES[size] >= 100_000 else repeat  # baselines take minutes there
        print(f"{size}: {data}", flush=True)
        figures: dict = {}

        def wanted(name: str) -> bool:
            return only is None or name in only

        for name, task, baseline in FIGURES:
            if wanted(name):
                runs = slow if baseline else repeat  # baselines take minutes from 100k
                budget = query_budget if task == "queries-rdflib" else float("inf")
                figures[name] = measure(task, data, runs, timeout, budget=budget)
        cache_dir = Path(tempfile.mkdtemp(prefix="csi-graph-bench-cache-"))
        try:
            if wanted("load cache, first run"):
                cold = []
                for _ in range(max(2, slow)):  # each first run starts from an empty cache
                    shutil.rmtree(cache_dir, ignore_errors=True)
                    cold.append(child_run("load", data, timeout, cache_dir))
                figures["load cache, first run"] = merge(cold)
            for name, task in (("load cache, next runs", "load"), ("queries cache", "queries")):
                if wanted(name):  # (builds the entry if the first run was not measured)
                    figures[name] = measure(task, data, repeat, timeout, cache_dir)
            if wanted("commands cache"):
                child_run("load", data, timeout, cache_dir)  # the entry the commands open
                environment = {"CSI_GRAPH_CACHE_DIR": str(cache_dir)}
                figures["commands cache"] = {
                    **whole_commands(FIRST_SEARCH, 1, environment, data),
                    **whole_commands(CACHED_COMMANDS, repeat, environment, data),
                }
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        results["sizes"][size] = {**results["sizes"].get(size, {}), **figures}  # --add --only: keep the rest
        write_results(results)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    write_results(results)
    return results


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
    values = figure.get("timings", {}).get(name)
    return statistics.median(values) if values else None


def show(seconds: float | None, figure: dict, name: str) -> str:
    if seconds is not None:
        return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
    if name in figure.get("stopped", {}):
        return f">{figure['stopped'][name]:.0f} s"
    return "not run" if "stopped" in figure else "–"


def ratio(slow: float | None, fast: float | None, slow_figure: dict, name: str) -> str:
    if fast is None:
        return "–"
    if slow is None:
        limit = slow_figure.get("stopped", {}).get(name)
        return f">{limit / fast:.0f}×" if limit is not None else "–"
    return f"{slow / fast:.1f}×"


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(measure, baseline figure name, fast figure name, timing name) for every line of the table."""
    lines = [
        ("load: plain rdflib parse → csi-graph load", "load plain rdflib", "load csi-graph", "load"),
        ("load: cache, first run → next runs", "load cache, first run", "load cache, next runs", "load"),
    ]
    names = set()
    for figures in results["sizes"].values():
        names |= set(figures.get("queries csi-graph", {}).get("timings", {})) - {"load"}
    lines += [(f"query {n}", "queries rdflib", "queries csi-graph", n) for n in sorted(names)]
    lines += [
        ("validate: pySHACL → SPARQL engine", "validate pyshacl", "validate sparql", "validate"),
        ("export Turtle: rdflib → csi-graph export", "export rdflib", "export csi-graph", "export turtle"),
        ("export N-Triples: rdflib → csi-graph export", "export rdflib", "export csi-graph", "export nt"),
    ]
    return lines


def markdown(results: dict) -> str:
    sizes = list(results["sizes"])
    out = ["CPU seconds of the measuring process (median; ratio: baseline / csi-graph):", ""]
    out.append("| measure | " + " | ".join(f"{s} baseline | {s} csi-graph | {s} ratio" for s in sizes) + " |")
    out.append("|---|" + "---|---|---|" * len(sizes))
    for label, slow_name, fast_name, timing in rows(results):
        cells = []
        for size in sizes:
            figures = results["sizes"][size]
            slow_figure, fast_figure = figures.get(slow_name, {}), figures.get(fast_name, {})
            slow, fast = median(slow_figure, timing), median(fast_figure, timing)
            cells += [
                show(slow, slow_figure, timing),
                show(fast, fast_figure, timing),
                ratio(slow, fast, slow_figure, timing),
            ]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out += [
        "",
        "csi-graph's load against Oxigraph's own bulk loader of the same file (its named graphs and",
        "merge cost this much more; the issue's bound is 1.5×):",
        "",
    ]
    out.append("| size | bulk_load | csi-graph load | csi-graph / bulk_load |")
    out.append("|---|---|---|---|")
    for size in sizes:
        bulk = median(results["sizes"][size].get("load bulk", {}), "load")
        ours = median(results["sizes"][size].get("load csi-graph", {}), "load")
        cost = f"{ours / bulk:.2f}×" if bulk and ours else "–"
        out.append(f"| {size} | {show(bulk, {}, 'load')} | {show(ours, {}, 'load')} | {cost} |")
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
    out += ["", "Queries on the on-disk cache against the in-memory store (load excluded):", ""]
    out.append("| query | " + " | ".join(f"{s} in memory | {s} on disk | {s} ratio" for s in sizes) + " |")
    out.append("|---|" + "---|---|---|" * len(sizes))
    for label, _, fast_name, timing in rows(results):
        if fast_name != "queries csi-graph":
            continue
        cells = []
        for size in sizes:
            memory = median(results["sizes"][size].get("queries csi-graph", {}), timing)
            disk = median(results["sizes"][size].get("queries cache", {}), timing)
            cells += [
                show(memory, {}, timing),
                show(disk, {}, timing),
                f"{disk / memory:.1f}×" if memory and disk else "–",
            ]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    cached = {
        size: results["sizes"][size]["commands cache"]
        for size in sizes
        if "commands cache" in results["sizes"][size]
    }
    if cached:
        out += [
            "",
            "Whole commands on generated data, its cache entry already built: CPU seconds of the process and its children:",
            "",
        ]
        out.append("| command | size | CPU median | CPU min | CPU max | wall median | bound |")
        out.append("|---|---|---|---|---|---|---|")
        for size, commands in cached.items():
            for name, figure in commands.items():
                if isinstance(figure, dict):
                    bound = (
                        "< 1 s " + ("✓" if figure["median"] < 1 else "✗") if name.endswith("search") else "–"
                    )
                    out.append(
                        f"| `{name}` | {size} | {figure['median']:.3f} s | {figure['min']:.3f} s "
                        f"| {figure['max']:.3f} s | {figure['wall median']:.3f} s | {bound} |"
                    )
    out += ["", "Peak resident memory of the measuring process (MiB):", ""]
    out.append("| process | " + " | ".join(sizes) + " |")
    out.append("|---|" + "---|" * len(sizes))
    measured = (name for size in sizes for name in results["sizes"][size] if name != "commands cache")
    for name in dict.fromkeys(measured):
        cells = []
        for size in sizes:
            figure = results["sizes"][size].get(name, {})
            peak = figure.get("peak_mib")
            prefix = "≥" if figure.get("peak_at_stop") else ""  # still growing when stopped
            cells.append("–" if peak is None else f"{prefix}{peak:.0f}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    start = results["startup"]
    load = start.get("load average at start")
    out += [
        "",
        "Whole commands on the shipped data, no cache: CPU seconds of the process and its children"
        + (f" (load average {load[0]:.1f} at start)" if load else "")
        + ":",
        "",
    ]
    out.append("| command | CPU median | CPU min | CPU max | wall median | bound |")
    out.append("|---|---|---|---|---|---|")
    for name, figure in start.items():
        if not isinstance(figure, dict):
            continue
        bound = STARTUP_BOUNDS.get(name, 0.5 if name.startswith("csi-graph query") else None)
        verdict = "–" if bound is None else f"≤ {bound:g} s {'✓' if figure['median'] <= bound else '✗'}"
        out.append(
            f"| `{name}` | {figure['median']:.3f} s | {figure['min']:.3f} s | {figure['max']:.3f} s "
            f"| {figure.get('wall median', figure['median']):.3f} s | {verdict} |"
        )
    out += ["", "Checks made in the same run:", ""]
    for size in sizes:
        figures = results["sizes"][size]
        slow, fast = (
            figures.get("queries rdflib", {}).get("info", {}),
            figures.get("queries csi-graph", {}).get("info", {}),
        )
        common = [name for name in slow if name in fast and name != "triples"]
        agree = all(slow[name] == fast[name] for name in common)
        counted = f"row counts {'agree' if agree else 'DIFFER'} on {len(common)} queries"
        validated = figures.get("validate sparql", {}).get("info", {}).get("results")
        reference = figures.get("validate pyshacl", {}).get("info", {}).get("results")
        same = "same counts as pySHACL" if validated == reference else "PYSHACL DIFFERS"
        if "stopped" in figures.get("validate pyshacl", {}):
            same = "pySHACL stopped"
        elif reference is None:
            same = "pySHACL not run"
        triples = figures.get("load csi-graph", {}).get("info", {}).get("triples")
        out.append(
            f"- {size}: {triples} triples loaded; queries on rdflib and csi-graph: {counted}; "
            f"validation {validated} ({same})"
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
    parser.add_argument(
        "--query-budget",
        type=float,
        default=900,
        help="seconds after which stopped rdflib query runs are no longer resumed",
    )
    parser.add_argument(
        "--add", action="store_true", help="add the sizes measured to the previous results (latest.json)"
    )
    parser.add_argument(
        "--only",
        help="comma-separated figures to measure (default: all, the cache figures included): "
        + ", ".join([name for name, _, _ in FIGURES] + [n for n in CACHE_FIGURES if "," not in n]),
    )
    parser.add_argument("--startup-runs", type=int, default=5, help="runs of each whole command")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=json.loads, default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.child, args.data, args.repeat, args.cache_dir, args.skip)
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    sizes = [s.strip() for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown}; use {', '.join(SIZES)}")
    previous = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8")) if args.add else None
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    known = {name for name, _, _ in FIGURES} | set(CACHE_FIGURES)
    if only and only - known:
        raise SystemExit(f"unknown figures {sorted(only - known)}; use {', '.join(sorted(known))}")
    results = run(
        sizes,
        args.repeat,
        args.slow_repeat,
        args.timeout,
        args.query_budget,
        previous,
        only,
        args.startup_runs,
    )
    print(markdown(results))


if __name__ == "__main__":
    main()
