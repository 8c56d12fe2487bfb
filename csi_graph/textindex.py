"""A text index that answers the named query ``search`` on a cache entry, in a fraction of a second.

Why it exists. ``queries/search.rq`` (the commitments whose wording, paraphrase or label
contains a text, any case) takes about a second in memory at a million triples, but five
on the cache's on-disk store: it reads some 130,000 strings and sorts thousands of rows,
and each read goes to RocksDB. No shape of the query does better there (BENCHMARKS.md,
« Text search at a million triples »). So, on a dataset opened from the cache
(:mod:`csi_graph.cache`), the search is answered from a file in the entry's folder, beside
``store/``; an in-memory dataset keeps plain SPARQL.

What the index holds, for one label language (the query's ``lang``):

- search.rq's own rows for the empty text — every commitment the query can return, in its
  ``ORDER BY`` order — from search.rq itself, run as any named query is run, with ``text``
  bound to ``""``; kept as Oxigraph writes them in the SPARQL 1.1 tab-separated results
  format, one row a line;
- each such commitment's texts, lower-cased by Oxigraph: ``queries/internal/search-texts.rq``
  repeats search.rq's haystack pattern (``csi:wording|csi:paraphrase|rdfs:label``) and its
  ``LCASE(STR(?haystack))``.

Why its answer is SPARQL's. search.rq's filter reads nothing but ``?commitment``'s texts and
the text searched for, and every pattern joined to it (the type, the contract's identifier,
the party, the wording) depends on ``?commitment`` alone. So the rows for a text are exactly
the rows for the empty text (which every text contains) whose commitment has a text
containing it, and ``ORDER BY`` orders that subset as it orders the whole. The text searched
for is lower-cased by Oxigraph too (``queries/internal/search-needle.rq``, the parameter
bound, never pasted), so the one operation done here is ``needle in text``: SPARQL's
``CONTAINS`` on two strings, code point by code point. No rule of Unicode or of SPARQL is
written again in Python (Python 3.11's ``str.lower`` follows Unicode 14: it leaves alone 55
capitals of later versions that Oxigraph 0.5.13 lower-cases). The rows kept are read back by Oxigraph's parser, and
``max_rows`` cuts them as for any query. (Rows that ``ORDER BY`` ranks equal, which SPARQL
may return in any order, keep their order in the empty text's answer.)

Contract. :func:`search` answers, or returns ``None`` when SPARQL must: a dataset that was
not opened from the cache, a ``lang`` that is not a language tag (every tag is indexed the
same way, each in its own file), no ``text``, or an entry folder that cannot be written (a
read-only cache: a one-line notice, the query answers by SPARQL for this run). The index is
built by the first search of an entry in a language, so loads that never search pay nothing,
and written atomically under a name holding a digest of both queries' text, csi-graph's
version and the language: an edited query never reads an old index. A file that does not
read, or whose content does not match the SHA-256 its first line records, is a damaged index:
a one-line notice, and it is built again. When the new index cannot be saved (a full disk), it answers this search and the
next one builds it again (a notice says so). The entry's other rules stay as they were: its
files are listed in its manifest only under ``store/``, and the index goes with the entry
when the cache evicts it. The data an index was built from never changes: the entry's store
is opened read-only, and its key covers the data's content and the versions of csi-graph
and Oxigraph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from csi_graph import __version__
from csi_graph.errors import CsiError
from csi_graph.files import write_atomic
from csi_graph.queries import _LANG_TAG, NamedQuery, prepare, resolve
from csi_graph.results import QueryResult

if TYPE_CHECKING:
    from csi_graph.dataset import Dataset

QUERY = "search"  # the named query the index answers
TEXTS = "internal/search-texts"
NEEDLE = "internal/search-needle"
FORMAT = 1  # bump when the layout of the file changes
_KIND = "csi-graph search index"
log = logging.getLogger(__name__)


def answers(named: NamedQuery) -> bool:
    """Whether ``named`` is the bundled query the index answers (not a user's query of that name)."""
    return named.trusted and named.name == QUERY and named.text == resolve(QUERY).text


def search(
    dataset: Dataset, bindings: Mapping[str, ox.NamedNode | ox.Literal], max_rows: int | None
) -> QueryResult | None:
    """search.rq's answer for ``bindings`` (its parameters, as RDF terms) from the index of
    the dataset's cache entry, or ``None`` when SPARQL must answer (see the module's doc)."""
    entry, text, lang = dataset.cache_entry, bindings.get("text"), bindings.get("lang")
    if entry is None or text is None or not _is_tag(lang):
        return None
    (row,) = dataset.query(NEEDLE, text=text).rows
    if row[0] is None:  # no string to look for: leave it to the query
        return None
    needle = row[0].value
    path = entry / index_name(lang.value)
    index = _read(path)
    if index is not None:
        return index.search(needle, max_rows)
    refused = _unwritable(entry)
    if refused:
        log.warning(
            "csi-graph: cannot write the search index in %s (%s): searching without it", entry, refused
        )
        return None
    index = _build(dataset, lang)
    try:
        write_atomic(path, index.dump(), make_folder=False)
    except CsiError as error:
        log.warning("csi-graph: %s: the search index answers this search without being kept", error)
    return index.search(needle, max_rows)


def index_name(lang: str) -> str:
    """The file name of the index for ``lang``: a digest of what its content depends on."""
    digest = hashlib.sha256()
    for part in (f"{_KIND} {FORMAT}", __version__, lang, resolve(QUERY).text, resolve(TEXTS).text):
        digest.update(part.encode("utf-8") + b"\0")
    return f"search-{lang}-{digest.hexdigest()[:16]}.index"


@dataclass(frozen=True)
class _Index:
    """search.rq's rows for the empty text and the lower-cased texts of their commitments.

    The rows are kept as Oxigraph writes them in the SPARQL 1.1 tab-separated results format
    (a head line, then one row a line, every term written in full): lossless, and the rows a
    search keeps are read back by Oxigraph's parser without being written again.
    """

    head: bytes  # the line of variables
    rows: list[bytes]  # one line per row
    owners: list[int]  # each row's commitment, by number
    texts: list[str]  # every lower-cased text of those commitments
    holders: list[int]  # each text's commitment, by number

    def search(self, needle: str, max_rows: int | None) -> QueryResult:
        """The rows whose commitment has a text containing ``needle``, in their order."""
        found = {holder for text, holder in zip(self.texts, self.holders, strict=True) if needle in text}
        kept = [row for row, owner in zip(self.rows, self.owners, strict=True) if owner in found]
        truncated = max_rows is not None and len(kept) > max_rows
        return _Found(b"\n".join([self.head, *kept[:max_rows], b""]), truncated)

    def dump(self) -> bytes:
        """The file: a JSON header (with the SHA-256 of the rest), then owners, holders and
        texts in JSON, one a line, then the rows' lines."""
        lists = (self.owners, self.holders, self.texts)
        lines = [json.dumps(value, ensure_ascii=False).encode("utf-8") for value in lists]
        body = b"\n".join([*lines, self.head, *self.rows, b""])
        header = {"kind": _KIND, "format": FORMAT, "sha256": hashlib.sha256(body).hexdigest()}
        return json.dumps(header).encode("utf-8") + b"\n" + body

    @classmethod
    def parse(cls, data: bytes) -> _Index:
        """Read :meth:`dump`'s file back; a ValueError (or KeyError...) if it is not whole."""
        lines = data.split(b"\n")
        header = json.loads(lines[0])
        if header.get("kind") != _KIND or header.get("format") != FORMAT:
            raise ValueError("not a search index of this version")
        if hashlib.sha256(memoryview(data)[len(lines[0]) + 1 :]).hexdigest() != header["sha256"]:
            raise ValueError("its content does not match its checksum")
        owners, holders, texts = (json.loads(line) for line in lines[1:4])
        head, rows = lines[4], lines[5:-1]
        if len(rows) != len(owners) or len(texts) != len(holders):
            raise ValueError("rows and texts do not match")
        return cls(head, rows, owners, texts, holders)


class _Found(QueryResult):
    """The rows a search keeps, read by Oxigraph's parser from the index's lines when first used.

    Not before: the command line runs a query in a child process that sends its answer to
    its parent by pickling (:func:`csi_graph.isolation.run_isolated`), and the lines go
    through faster than the terms they hold, to be read once, where they are used.
    """

    def __init__(self, document: bytes, truncated: bool) -> None:
        super().__init__("SELECT", truncated=truncated)
        del self.variables, self.rows  # read from the document when first asked for
        self._document = document

    def __getattr__(self, name: str):
        if name not in ("variables", "rows"):
            raise AttributeError(name)
        answer = ox.parse_query_results(self._document, format=ox.QueryResultsFormat.TSV)
        read = QueryResult.from_oxigraph("SELECT", answer)
        self.variables, self.rows = read.variables, read.rows
        return getattr(self, name)

    def __reduce__(self):
        if "rows" in self.__dict__:  # read already (or replaced): sent as any result
            return (QueryResult, (self.form, self.variables, self.rows, None, None, self.truncated))
        return (_Found, (self._document, self.truncated))


def _build(dataset: Dataset, lang: ox.Literal) -> _Index:
    """Run search.rq for the empty text and search-texts.rq, and keep what the index needs."""
    named = resolve(QUERY)
    result = dataset.execute(prepare(named, {"text": "", "lang": lang}), named.form)
    column = result.variables.index("commitment")
    numbers: dict[str, int] = {}
    owners = [numbers.setdefault(str(row[column]), len(numbers)) for row in result.rows]
    texts: dict[tuple[int, str], None] = {}  # (a commitment's texts twice over are kept once)
    for commitment, text in dataset.query(TEXTS).rows:
        number = numbers.get(str(commitment))
        if number is not None and text is not None:  # (LCASE(STR()) of a blank node is unbound)
            texts[number, text.value] = None
    head, *rows = result.to_w3c("tsv").split(b"\n")[:-1]  # every line ends with a newline
    return _Index(head, rows, owners, [text for _, text in texts], [number for number, _ in texts])


def _read(path: Path) -> _Index | None:
    """The index in ``path``, or None if there is none; a damaged file is removed, with a notice."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        _damaged(path, error)
        return None
    try:
        return _Index.parse(data)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:  # (UnicodeDecodeError too)
        _damaged(path, error)
        return None


def _damaged(path: Path, error: BaseException) -> None:
    from csi_graph.cache import _reason

    log.warning("csi-graph: search index %s is damaged (%s): rebuilding it", path, _reason(error))
    with contextlib.suppress(OSError):  # the new index replaces it, or SPARQL answers
        path.unlink(missing_ok=True)


def _unwritable(folder: Path) -> str | None:
    """Why a file cannot be made in ``folder`` (read-only, gone...), or None if it can."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as error:
        return error.strerror or str(error)


def _is_tag(lang: ox.NamedNode | ox.Literal | None) -> bool:
    """A plain literal holding a language tag, as the ``lang`` parameter type makes it."""
    return (
        isinstance(lang, ox.Literal)
        and lang.language is None
        and lang.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
        and _LANG_TAG.fullmatch(lang.value) is not None
    )
