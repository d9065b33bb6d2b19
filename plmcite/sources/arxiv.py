"""arXiv: the legacy query API (Atom), many ids per request with ``id_list``.

arXiv asks for one request every 3 seconds on one connection (the ``arxiv`` min interval in
``plmcite.http``), so ids are sent in batches: a cold resolve of a hundred-entry list costs one or
two requests. Entries come back in any order and a missing id simply has no entry, so results are
matched by id. A 400 (malformed id) is answered for the whole batch; the batch is then split to
find the culprit instead of losing its neighbours.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..http import FetchError, Malformed, Response
from ..clean import clean_text
from ..ids import strip_arxiv_version
from ..model import Record
from ..names import person_from_name
from .base import Lookup, Source

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+?)(v\d+)?$")
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


class ArxivSource(Source):
    name = "arxiv"
    batch_size = 100

    def normalize_key(self, key: str) -> str:
        return strip_arxiv_version(key)

    def _fetch(self, keys: list[str]) -> Lookup:
        out = Lookup()
        for i in range(0, len(keys), self.batch_size):
            out.merge(self._batch(keys[i : i + self.batch_size]))
        return out

    def _batch(self, ids: list[str]) -> Lookup:
        params = {"id_list": ",".join(ids), "max_results": str(len(ids)), "start": "0"}
        try:
            found, status, message = self.http.get(self.name, self.base_url, params, parse=parse_feed)
        except FetchError as e:
            return Lookup(failed={i: str(e) for i in ids})
        if status == 400:
            if len(ids) == 1:
                return Lookup(missing={ids[0]: f"arXiv rejects the id: {message or 'HTTP 400'}"})
            half = len(ids) // 2
            out = self._batch(ids[:half])
            out.merge(self._batch(ids[half:]))
            return out
        if status != 200:
            return Lookup(failed={i: f"arXiv answered HTTP {status}" for i in ids})
        out = Lookup()
        out.answer(ids, found, "arXiv has no paper with this id")
        return out


    #: titles per title-search request: ``ti:"…" OR ti:"…"`` in one search_query
    titles_per_query = 20

    def _search_many(self, op: str, queries: list[str]) -> dict[str, list[Record] | str]:
        """``titles``: the arXiv records whose title is each query's, many titles per request (a
        published paper known by its publisher's id finds its preprint this way in bulk)."""
        if op != "titles":
            return super()._search_many(op, queries)
        from ..match import normalize_title, same_form

        out: dict[str, list[Record] | str] = {}
        for i in range(0, len(queries), self.titles_per_query):
            chunk = queries[i:i + self.titles_per_query]
            phrases = [normalize_title(t) for t in chunk]
            query = " OR ".join(f'ti:"{p}"' for p in phrases if p)
            params = {"search_query": query, "start": "0", "max_results": str(5 * len(chunk))}
            try:
                found, status, message = self.http.get(self.name, self.base_url, params, parse=parse_feed)
            except FetchError as e:
                out.update({t: str(e) for t in chunk})  # those titles failed: asked again next time
                continue
            if status != 200:
                out.update({t: f"arXiv answered HTTP {status}: {message or ''}".strip() for t in chunk})
                continue
            for t in chunk:
                out[t] = [r for r in found.values() if same_form(r.title, t)]
        return out


def parse_feed(resp: Response) -> tuple[dict[str, Record], int, str | None]:
    """Records by id from an Atom feed; (records, status, error message)."""
    if resp.status not in (200, 400):
        return {}, resp.status, None
    try:
        root = ET.fromstring(resp.body)
    except ET.ParseError as e:
        raise Malformed(f"not an Atom feed: {e}") from None
    if root.tag != f"{ATOM}feed":
        raise Malformed(f"not an Atom feed (root element {root.tag})")
    if root.find(f"{OPENSEARCH}totalResults") is None:
        raise Malformed("Atom feed without opensearch:totalResults (truncated?)")
    records: dict[str, Record] = {}
    error = None
    for entry in root.findall(f"{ATOM}entry"):
        eid = (entry.findtext(f"{ATOM}id") or "").strip()
        if "/api/errors" in eid:
            error = clean_text(entry.findtext(f"{ATOM}summary") or "") or "error"
            continue
        m = _ID_IN_URL.search(eid)
        if not m:
            continue  # the "empty entry" answer for a missing id
        rec = _record(entry, m.group(1))
        if rec is not None:
            records[rec.key] = rec
    if resp.status == 400:
        return {}, 400, error
    return records, 200, None


def _record(entry: ET.Element, arxiv_id: str) -> Record | None:
    title = clean_text(entry.findtext(f"{ATOM}title") or "")
    if not title:
        return None
    authors = [person_from_name(a.findtext(f"{ATOM}name") or "") for a in entry.findall(f"{ATOM}author")]
    authors = [a for a in authors if a.family]
    year = month = None
    m = _NEW_ID.match(arxiv_id)
    if m:  # a new-style id *is* the month of v1
        year, month = 2000 + int(m.group(1)), int(m.group(2))
    else:
        published = (entry.findtext(f"{ATOM}published") or "").strip()
        if re.match(r"^\d{4}-\d{2}", published):
            year, month = int(published[:4]), int(published[5:7])
    ids = {"arxiv": arxiv_id}
    doi = clean_text(entry.findtext(f"{ARXIV}doi") or "")
    extra = {}
    if doi:
        extra["doi"] = doi  # submitter-entered: a hint to verify, not a fact
    journal_ref = clean_text(entry.findtext(f"{ARXIV}journal_ref") or "")
    if journal_ref:
        extra["journal_ref"] = journal_ref
    prim = entry.find(f"{ARXIV}primary_category")
    return Record(
        source="arxiv",
        key=arxiv_id,
        title=title,
        authors=authors,
        year=year,
        month=month,
        kind="preprint",
        venue_raw="arXiv",
        ids=ids,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_class=prim.get("term") if prim is not None else None,
        extra=extra,
    )
