"""A static copy of the web pages and data documents, for any web server.

``write_site`` renders what ``csi-graph serve`` shows — the home page, the comparison, a
page per resource in French and English, and every resource's Turtle, JSON-LD, N-Triples
and RDF/XML documents — into a fresh folder, then swaps it into place: the output folder
is always a whole site, the old one or the new one, never half of each. A build that was
killed leaves nothing behind for long: the next one removes its folder (and puts back a
previous site it had moved aside), as ``package`` does (:func:`csi_graph.files.build_folder`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.export import serialize
from csi_graph.files import build_folder, install_folder, remove_stale_builds, write_error
from csi_graph.namespaces import DATA_BASE
from csi_graph.web.iris import RDF_EXTENSIONS, IriMap, html_path
from csi_graph.web.negotiation import DOCUMENTS
from csi_graph.web.pages import LANGUAGES, Pages, dump
from csi_graph.web.render import HERE, Renderer

MARKER = ".csi-graph-site"  # marks a folder this command wrote, and may therefore replace


@dataclass
class SiteReport:
    pages: int = 0
    documents: int = 0
    skipped: list[str] = field(default_factory=list)  # IRIs whose path cannot be a file


def write_site(
    dataset: Dataset,
    outdir: str | Path,
    data_base: str = DATA_BASE,
    progress: Callable[[int, int, str], None] | None = None,
) -> SiteReport:
    """Render the site of ``dataset`` into ``outdir`` (created, or replaced if a previous site).

    ``progress(done, total, what)``, if given, hears of each resource rendered (a site has
    thousands: the command line shows a bar).
    """
    from csi_graph.web.app import render_resource, render_site_page

    target = Path(outdir)
    remove_stale_builds(target)
    if target.exists() and not (
        target.is_dir() and (not any(target.iterdir()) or (target / MARKER).exists())
    ):
        raise CsiError(f"{outdir}: exists and is not a site written by csi-graph; give a new or empty folder")
    pages = Pages(dataset, IriMap(data_base))
    renderer = Renderer(pages, live=False)
    report = SiteReport()
    build = build_folder(target)
    out = _Folder(build)
    served = list(pages.served_resources())
    total = len(served) + 2
    tell = progress or (lambda done, total, what: None)
    try:
        tell(0, total, "home and comparison pages")
        for name in ("index", "compare", "register"):
            alternates = {code: f"{name}.{code}.html" for code in LANGUAGES}
            for lang in LANGUAGES:
                html = render_site_page(renderer, pages, name, f"{name}.{lang}.html", lang, alternates)
                out.write(f"{name}.{lang}.html", html)
                if lang == LANGUAGES[0]:
                    out.write(f"{name}.html", html)
                report.pages += 1
        for done, iri in enumerate(served, start=1):
            tell(done, total, iri)
            path = pages.iris.path(iri)
            if path is None or not _safe(path):
                report.skipped.append(iri)
                continue
            leaf = path.rsplit("/", 1)[-1]
            alternates = {code: html_path(leaf, code) for code in LANGUAGES}
            for lang in LANGUAGES:
                html = render_resource(renderer, pages, iri, html_path(path, lang), lang, alternates)
                out.write(html_path(path, lang), html)
                if lang == LANGUAGES[0]:
                    out.write(f"{path}.html", html)
                report.pages += 1
            quads = pages.quads(iri)
            for ext in RDF_EXTENSIONS:
                out.write(f"{path}.{ext}", serialize(quads, DOCUMENTS[ext][1]))
                report.documents += 1
        tell(total, total, "the whole dataset (TriG, N-Quads)")
        for fmt in ("trig", "nq"):
            out.write(f"dataset.{fmt}", dump(dataset, fmt))
            report.documents += 1
        shutil.copytree(HERE / "static", build / "static")
        (build / MARKER).write_text("This folder was written by csi-graph site; it may replace it.\n")
        install_folder(build, target)
    except OSError as error:  # a full or read-only disk...: the previous site is untouched
        shutil.rmtree(build, ignore_errors=True)
        raise write_error(target, error) from None
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return report


# Longest file-name segment written: most file systems allow 255 bytes, and a page adds ".en.html".
MAX_SEGMENT_BYTES = 200


def _safe(path: str) -> bool:
    """Whether a served path can be a file inside the site: no '..', no empty or hidden segment,
    none longer than :data:`MAX_SEGMENT_BYTES` (a longer one cannot be a file name)."""
    segments = path.split("/")
    return all(
        s
        and not s.startswith(".")
        and "\\" not in s
        and "\0" not in s
        and "?" not in s
        and len(s.encode("utf-8")) <= MAX_SEGMENT_BYTES
        for s in segments
    )


class _Folder:
    """The fresh folder of one build, written file by file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made = {""}  # folders made so far, each made once

    def write(self, relative: str, content: str | bytes) -> None:
        """Write one file; ``relative`` is refused unless it stays inside the folder.

        Checked on the text (no absolute path, no empty, ``.`` or ``..`` segment): the folder is
        new and holds only what this build made, so no link can lead out of it, and resolving
        every path on disk cost 90,000 system calls per site.
        """
        parts = relative.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise CsiError(f"refusing to write {relative!r} outside the site folder")
        folder = "/".join(parts[:-1])
        if folder not in self.made:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        with open(self.root / relative, "wb") as file:
            file.write(content.encode("utf-8") if isinstance(content, str) else content)
