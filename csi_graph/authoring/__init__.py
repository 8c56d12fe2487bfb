"""Authoring without Turtle: one YAML file per contract, compiled to the project's Turtle.

``csi-graph new`` writes a commented file to fill in (or exports an existing contract),
``csi-graph build`` compiles it, validates it with the SHACL shapes and writes
``data/contracts/<id>.ttl``. See the README, "Add your city's contract".
"""

from __future__ import annotations

from csi_graph.authoring.build import BuildReport, build, compile_file, default_output_dir
from csi_graph.authoring.yamlfile import AuthoringError, Problem

__all__ = ["AuthoringError", "BuildReport", "Problem", "build", "compile_file", "default_output_dir"]
