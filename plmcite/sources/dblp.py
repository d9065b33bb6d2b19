"""DBLP: the publication search API, used to find the published version of a paper.

One title search returns both the informal CoRR record of an arXiv paper and the published
conference or journal record, when DBLP knows them: venue, year, pages, volume, DOI and the
electronic editions (``ee``), which carry further identifiers (Anthology id, OpenReview forum,
proceedings page, DOI) for the sources that hold the publisher's own record.

The JSON is an XML conversion, with its quirks: a single author or hit is an object instead of
a list, zero hits means no ``hit`` key, ``venue`` and ``ee`` may be lists, numbers are strings,
titles end with a period and homonymous authors carry a number ("Wei Wang 0001"). Real answers
(tests/fixtures/wire/dblp/) add: XML entities inside the JSON strings (``Operators&apos;``,
``Tag&amp;Tab``, decoded in ``plmcite.clean``), article-number pages (``26:1-26:4``), records
without ``authors`` (an Editorship), and, since 2025, Findings papers filed under the main
conference's venue ("EMNLP") while their ``ee`` names the Findings volume
(``aclanthology.org/2025.findings-emnlp.283/``): the venue is then read as "EMNLP (Findings)",
DBLP's own spelling for such papers until 2024, so a Findings paper is never cited as a main one.
"""

from __future__ import annotations

import re

from .. import ids as idmod
from ..http import FetchError, Malformed, Response
from ..clean import normalize_pages, strip_period
from ..model import Record
from ..names import person_from_name
from .base import Source

#: DBLP publication type -> kind of work (CoRR is "Informal", whatever the type says)
KIND = {
    "Conference and Workshop Papers": "conference",
    "Journal Articles": "journal",
    "Informal and Other Publications": "preprint",
    "Informal Publications": "preprint",
    "Parts in Books or Collections": "other",
    "Books and Theses": "other",
    "Editorship": "other",
    "Reference Works": "other",
}
_CORR_VOLUME = re.compile(r"^abs/(.+)$")
_FINDINGS = re.compile(r"^\d{4}\.findings-([a-z]+)\.\d+$")


class DblpSource(Source):
    name = "dblp"
    hits = 20

    def _search(self, query: str) -> list[Record]:
        params = {"q": search_terms(query), "format": "json", "h": str(self.hits), "c": "0"}
        return self.http.get(self.name, f"{self.base_url}/search/publ/api", params, parse=parse_search)

    #: hits per page of a table of contents (the API's most)
    toc_page = 1000

    def _search_many(self, op: str, queries: list[str]) -> dict[str, list[Record] | str]:
        """``toc``: every paper of a proceedings' table of contents (``q=toc:db/conf/iclr/iclr2025.bht:``),
        a page of 1000 per request, so the papers of one venue-year found by many entries cost one
        request or a few, not one each."""
        if op != "toc":
            return super()._search_many(op, queries)
        out: dict[str, list[Record]] = {}
        for toc in queries:
            records: list[Record] = []
            first = 0
            try:
                while True:
                    params = {"q": f"toc:{toc}:", "format": "json", "h": str(self.toc_page), "f": str(first), "c": "0"}
                    page, total = self.http.get(self.name, f"{self.base_url}/search/publ/api", params,
                                                parse=parse_toc_page)
                    records += page
                    first += self.toc_page
                    if not page or first >= total:
                        break
            except FetchError as e:
                out[toc] = str(e)  # this table of contents failed (asked again next run)
                continue
            out[toc] = records
        return out


def parse_toc_page(resp: Response) -> tuple[list[Record], int]:
    """One page of a table-of-contents query: its records and the total count of hits."""
    records = parse_search(resp)
    try:
        total = int(resp.json()["result"]["hits"].get("@total", "0"))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise Malformed("dblp answer without result.hits") from None
    return records, total


def search_terms(title: str) -> str:
    """DBLP matches words (with prefixes); punctuation only hurts, so send the bare words."""
    words = re.sub(r"[^\w\s\-+]", " ", title).split()
    return " ".join(words)


def _as_list(v) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _text(v) -> str:
    if isinstance(v, dict):
        v = v.get("text", "")
    return str(v) if v is not None else ""


def parse_search(resp: Response) -> list[Record]:
    from ..http import FetchError

    if resp.status != 200:
        raise FetchError(f"dblp answered HTTP {resp.status}", status=resp.status)
    data = resp.json()
    try:
        result = data["result"]
        hits = result["hits"]
        total = int(hits.get("@total", "0"))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise Malformed("dblp answer without result.hits") from None
    hit_list = _as_list(hits.get("hit"))
    if total and not hit_list and int(hits.get("@sent", "1") or 0):
        raise Malformed("dblp answer announces hits but carries none")
    out = []
    for h in hit_list:
        info = h.get("info") if isinstance(h, dict) else None
        if isinstance(info, dict):
            rec = hit_record(info)
            if rec is not None:
                out.append(rec)
    return out


def hit_record(info: dict) -> Record | None:
    title = strip_period(_text(info.get("title")))
    key = _text(info.get("key"))
    if not title or not key:
        return None
    authors = [person_from_name(_text(a)) for a in _as_list((info.get("authors") or {}).get("author"))]
    venues = [_text(v) for v in _as_list(info.get("venue"))]
    venue = venues[0] if venues else None
    ees = [_text(e) for e in _as_list(info.get("ee"))]
    ids: dict[str, str] = {"dblp": key}
    for ee in ees:
        for k, v in idmod.extract(ee).items():
            if k in idmod.PAPER_IDS:
                ids.setdefault(k, v)
    doi = _text(info.get("doi"))
    if doi:
        ids.setdefault("doi", doi.lower())
    is_corr = venue == "CoRR" or key.startswith("journals/corr/")
    if is_corr:
        m = _CORR_VOLUME.match(_text(info.get("volume")))
        if m and "arxiv" not in ids:
            ids["arxiv"] = m.group(1)
        a = idmod.arxiv_id(ids.get("doi", "")) if "doi" in ids else None
        if a:
            ids.setdefault("arxiv", a)
        ids.pop("doi", None)  # arXiv's DataCite DOI names the preprint, not a published version
        kind = "preprint"
    else:
        kind = KIND.get(_text(info.get("type")), "other")
        if "doi" in ids and idmod.arxiv_id(ids["doi"]):
            ids.pop("doi")
    # an ACL Anthology DOI names the anthology id too
    m = re.match(r"^10\.18653/v1/(.+)$", ids.get("doi", ""))
    if m:
        ids.setdefault("acl", m.group(1))
    m = _FINDINGS.match(ids.get("acl", ""))
    if m and venue and "findings" not in venue.lower():
        venue = f"{venue} (Findings)"  # the ee's Anthology volume says Findings; the venue string does not
    year = _text(info.get("year"))
    url = next((e for e in ees if "doi.org" not in e), ees[0] if ees else None)
    return Record(
        source="dblp",
        key=key,
        title=title,
        authors=[a for a in authors if a.family],
        year=int(year) if year.isdigit() else None,
        kind=kind,
        venue_raw=venue,
        volume=_text(info.get("volume")) or None if not is_corr else None,
        number=_text(info.get("number")) or None,
        pages=normalize_pages(_text(info.get("pages"))),
        ids=ids,
        url=url,
        extra={"type": _text(info.get("type")), "ee": ees, "venues": venues},
    )
