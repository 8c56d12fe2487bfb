"""Validation with both engines, insisting that they agree.

The counter-example and mutation tests validate through :func:`validate_both`, so every
corruption they make is also a check that the SPARQL engine (the default) reports
exactly what pySHACL (the reference) reports: severity, focus, path, value, shape,
component and location.
"""

from __future__ import annotations

from csi_graph.validation import ValidationReport, validate


def validate_both(dataset, **options) -> ValidationReport:
    """pySHACL's report, after checking that the SPARQL engine gives the same results."""
    reference = validate(dataset, engine="pyshacl", **options)
    fast = validate(dataset, engine="sparql", **options)
    if fast.results != reference.results:
        only_reference = set(reference.results) - set(fast.results)
        only_fast = set(fast.results) - set(reference.results)
        raise AssertionError(
            "the SPARQL engine disagrees with pySHACL:\n"
            + "".join(f"  pySHACL only: {r}\n" for r in only_reference)
            + "".join(f"  SPARQL only:  {r}\n" for r in only_fast)
        )
    return reference
