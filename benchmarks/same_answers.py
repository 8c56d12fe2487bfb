"""Does a SPARQL server give the same answers as csi-graph's embedded store?

Loads the shipped data (and any PATHS) locally, runs every named query of ``queries/`` and
of the benchmark workload on the embedded Oxigraph store and on the server at ENDPOINT
(which must hold the same data in its default graph: see README, "On another SPARQL
server"), and compares the answers as multisets (``csi_graph.agreement``)::

    csi-graph export -f nt --ontology --shapes -o csi.nt      # load this into the server
    python benchmarks/same_answers.py http://localhost:8890/sparql

Prints one line per query (its time on each side) and exits 1 if any answer differs or\nthe server fails to answer.
"""

from __future__ import annotations

import argparse
import sys
import time

from workload import named_queries

from csi_graph.agreement import bound_query, differences
from csi_graph.errors import CsiError
from csi_graph.loader import load
from csi_graph.remote import Endpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("endpoint", help="the server's SPARQL query endpoint URL")
    parser.add_argument("paths", nargs="*", help="RDF files loaded on both sides besides the shipped data")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per query on the server")
    args = parser.parse_args(argv)
    local = load(args.paths)
    server = Endpoint(args.endpoint, timeout=args.timeout)
    queries = named_queries()
    differing = 0
    for name, query in sorted(queries.items()):
        text = bound_query(query, local.graph_names)
        start = time.perf_counter()
        expected = local.execute(text, query.form)
        middle = time.perf_counter()
        try:
            found = differences(expected, server.execute(text, query.form))
        except CsiError as error:  # refused, timed out: as bad as a different answer
            found = [str(error)]
        end = time.perf_counter()
        differing += bool(found)
        size = len(expected) if expected.form != "ASK" else expected.boolean
        print(
            f"{'DIFFERS' if found else 'same':<8} {name:<45} {size!s:>6} answers  "
            f"local {middle - start:.3f} s  server {end - middle:.3f} s"
        )
        for line in found:
            print(f"         {line}")
    print(f"{len(queries) - differing} of {len(queries)} queries give the same answers on {args.endpoint}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
