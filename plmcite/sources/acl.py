"""ACL Anthology: one ``.bib`` per anthology id, the publisher's own record.

The Anthology's BibTeX is the authority for ACL venues: official title, authors, booktitle
(which names the volume: long papers, Findings, a workshop), pages, month, address, publisher
and, where the Anthology XML has one, the DOI (never derived from the id: not every volume has
one). The volume part of the id (``2024.findings-emnlp``) tells the venue table which venue it is.

Real ``.bib`` files (tests/fixtures/wire/acl/) carry LaTeX-escaped names (``{\'A}lvarez-Mellado``,
``O{'}Shaughnessy``), ``editor``, ``ISBN`` and ``abstract`` fields, a ``month`` built with BibTeX's
``#`` (``may # " 2 - " # may # " 7"``), and front matter as ``@proceedings`` or ``@book`` with no
author. A name braced whole in ``author`` (``{OpenAI}``) is an organisation: one literal name.
"""

from __future__ import annotations

import re

from ..http import FetchError, Malformed, Response
from ..clean import clean_text, normalize_pages
from ..model import Person, Record
from ..names import person_from_name
from .base import Lookup, Source

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_NEW_ID = re.compile(r"^(\d{4})\.([a-z0-9\-]+?)(?:-(\d+|long|short|main|demo|demos|srw|industry|tutorials?|\w+))?\.(\d+)$")


class AclSource(Source):
    """Papers by Anthology id. Two or more papers of one volume come from the volume's own
    ``/volumes/<volume>.bib`` (every paper of the volume, one request), the others from their
    ``/<id>.bib``."""

    name = "acl"
    #: papers of one volume that make its whole .bib worth one request instead of one each
    volume_threshold = 2

    def _fetch(self, keys: list[str]) -> Lookup:
        by_volume: dict[str, list[str]] = {}
        for aid in keys:
            by_volume.setdefault(volume_of(aid), []).append(aid)
        out, singles = Lookup(), []
        for volume, ids in sorted(by_volume.items()):
            if len(ids) < self.volume_threshold:
                singles += ids
                continue
            try:
                entries = self.http.get(self.name, f"{self.base_url}/volumes/{volume}.bib", parse=parse_volume_answer)
            except FetchError:
                entries = None  # each paper on its own, then
            for aid in ids:
                entry = (entries or {}).get(aid)
                if entry is not None:
                    out.found[aid] = bib_record(entry, aid)
                else:
                    singles.append(aid)
        out.merge(self._fetch_each(
            singles, lambda aid: self.http.get(self.name, f"{self.base_url}/{aid}.bib", parse=lambda r: parse_bib_answer(r, aid)),
            "the ACL Anthology has no paper with this id"))
        return out


def volume_of(anthology_id: str) -> str:
    """``2024.findings-emnlp.398`` -> ``2024.findings-emnlp``; ``P15-1001`` -> ``P15-1``."""
    if re.match(r"^[A-Z]\d{2}-\d{4}$", anthology_id):
        return anthology_id[:5]
    return anthology_id.rsplit(".", 1)[0]


def parse_bib_answer(resp: Response, anthology_id: str) -> Record | None:
    if resp.status in (404, 410):
        return None
    if resp.status != 200:
        raise FetchError(f"ACL Anthology answered HTTP {resp.status}", status=resp.status)
    text = resp.text
    stripped = text.strip()
    if not stripped.startswith("@") or not stripped.endswith("}") or text.count("{") != text.count("}"):
        raise Malformed("not a complete BibTeX entry")
    entry = parse_bibtex_entry(text)
    if entry is None or not entry.get("title"):
        raise Malformed("BibTeX entry without a title")
    return bib_record(entry, anthology_id)


_PAPER_URL = re.compile(r"aclanthology\.org/([^/\s]+?)/?$")


def parse_volume_answer(resp: Response) -> dict[str, dict[str, str]] | None:
    """The papers of a volume's .bib by Anthology id (read from each entry's ``url``); None for 404."""
    if resp.status in (404, 410):
        return None
    if resp.status != 200:
        raise FetchError(f"ACL Anthology answered HTTP {resp.status}", status=resp.status)
    text = resp.text
    if not text.strip().startswith("@") or text.count("{") != text.count("}"):
        raise Malformed("not a complete BibTeX file")
    out = {}
    for entry in _parse_entries(text):
        m = _PAPER_URL.search(entry.get("url", ""))
        if m and entry.get("title"):
            out[m.group(1)] = entry
    return out


def parse_bibtex_entry(text: str) -> dict[str, str] | None:
    """The first entry of a BibTeX string as ``{field: unicode value}`` (plus ``ENTRYTYPE``)."""
    entries = _parse_entries(text, first_only=True)
    return entries[0] if entries else None


def _parse_entries(text: str, first_only: bool = False) -> list[dict[str, str]]:
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    try:
        db = bibtexparser.loads(text, parser=parser)
    except Exception as e:  # bibtexparser raises assorted pyparsing errors on broken input
        raise Malformed(f"BibTeX does not parse: {e}") from None
    return [_entry_fields(e) for e in (db.entries[:1] if first_only else db.entries)]


def _entry_fields(raw: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in raw.items():
        if k in ("ENTRYTYPE", "ID"):
            out[k] = v
        elif k in NAME_FIELDS:
            out[k] = v  # split into names before decoding: a name braced whole is an organisation
        elif k in TEXT_FIELDS:
            out[k] = latex_to_text(v)
        else:
            out[k] = clean_text(v.replace("{", "").replace("}", ""))
    return out


#: fields holding prose (LaTeX decoded); the others (url, doi, pages...) are taken literally
TEXT_FIELDS = {"title", "booktitle", "journal", "publisher", "address", "series", "abstract"}
#: fields holding names, kept as LaTeX until split (see :func:`split_bib_authors`)
NAME_FIELDS = {"author", "editor"}


_DOTLESS = re.compile(r"\\([ij])(?:\s|(?![A-Za-z]))")


def latex_to_text(value: str) -> str:
    """BibTeX value -> plain text: LaTeX accents decoded, protective braces dropped."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; a dependency of pybtex)

    # a dotless i/j under an accent (DBLP: "Mart{\\'{\\i}}n") is an i/j to latexcodec only bare
    value = _DOTLESS.sub(r"\1", value)
    try:
        value = codecs.decode(value, "ulatex")
    except (UnicodeError, ValueError, TypeError):
        pass
    return clean_text(value.replace("{", "").replace("}", ""))


def _split_names(value: str) -> list[str]:
    """A BibTeX name list split on "and" at brace depth 0 ("{Barnes and Noble}" is one name)."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        c = value[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and value[i:i + 3].lower() == "and" and (i == 0 or value[i - 1].isspace()) \
                and (i + 3 == len(value) or value[i + 3].isspace()):
            names.append(value[start:i])
            start = i = i + 3
            continue
        i += 1
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _braced_whole(name: str) -> bool:
    """``{OpenAI}`` or ``{{H1 Collaboration}}``: one brace group around the whole name."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for i, c in enumerate(name):
        depth += (c == "{") - (c == "}")
        if depth == 0 and i < len(name) - 1:
            return False
    return True


def split_bib_authors(value: str):
    """Persons of a BibTeX ``author``/``editor`` value (LaTeX): "Family, Given" or "Given Family"
    names with accents decoded; a name braced whole is a literal name (an organisation)."""
    people = []
    for raw in _split_names(value):
        if _braced_whole(raw):
            text = latex_to_text(raw[1:-1])
            if text:
                people.append(Person(text, literal=True))
            continue
        people.append(person_from_name(latex_to_text(raw)))
    return people


def bib_record(entry: dict[str, str], anthology_id: str) -> Record:
    etype = entry.get("ENTRYTYPE", "").lower()
    month = entry.get("month", "").strip().lower()[:3]  # "may # \" 2 - \" # may # \" 7\"" reads "May 2 - May 7"
    year = entry.get("year", "")
    doi = entry.get("doi", "").strip().lower()
    kind = "journal" if etype == "article" else ("conference" if etype == "inproceedings" else "other")
    ids = {"acl": anthology_id}
    if doi:
        ids["doi"] = doi
    url = entry.get("url") or f"https://aclanthology.org/{anthology_id}/"
    return Record(
        source="acl",
        key=anthology_id,
        title=entry.get("title", ""),
        authors=[a for a in split_bib_authors(entry.get("author", "")) if a.family],
        year=int(year) if year.isdigit() else None,
        month=MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None),
        kind=kind,
        venue_raw=volume_of(anthology_id),
        container=entry.get("booktitle") or entry.get("journal") or None,
        volume=entry.get("volume") or None,
        number=entry.get("number") or None,
        pages=normalize_pages(entry.get("pages")),
        publisher=entry.get("publisher") or None,
        address=entry.get("address") or None,
        ids=ids,
        url=url,
    )
