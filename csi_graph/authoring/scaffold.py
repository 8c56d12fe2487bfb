"""A new authoring file to fill in: ``csi-graph new CITY``.

The file is a commented skeleton of one contract (the State and the city as parties, one
signature each, one example commitment, one source) with ``TODO`` where a fact must come from
a source; building it before those are replaced says exactly which ones are left. It ends with
every allowed value (themes with their hierarchy, commitment types, kinds, roles, units,
statuses, grades), read from the SKOS schemes of the loaded ontology.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from csi_graph.authoring.yamlfile import quote
from csi_graph.vocabulary import Vocabulary

# (authoring scheme, the key that takes it, what it is for) for the list at the end of the file.
_LISTED = [
    ("themes", "commitments: themes", "themes of commitments (a finer theme counts for its volet)"),
    ("types", "commitments: types", "commitment types"),
    ("actor-kinds", "parties / organisations: kind", "kinds of parties and organisations"),
    ("roles", "posts: role", "roles of posts"),
    ("units", "quantities: unit", "units"),
    ("quantity-kinds", "quantities: kind", "what a quantity measures"),
    ("quantity-bases", "quantities: basis", "additional, or total level to reach"),
    ("statuses", "commitments: status: status", "statuses of a commitment's dated follow-up"),
    ("contract-statuses", "contract: status", "statuses of a contract"),
    ("reliability", "sources: reliability", "reliability grades (write the grade, e.g. B+)"),
    ("capacities", "signatures: capacity", "signed, or present (« en présence de »); default signatory"),
    ("qualifiers", "quantities: qualifier", "approximate, at least, at most"),
]

TEMPLATE = """\
# Integrated security contract (CSI) of {city}: authoring file for csi-graph.
#
# Write down what public sources state about the contract, and only that: leave out any key
# no source gives (an unknown signatory stays unknown). Every fact lists the sources it comes
# from by their keys (see "sources:" at the end). Replace each TODO, then build the contract:
#
#     csi-graph build {file}
#
# which checks this file, validates the contract with the SHACL shapes and writes
# data/contracts/{id}.ttl. Errors give the line and the key to fix.
#
# Dates: YYYY-MM-DD, YYYY-MM or YYYY. Texts: {{fr: "...", en: "..."}} (French first; a plain
# text is French). Lists: [a, b]. The allowed values of every "kind", "themes", "types",
# "role", "unit", "status"... are listed at the end of this file.
# Where sources disagree on a date, a name, a figure or a capacity, keep both (pick none):
#     date:
#       disputed:
#         - {{value: 2021-05-20, sources: [press-1]}}
#         - {{value: 2021-05-21, sources: [press-2]}}
# A fact that is not a clause goes in notes: (each with its own sources), or under
# announcements:; comment: is for your own remarks, which cite no source. Every key is
# explained in docs/authoring-keys.md.

contract:
  id: {id}                  # lower case, digits, hyphens: the contract's IRI is .../contract/{id}
  title:
    fr: {title_fr}
    en: {title_en}
  status: signed            # or renewed, announced, negotiating, refused, abandoned, not-signed
  # history:                # dated states, at the precision the source gives (year, month, day)
  #   - {{status: announced, date: 2021-03, sources: [announcement]}}
  #   - {{status: signed, date: 2022-01, sources: [announcement]}}
  # rank: 72                # « le 72e CSI »: only if a source gives it (cite it below)
  # renews: lyon-2021       # the id of the earlier contract this one renews
  # legal_basis: circulaire-6258-sg-2021-04-16   # only if a source supports it
  # commitments_known: false   # the sources name the contract but give none of its commitments
  # axes:                   # what a source says the contract covers, in its words
  #   - {{label: {{fr: "justice de proximité", en: "local justice"}}, themes: [local-justice], sources: [announcement]}}
  # partners: [operator]    # organisations named as partners (« en lien avec »), not parties
  territories: [{territory}]   # keys under territories:, one or several (communes, intercommunality, département)
  period:                   # delete what no source gives
    start: TODO             # for example the signature date, 2022-03-09
    end: TODO               # for example 2026, the end of the municipal mandate
    sources: [announcement]
  # follow_up_body: clspd   # key under instruments: of the body that follows the contract
  sources: [announcement]

parties:                    # every party of the contract (the State, the city, the Parquet...)
  state:
    label: {{fr: "État", en: "State"}}
    kind: state
    organisation: prefecture
    sources: [announcement]
  city:
    label: {{fr: {city_label_fr}, en: {city_label_en}}}
    kind: commune
    organisation: {organisation}
    # commitments_known: false   # a co-signatory whose commitments no source gives
    sources: [announcement]

signatures:                 # one per person who signed; leave out signatory or post if no source names them
  - party: state
    signatory: TODO         # key under persons:, e.g. jeanne-dupont
    post: prefet
    date: TODO
    sources: [announcement]
  - party: city
    signatory: TODO
    post: maire
    date: TODO
    sources: [announcement]
  # - {{party: state, signatory: jean-exemple, post: ministre, capacity: present, date: 2025-01-10, sources: [announcement]}}
  #   capacity: present for a person « en présence de » who did not sign (default: signatory)

commitments:                # one per commitment, each taken by exactly one party
  - id: state-01            # unique in the contract
    party: state
    wording: "TODO: the commitment, copied exactly as the contract or the source writes it"
    # paraphrase: "..."     # instead of wording, your French summary when no source gives the text
    label: {{en: "TODO: an English translation"}}
    themes: [national-police-staffing]
    types: [staffing]
    quantities:             # optional: figures the source gives
      - {{value: TODO, unit: post, kind: national-police-staff, basis: additional, deadline: TODO}}
      # - {{value: 45, unit: post, kind: national-police-staff, basis: additional, part_of: state-01-1}}   # « dont 45 »
      # - {{value: 100, qualifier: approximate, unit: camera, kind: cameras, basis: additional}}   # « une centaine »
      # - {{min: 40, max: 90, unit: post, kind: national-police-staff}}   # a range
      # - {{value: 25, unit: person, kind: municipal-police-staff, basis: total, baseline: {{value: 12, date: 2021}}}}   # from 12 to 25
      # - {{value: 2, unit: factor, kind: patrols, basis: relative}}   # « doubler » (+50 %: value 50, unit percent)
      # - {{unit: person, kind: national-police-staff, basis: maintained}}   # « sanctuariser »: a level kept
      # same_target_as: state-01-1 for the same target said otherwise (+3 and 14 in all);
      # stated_by: [jean-exemple] for who stated the figure, according to the source
    # deadline: 2026
    # funding: [fipd]
    # status:               # dated follow-up, each with its own source
    #   - {{status: in-progress, date: 2023-01, description: {{fr: "...", en: "..."}}, sources: [follow-up]}}
    # notes:                # a side fact, with its own source
    #   - {{text: {{fr: "...", en: "..."}}, date: 2023-09, sources: [follow-up]}}
    sources: [announcement]

# announcements:            # statements about the contract that are not its commitments
#   - date: 2022-10-04
#     stated_by: [jean-exemple]
#     relates_to: [state-01]
#     description: {{fr: "...", en: "..."}}
#     quantities: [{{value: 50, unit: person, kind: municipal-police-staff, basis: additional}}]
#     sources: [follow-up]

organisations:
  prefecture:
    label: {{fr: "TODO: Préfecture de ...", en: "TODO: Prefecture of ..."}}
    kind: state
    sources: [announcement]
  {organisation}:
    label: {{fr: {city_label_fr}, en: {city_label_en}}}
    kind: commune
    territory: {territory}
    sources: [announcement]

posts:
  prefet:
    label: {{fr: "TODO: Préfet de ...", en: "TODO: Prefect of ..."}}
    organisation: prefecture
    role: prefet
    sources: [announcement]
  maire:
    label: {{fr: {mayor_fr}, en: {mayor_en}}}
    organisation: {organisation}
    role: maire
    sources: [announcement]

persons: {{}}                 # e.g. jeanne-dupont: {{name: "Jeanne Dupont", sources: [announcement]}}

territories:
  {territory}:
    kind: commune
    name: {{fr: {city_quoted}}}   # found by name among the official communes: no code to type
    # departement: Rhône    # only to tell apart communes of the same name
    # official_name: "..."  # for an intercommunality, its name in the official list (csi-graph territories)
    sources: [announcement]

sources:                    # key: the web page a fact comes from
  announcement:
    url: TODO               # https://...
    label: {{fr: "TODO: what the page is", en: "TODO"}}
    publisher: TODO         # the city, the préfecture, a newspaper...
    # issued: 2022-03-10    # the page's publication date, if shown
    reliability: A          # A official ... C/D unconfirmed, or ungraded (grades listed below)
    read_on: {today}         # the day you read it
"""


def slug(text: str) -> str:
    """``Saint-Étienne`` -> ``saint-etienne``: a key in lower case, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def scaffold(city: str, identifier: str, vocabulary: Vocabulary, today: datetime.date | None = None) -> str:
    """The text of a new authoring file for ``city``, contract ``identifier``."""
    key = slug(city)
    text = TEMPLATE.format(
        city=city,
        id=identifier,
        file=f"{identifier}.yaml",
        title_fr=quote(f"Contrat de sécurité intégrée de {city}"),
        title_en=quote(f"Integrated security contract of {city}"),
        territory=f"commune/{key}",
        organisation=f"commune/{key}",
        city_label_fr=quote(f"Ville de {city}"),
        city_label_en=quote(f"City of {city}"),
        mayor_fr=quote(f"Maire de {city}"),
        mayor_en=quote(f"Mayor of {city}"),
        city_quoted=quote(city),
        today=(today or datetime.date.today()).isoformat(),
    )
    return text + "\n" + allowed_values(vocabulary)


def allowed_values(vocabulary: Vocabulary) -> str:
    """The allowed values of every key, as YAML comments, from the loaded schemes and ontology."""
    lines = [
        "#" * 94,
        "# Allowed values (from ontology/csi-schemes.skos.ttl and ontology/csi.owl.ttl)",
        "#" * 94,
    ]
    lists = [(name, where, what, vocabulary.ordered(name)) for name, where, what in _LISTED]
    kinds = [
        (
            "territories: kind",
            "kinds of territory (a commune without a confirmed INSEE code is still kind: commune)",
            vocabulary.territory_kinds,
        ),
        ("instruments: kind", "kinds of instrument", vocabulary.instrument_kinds),
    ]
    for name, where, what, ordered in lists:
        lines += ["#", f"# {where} -- {what}:"]
        for depth, concept in ordered:
            value = concept.notation if name == "reliability" else concept.key
            label = f"{concept.label('fr')} / {concept.label('en')}"
            lines.append(f"#   {'  ' * depth}{value:<{36 - 2 * depth}} {label}".rstrip())
    for where, what, concepts in kinds:
        lines += ["#", f"# {where} -- {what}:"]
        for key, concept in concepts.items():
            lines.append(f"#   {key:<36} {concept.label('fr')} / {concept.label('en')}")
    lines += [
        "#",
        "# contract: legal_basis -- legal texts, only where a source supports it: "
        + ", ".join(vocabulary.legal_texts),
        "# commitments: funding -- funds: " + ", ".join(vocabulary.funds),
    ]
    return "\n".join(lines) + "\n"
