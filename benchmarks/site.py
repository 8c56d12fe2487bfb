"""Where the time of ``csi-graph site`` goes: the whole command, then each part of a resource's pages.

::

    python benchmarks/site.py                # the shipped data, 3 runs
    python benchmarks/site.py --repeat 1 --synthetic 10000   # plus 10,000 triples of synthetic contracts

The whole command runs in a child process (``csi-graph site DIR -q``: CPU time of the child,
user and system, and wall time). The parts are then timed in this process, the data loaded
once, for every served resource as the build does it: the data of its two pages (the page
queries, labels, grouping), their templates, and its four RDF documents. Each part is given
as CPU seconds and as a share of the sum of the parts, and JSON-LD against Turtle (PyLD, the
reference processor, against the project's own writer): ratios within one run, which mean
more than seconds on a shared machine. Medians of ``--repeat`` runs. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("page data", "templates", "Turtle", "JSON-LD", "N-Triples", "RDF/XML")


def whole_command(extra: list[str]) -> dict[str, float]:
    """CPU (user, system) and wall seconds of one ``csi-graph site`` into a new folder."""
    with tempfile.TemporaryDirectory() as work:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "csi_graph", "site", str(Path(work) / "public"), *extra, "-q"], check=True
        )
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "user": after.ru_utime - before.ru_utime,
        "system": after.ru_stime - before.ru_stime,
        "wall": wall,
    }


def parts(extra: list[str]) -> dict[str, float]:
    """CPU seconds of each part of the resources' pages and documents, in this process."""
    from csi_graph.export import serialize
    from csi_graph.loader import load
    from csi_graph.web import app
    from csi_graph.web.iris import IriMap, html_path
    from csi_graph.web.pages import LANGUAGES, Pages
    from csi_graph.web.render import Renderer

    pages = Pages(load(extra), IriMap())
    renderer = Renderer(pages, live=False)
    spent = dict.fromkeys(PARTS, 0.0)
    render = renderer.render

    def timed_render(*args, **kwargs):
        began = time.process_time()
        try:
            return render(*args, **kwargs)
        finally:
            spent["templates"] += time.process_time() - began

    renderer.render = timed_render
    for iri in pages.served_resources():
        path = pages.iris.path(iri)
        if path is None:
            continue
        began = time.process_time()
        for lang in LANGUAGES:
            app.render_resource(renderer, pages, iri, html_path(path, lang), lang, {})
        spent["page data"] += time.process_time() - began
        quads = pages.quads(iri)
        for part, fmt in (
            ("Turtle", "turtle"),
            ("JSON-LD", "jsonld"),
            ("N-Triples", "nt"),
            ("RDF/XML", "rdfxml"),
        ):
            began = time.process_time()
            serialize(quads, fmt)
            spent[part] += time.process_time() - began
    spent["page data"] -= spent["templates"]
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (medians; default 3)")
    parser.add_argument(
        "--synthetic", type=int, default=0, help="add N triples of synthetic contracts (seed 0)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        extra: list[str] = []
        if args.synthetic:
            from csi_graph.synthetic import generate

            generate(Path(work) / "synthetic.ttl", triples=args.synthetic, seed=0)
            extra = [str(Path(work) / "synthetic.ttl")]
        commands = [whole_command(extra) for _ in range(args.repeat)]
        measured = [parts(extra) for _ in range(args.repeat)]
    data = f" + {args.synthetic:,} synthetic triples" if extra else ""
    print(f"csi-graph site on the shipped data{data}, load average {os.getloadavg()[0]:.1f}")
    for key in ("user", "system", "wall"):
        print(f"  whole command, {key:6} {statistics.median(c[key] for c in commands):7.2f} s")
    spent = {part: statistics.median(m[part] for m in measured) for part in PARTS}
    total = sum(spent.values())
    print(f"  resources' pages and documents, CPU {total:.2f} s:")
    for part, seconds in spent.items():
        print(f"    {part:10} {seconds:6.2f} s  {seconds / total:6.1%}")
    print(f"  JSON-LD / Turtle: {spent['JSON-LD'] / spent['Turtle']:.1f}")


if __name__ == "__main__":
    main()
