"""HTML pages from templates, in French or English, with links that work on the live server
and in a static copy alike (every link is relative to the page that holds it).

Data may hold any IRI, ``javascript:`` and ``data:`` ones included: only ``http(s)`` IRIs
and the site's own relative links become links (:func:`safe_href`); any other IRI is
shown as text. Pages load no script and no inline style, so a Content-Security-Policy
(:data:`CONTENT_SECURITY_POLICY`, sent by the server and written in every page) forbids both.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from csi_graph import __version__
from csi_graph.web.iris import RDF_EXTENSIONS, html_path
from csi_graph.web.negotiation import DOCUMENTS
from csi_graph.web.pages import Pages, Term

HERE = Path(__file__).resolve().parent
# No script at all; styles, images and forms from the site itself; never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The same in a page's <meta> (which cannot say frame-ancestors): for the static site too.
PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", "")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def safe_href(iri: str | None) -> str | None:
    """``iri`` if a browser may follow it (http or https), else None: shown as text, not a link."""
    if iri and iri.lower().startswith(("http://", "https://")) and not any(c in iri for c in "\x00\n\r\t"):
        return iri
    return None


FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}

# Words of the interface; data labels come from the data itself.
WORDS: dict[str, dict[str, str]] = {
    "site": {"en": "Integrated security contracts", "fr": "Contrats de sécurité intégrée"},
    "tagline": {
        "en": "Linked open data on the contracts in which the State, the public prosecutor and a city commit to reciprocal actions on public safety.",
        "fr": "Données ouvertes et liées sur les contrats par lesquels l'État, le parquet et une ville s'engagent réciproquement pour la sécurité publique.",
    },
    "home": {"en": "Home", "fr": "Accueil"},
    "contracts": {"en": "Contracts", "fr": "Contrats"},
    "contract": {"en": "Contract", "fr": "Contrat"},
    "compare": {"en": "Compare", "fr": "Comparer"},
    "comparison": {"en": "Contracts compared", "fr": "Comparaison des contrats"},
    "query": {"en": "Query", "fr": "Requête"},
    "register": {"en": "Register", "fr": "Registre"},
    "register_title": {"en": "Register of contracts", "fr": "Registre des contrats"},
    "register_lead": {
        "en": "Every contract a public source names, with what the data knows of it: its state, a date at the precision the source gives (for a signed contract, its earliest signature), the rank a source gives it, and how complete its record is, from listed only to follow-up.",
        "fr": "Chaque contrat qu'une source publique nomme, avec ce que les données en savent : son état, une date à la précision de la source (pour un contrat signé, sa première signature), le rang qu'une source lui donne et le degré de complétude de sa fiche, de « listé » à « suivi ».",
    },
    "state": {"en": "State", "fr": "État"},
    "precision": {"en": "Precision", "fr": "Précision"},
    "rank": {"en": "Rank", "fr": "Rang"},
    "completeness": {"en": "Completeness", "fr": "Complétude"},
    "by_state": {"en": "By state", "fr": "Par état"},
    "by_completeness": {"en": "By completeness", "fr": "Par complétude"},
    "level_listed": {"en": "listed only", "fr": "listé seulement"},
    "level_signatories": {"en": "signatories", "fr": "signataires"},
    "level_commitments": {"en": "commitments", "fr": "engagements"},
    "level_follow-up": {"en": "follow-up", "fr": "suivi"},
    "precision_day": {"en": "day", "fr": "jour"},
    "precision_month": {"en": "month", "fr": "mois"},
    "precision_year": {"en": "year", "fr": "année"},
    "query_title": {"en": "SPARQL query", "fr": "Requête SPARQL"},
    "ontology": {"en": "Ontology", "fr": "Ontologie"},
    "themes": {"en": "Themes", "fr": "Thèmes"},
    "theme": {"en": "Theme", "fr": "Thème"},
    "territory": {"en": "Territory", "fr": "Territoire"},
    "signed": {"en": "Signed", "fr": "Signé le"},
    "runs_to": {"en": "Runs to", "fr": "Jusqu'à"},
    "status": {"en": "Status", "fr": "Statut"},
    "commitments": {"en": "Commitments", "fr": "Engagements"},
    "commitment": {"en": "Commitment", "fr": "Engagement"},
    "parties": {"en": "Parties", "fr": "Parties"},
    "party": {"en": "Party", "fr": "Partie"},
    "kind": {"en": "Kind", "fr": "Nature"},
    "organisation": {"en": "Organisation", "fr": "Organisation"},
    "signatories": {"en": "Signatories", "fr": "Signataires"},
    "signatory": {"en": "Signatory", "fr": "Signataire"},
    "post": {"en": "Post", "fr": "Fonction"},
    "for_party": {"en": "For", "fr": "Pour"},
    "date": {"en": "Date", "fr": "Date"},
    "by_party": {"en": "Commitments by party", "fr": "Engagements par partie"},
    "by_theme": {"en": "Commitments by theme", "fr": "Engagements par thème"},
    "types": {"en": "Types", "fr": "Types"},
    "targets": {"en": "Targets", "fr": "Cibles"},
    "realisations": {"en": "Follow-up and realisations", "fr": "Suivi et réalisations"},
    "no_realisations": {
        "en": "No source read reports on the follow-up of this contract yet.",
        "fr": "Aucune source lue ne rend encore compte du suivi de ce contrat.",
    },
    "sources": {"en": "Sources", "fr": "Sources"},
    "source": {"en": "Source", "fr": "Source"},
    "publisher": {"en": "Publisher", "fr": "Éditeur"},
    "issued": {"en": "Published", "fr": "Publié le"},
    "reliability": {"en": "Reliability", "fr": "Fiabilité"},
    "read_on": {"en": "Read on", "fr": "Lu le"},
    "wording": {"en": "Wording (French, as written)", "fr": "Libellé d'origine"},
    "items": {"en": "Items", "fr": "Éléments"},
    "history": {"en": "Status history", "fr": "Historique du statut"},
    "no_history": {"en": "No dated status yet.", "fr": "Aucun statut daté pour l'instant."},
    "statements": {"en": "All statements", "fr": "Toutes les déclarations"},
    "incoming": {"en": "Referred to by", "fr": "Cité par"},
    "property": {"en": "Property", "fr": "Propriété"},
    "value": {"en": "Value", "fr": "Valeur"},
    "iri": {"en": "IRI", "fr": "IRI"},
    "formats": {"en": "This description as data", "fr": "Cette description en données"},
    "narrower": {"en": "Finer themes", "fr": "Thèmes plus fins"},
    "filed_here": {"en": "Commitments filed under this concept", "fr": "Engagements classés sous ce concept"},
    "none": {"en": "None.", "fr": "Aucun."},
    "volets": {
        "en": "Commitments per volet of the circular and theme",
        "fr": "Engagements par volet de la circulaire et par thème",
    },
    "axis_stated": {
        "en": "◆ axis stated by a source, no commitment known",
        "fr": "◆ axe cité par une source, aucun engagement connu",
    },
    "nothing_known": {
        "en": "– no commitment of the contract known from the sources read",
        "fr": "– aucun engagement du contrat connu dans les sources lues",
    },
    "kinds": {"en": "Commitments per kind of party", "fr": "Engagements par nature de partie"},
    "roles": {"en": "Signatories per post", "fr": "Signataires par fonction"},
    "statuses": {"en": "Status records", "fr": "Relevés de statut"},
    "total": {"en": "Total", "fr": "Total"},
    "examples": {"en": "Examples: the named queries", "fr": "Exemples : les requêtes nommées"},
    "no_examples": {"en": "No named query is installed.", "fr": "Aucune requête nommée n'est installée."},
    "run": {"en": "Run", "fr": "Exécuter"},
    "results": {"en": "Results", "fr": "Résultats"},
    "rows": {"en": "rows", "fr": "lignes"},
    "download": {"en": "Download", "fr": "Télécharger"},
    "truncated": {
        "en": "Only the first {n} rows are shown: this endpoint returns at most {n} rows per query.",
        "fr": "Seules les {n} premières lignes sont montrées : ce service renvoie au plus {n} lignes par requête.",
    },
    "limits": {
        "en": "Read-only. Each query may run {seconds} s and return {rows} rows at most; SERVICE, LOAD and FROM of other graphs are refused.",
        "fr": "Lecture seule. Chaque requête dure au plus {seconds} s et renvoie au plus {rows} lignes ; SERVICE, LOAD et FROM vers d'autres graphes sont refusés.",
    },
    "endpoint": {"en": "SPARQL endpoint", "fr": "Point d'accès SPARQL"},
    "downloads": {"en": "The whole dataset", "fr": "Le jeu de données complet"},
    "for_programs": {"en": "For programs", "fr": "Pour les programmes"},
    "conneg": {
        "en": "Every IRI answers with HTML for a browser and with Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation or by file extension.",
        "fr": "Chaque IRI répond en HTML à un navigateur, et en Turtle, JSON-LD, N-Triples ou RDF/XML par négociation de contenu ou par extension de fichier.",
    },
    "error": {"en": "Error", "fr": "Erreur"},
    "back_home": {"en": "Back to the home page", "fr": "Retour à l'accueil"},
    "licence": {
        "en": "Data and ontology under the Licence Ouverte / Open Licence 2.0; every fact cites its source.",
        "fr": "Données et ontologie sous Licence Ouverte / Open Licence 2.0 ; chaque fait cite sa source.",
    },
    "language": {"en": "Français", "fr": "English"},
}


def as_path(relative: str) -> str:
    """A relative link that a browser cannot read as a scheme: ``javascript:x.en.html`` would be
    one, ``./javascript:x.en.html`` is a file of this folder."""
    return "./" + relative if _SCHEME.match(relative) else relative


def segments(path: str) -> list[str]:
    """The segments of a site path, normalised from the site's root: ``.`` and empty segments
    dropped, ``..`` resolved (never above the root)."""
    return [segment for segment in posixpath.normpath("/" + path).split("/") if segment]


def relative_path(target: list[str], folder: list[str]) -> str:
    """The relative path from a folder to a target, both given by :func:`segments`.

    What ``posixpath.relpath("/" + target, "/" + folder)`` gives, without its two calls to
    ``os.getcwd()``: a page has dozens of links and a site thousands of pages.
    """
    common = 0
    for mine, theirs in zip(target, folder, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(folder) - common) + target[common:]) or "."


class Linker:
    """Labels and relative links for one page (``page_path``, no leading slash) in one language."""

    def __init__(self, pages: Pages, page_path: str, lang: str, live: bool) -> None:
        self.pages = pages
        self.page_path = page_path
        self.lang = lang
        self.live = live
        self._folder = segments(posixpath.dirname(page_path))

    def url(self, path: str) -> str:
        """A link to a served path, relative to this page."""
        target, sep, fragment = path.partition("#")
        relative = (
            relative_path(segments(target), self._folder) if target else posixpath.basename(self.page_path)
        )
        return as_path(relative) + (f"#{fragment}" if sep else "")

    def href(self, iri: str | None) -> str | None:
        """Where a link to ``iri`` goes: its page here when served here, else the IRI itself if it
        is http(s); None (no link) for any other IRI."""
        if not iri:
            return None
        path = self.pages.iris.path(iri)
        if path is None or not self.pages.exists(iri.split("#", 1)[0] if "#" in iri else iri):
            return safe_href(iri)
        return self.url(html_path(path, self.lang))

    def link(self, iri: str | None) -> Markup:
        """A link to ``iri`` labelled in the page's language (:meth:`link_text`); nothing for no IRI."""
        return self.link_text(iri, self.label(iri)) if iri else Markup("")

    def link_text(self, iri: str | None, text: Any, css_class: str | None = None) -> Markup:
        """``text`` as a link to ``iri`` when a browser may follow it (:meth:`href`), else as plain text.

        The one place a page's links are written (templates call it as ``link_text`` and
        ``link``); a Python method rather than a macro, since a page holds hundreds of links and
        a site hundreds of thousands (a Jinja macro call costs several times more). Every value
        is escaped.
        """
        href = self.href(iri)
        css = f' class="{escape(css_class)}"' if css_class else ""
        if href:
            return Markup(f'<a href="{escape(href)}"{css}>{escape(text)}</a>')
        return Markup(f"<span{css}>{escape(text)}</span>")

    def page(self, name: str) -> str:
        """A page of the site itself: ``index``, ``compare``, ``register``, ``query``."""
        return self.url(f"{name}.{self.lang}.html")

    def label(self, iri: str | None) -> str:
        return self.pages.label(iri, self.lang) if iri else ""

    def documents(self, iri: str) -> list[tuple[str, str]]:
        """Links to the RDF documents of ``iri``, as (format name, url)."""
        path = self.pages.iris.path(iri.split("#", 1)[0])
        if path is None:
            return []
        return [(FORMAT_NAMES[ext], self.url(f"{path}.{ext}")) for ext in RDF_EXTENSIONS]


class Renderer:
    """Renders the templates of :mod:`csi_graph.web`, for the server and the static site."""

    def __init__(self, pages: Pages, live: bool, limits: dict[str, Any] | None = None) -> None:
        self.pages = pages
        self.live = live
        self.limits = limits or {}
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates are package files: no stat of each one for every page
        )
        self.env.globals["zip"] = zip
        self.env.globals["media_types"] = {ext: media for ext, (media, _) in DOCUMENTS.items()}
        self.env.globals["content_security_policy"] = PAGE_POLICY

    def render(
        self, template: str, page_path: str, lang: str, alternates: dict[str, str], **context: Any
    ) -> str:
        """One page; ``alternates`` maps each language to this page's URL in that language."""
        linker = Linker(self.pages, page_path, lang, self.live)

        def t(key: str, **values: Any) -> str:
            text = WORDS[key][lang]
            return text.format(**values) if values else text

        return self.env.get_template(template).render(
            lang=lang,
            other_lang="fr" if lang == "en" else "en",
            alternates={code: as_path(url) for code, url in alternates.items()},
            t=t,
            ln=linker,
            link=linker.link,
            link_text=linker.link_text,
            live=self.live,
            limits=self.limits,
            version=__version__,
            Term=Term,
            **context,
        )
