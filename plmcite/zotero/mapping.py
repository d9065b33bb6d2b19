"""Catalog work -> Zotero item fields, and the small pieces of item data plmcite reads back.

``work_fields`` gives every field plmcite manages for the work's item type, with ``""`` where the
catalog has nothing, so that an update can also clear a value the catalog dropped. The ``extra``
field is shared with people: plmcite owns only its ``Citation Key:`` and ``arXiv:`` lines there
(``merge_extra`` keeps every other line as it is).
"""

from __future__ import annotations

import re
from typing import Any

from ..ids import strip_arxiv_version
from ..model import Work
from .tags import Scheme

#: the fields plmcite writes, per item type (all exist in Zotero schema 41 and older ones)
MANAGED_FIELDS: dict[str, tuple[str, ...]] = {
    "preprint": ("title", "creators", "date", "DOI", "url", "repository", "archiveID"),
    "conferencePaper": ("title", "creators", "date", "DOI", "url", "proceedingsTitle", "conferenceName",
                        "publisher", "place", "volume", "pages"),
    "journalArticle": ("title", "creators", "date", "DOI", "url", "publicationTitle", "publisher",
                       "volume", "issue", "pages"),
}
#: the pseudo-field for plmcite's own lines in ``extra``
EXTRA = "extra"

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([0-9]{4}\.[0-9]{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7})", re.I)


def item_type(work: Work, scheme: Scheme) -> str:
    return scheme.item_types.get(work.kind, "preprint")


def creators(work: Work) -> list[dict[str, str]]:
    out = []
    for p in work.authors:
        if p.given:
            out.append({"creatorType": "author", "firstName": p.given, "lastName": p.family})
        else:
            out.append({"creatorType": "author", "name": p.family})
    return out


def date(work: Work) -> str:
    if not work.year:
        return ""
    return f"{work.year}-{work.month:02d}" if work.month else str(work.year)


def url(work: Work) -> str:
    if work.url:
        return work.url
    if work.arxiv:
        return f"https://arxiv.org/abs/{work.arxiv}"
    if work.doi:
        return f"https://doi.org/{work.doi}"
    return ""


def work_fields(work: Work, scheme: Scheme, itype: str | None = None) -> dict[str, Any]:
    """Every managed field of the item for ``work`` (``itype`` overrides the item type)."""
    itype = itype or item_type(work, scheme)
    values: dict[str, Any] = {
        "title": work.title,
        "creators": creators(work),
        "date": date(work),
        "DOI": work.doi or "",
        "url": url(work),
        "repository": "arXiv" if work.arxiv else (work.publisher or ""),
        "archiveID": f"arXiv:{work.arxiv}" if work.arxiv else "",
        "proceedingsTitle": work.container or "",
        "publicationTitle": work.container or "",
        "conferenceName": work.venue_short or "",
        "publisher": work.publisher or "",
        "place": work.address or "",
        "volume": work.volume or "",
        "issue": work.number or "",
        "pages": (work.pages or "").replace("--", "-"),
    }
    return {f: values[f] for f in MANAGED_FIELDS.get(itype, ())}


def extra_lines(work: Work, scheme: Scheme) -> list[str]:
    """plmcite's lines in ``extra``: the citation key (as Better BibTeX reads it) and the arXiv id."""
    lines = [scheme.extra_citation_key.format(key=work.key)]
    if work.arxiv:
        lines.append(scheme.extra_arxiv.format(arxiv=work.arxiv))
    return lines


def split_extra(extra: str, scheme: Scheme) -> tuple[list[str], list[str]]:
    """(plmcite's lines, everybody else's lines) of an ``extra`` value."""
    ours, theirs = [], []
    prefixes = scheme.extra_prefixes()
    for line in (extra or "").splitlines():
        (ours if line.startswith(prefixes) else theirs).append(line)
    return ours, theirs


def merge_extra(remote_extra: str, lines: list[str], scheme: Scheme) -> str:
    """``extra`` with plmcite's lines replaced by ``lines`` (first) and every other line kept."""
    _, theirs = split_extra(remote_extra, scheme)
    return "\n".join(lines + theirs)


def managed_value(data: dict[str, Any], fieldname: str, scheme: Scheme) -> Any:
    """A managed field's value as read from Zotero item ``data``, normalised for comparison."""
    if fieldname == EXTRA:
        return split_extra(data.get("extra", ""), scheme)[0]
    if fieldname == "creators":
        return normalise_creators(data.get("creators", []))
    if fieldname == "itemType":
        return data.get("itemType", "")
    return data.get(fieldname, "")


def normalise_creators(creators_: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for c in creators_ or []:
        if c.get("name"):
            out.append({"creatorType": c.get("creatorType", "author"), "name": c["name"]})
        else:
            out.append({"creatorType": c.get("creatorType", "author"),
                        "firstName": c.get("firstName", ""), "lastName": c.get("lastName", "")})
    return out


# --- reading identity back from an item ------------------------------------------------------


def citation_key_of(data: dict[str, Any], scheme: Scheme) -> str | None:
    prefix = scheme.extra_citation_key.split("{", 1)[0]
    for line in (data.get("extra") or "").splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].strip() or None
    return data.get("citationKey") or None


def arxiv_of(data: dict[str, Any], scheme: Scheme) -> str | None:
    prefix = scheme.extra_arxiv.split("{", 1)[0]
    for line in (data.get("extra") or "").splitlines():
        if line.startswith(prefix):
            return strip_arxiv_version(line[len(prefix):].strip())
    archive = data.get("archiveID") or ""
    if archive.lower().startswith("arxiv:"):
        return strip_arxiv_version(archive[6:].strip())
    m = _ARXIV_URL.search(data.get("url") or "")
    if m:
        return strip_arxiv_version(m.group(1))
    doi = (data.get("DOI") or "").lower()
    if doi.startswith("10.48550/arxiv."):
        return strip_arxiv_version(data["DOI"][len("10.48550/arxiv."):])
    return None


def doi_of(data: dict[str, Any]) -> str | None:
    doi = (data.get("DOI") or "").strip().lower()
    return doi or None
