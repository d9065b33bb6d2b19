"""Semantic Scholar's Graph API: identification in bulk, and a best title match.

``POST /graph/v1/paper/batch`` takes up to 500 ids (``ARXIV:…``, ``DOI:…``, ``ACL:…``) in one
request and answers a JSON list aligned with them, ``null`` for an id it does not know. Each paper
brings ``externalIds`` (DOI, DBLP key, ACL Anthology id, arXiv id), venue and year: enough to know
which publisher records to fetch without a title search per entry. A title is searched with ``GET
/graph/v1/paper/search?query=`` (a relevance page of a few candidates, so that two papers with one
title are seen as two); ``/paper/search/match`` (one best match, or 404 ``{"error": "Title match
not found"}``) is read too (:func:`parse_match`) but not asked: a single match hides a namesake.

What Semantic Scholar says is a *hint* for identification: the resolver verifies every id it
suggests against the publisher's own record, and never takes Semantic Scholar's title, authors or
venue as the work's (the role ``s2`` is in no precedence list of ``data/roles.toml``). Real shapes
are in tests/fixtures/wire/s2/: ``CorpusId`` is an integer while the other ids are strings,
``publicationVenue`` has snake_case keys, ``venue`` may be ``""``, errors say ``error`` (400,
404) or ``message`` (403 from the gateway, 429).

``S2_API_KEY`` (environment), when set, goes in the ``x-api-key`` header: never into a URL, a
message or the cache. Etiquette: one request per second (``plmcite.http``).
"""

from __future__ import annotations

import os
from typing import Any

from ..clean import clean_text
from ..http import FetchError, Malformed, Response
from ..ids import strip_arxiv_version
from ..model import Record
from ..names import person_from_name
from .base import Lookup, Source

FIELDS = "externalIds,title,venue,publicationVenue,year,authors,publicationTypes"
#: identifier kinds of list links -> Semantic Scholar's id prefixes
PREFIX = {"arxiv": "ARXIV", "doi": "DOI", "acl": "ACL"}
_EXTERNAL = {"ArXiv": "arxiv", "DOI": "doi", "ACL": "acl", "DBLP": "dblp"}


def s2_key(kind: str, value: str) -> str:
    """The batch id for an identifier of a link: ``ARXIV:2401.00001``, ``DOI:10.18653/…``."""
    if kind == "arxiv":
        value = strip_arxiv_version(value)
    elif kind == "doi":
        value = value.lower()
    return f"{PREFIX[kind]}:{value}"


class SemanticScholarSource(Source):
    name = "s2"
    batch_size = 500

    def _headers(self) -> dict[str, str]:
        key = os.environ.get("S2_API_KEY")
        return {"x-api-key": key} if key else {}

    def normalize_key(self, key: str) -> str:
        prefix, _, value = key.strip().partition(":")
        prefix = prefix.upper()
        kind = {v: k for k, v in PREFIX.items()}.get(prefix)
        return s2_key(kind, value) if kind else f"{prefix}:{value}"

    def _fetch(self, keys: list[str]) -> Lookup:
        out = Lookup()
        for i in range(0, len(keys), self.batch_size):
            ids = keys[i:i + self.batch_size]
            try:
                papers = self.http.post(self.name, f"{self.base_url}/graph/v1/paper/batch", {"fields": FIELDS},
                                        json_body={"ids": ids}, headers=self._headers(),
                                        parse=lambda r, n=len(ids): parse_batch(r, n))
            except FetchError as e:
                out.failed.update({k: str(e) for k in ids})
                continue
            out.answer(ids, dict(zip(ids, papers)), "Semantic Scholar does not know this id")
        return out

    #: candidates of a title search: more than one, so that two papers with one title show up as
    #: two (``/paper/search/match`` names a single best match and would hide the second)
    search_limit = 5

    def _search(self, query: str) -> list[Record]:
        return self.http.get(self.name, f"{self.base_url}/graph/v1/paper/search",
                             {"query": query, "fields": FIELDS, "limit": str(self.search_limit)},
                             headers=self._headers(), parse=parse_search)


def _error(resp: Response) -> str:
    try:
        body = resp.json()
    except Malformed:
        return resp.text[:120]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)[:200]
    return str(body)[:120]


def parse_batch(resp: Response, n: int) -> list[Record | None]:
    """The batch answer: one record (or None) per requested id, in order."""
    if resp.status != 200:
        raise FetchError(f"Semantic Scholar answered HTTP {resp.status}: {_error(resp)}", status=resp.status)
    body = resp.json()
    if not isinstance(body, list) or len(body) != n:
        raise Malformed(f"{resp.url}: expected a list of {n} papers")
    return [paper_record(p) if p is not None else None for p in body]


def parse_search(resp: Response) -> list[Record]:
    """A relevance search page (``{"total", "offset", "next", "data": [...]}``; an empty search has
    no ``data`` key at all)."""
    if resp.status != 200:
        raise FetchError(f"Semantic Scholar answered HTTP {resp.status}: {_error(resp)}", status=resp.status)
    body = resp.json()
    if not isinstance(body, dict) or "total" not in body:
        raise Malformed(f"{resp.url}: expected a search page")
    return [paper_record(p) for p in body.get("data") or []]


def parse_match(resp: Response) -> list[Record]:
    """The best title match as a one-record list; no match is an empty list (a 404)."""
    if resp.status == 404:
        return []
    if resp.status != 200:
        raise FetchError(f"Semantic Scholar answered HTTP {resp.status}: {_error(resp)}", status=resp.status)
    body = resp.json()
    if not isinstance(body, dict):
        raise Malformed(f"{resp.url}: expected an object")
    out = []
    for p in body.get("data") or []:
        rec = paper_record(p)
        rec.extra["match_score"] = p.get("matchScore")
        out.append(rec)
    return out


def paper_record(p: dict[str, Any]) -> Record:
    """A paper of the Graph API as a Record of role ``s2`` (kind unknown: it is only a hint)."""
    if not isinstance(p, dict) or not isinstance(p.get("paperId"), str):
        raise Malformed(f"not a Semantic Scholar paper: {str(p)[:80]}")
    ext = p.get("externalIds") or {}
    ids = {}
    for name, kind in _EXTERNAL.items():
        v = ext.get(name)
        if isinstance(v, str) and v:
            ids[kind] = strip_arxiv_version(v) if kind == "arxiv" else v.lower() if kind == "doi" else v
    ids["s2"] = p["paperId"]
    venue = p.get("venue") or ((p.get("publicationVenue") or {}).get("name")) or None
    authors = [person_from_name(a["name"]) for a in p.get("authors") or [] if isinstance(a, dict) and a.get("name")]
    return Record(
        source="s2",
        key=p["paperId"],
        title=clean_text(p.get("title") or ""),
        authors=authors,
        year=p["year"] if isinstance(p.get("year"), int) else None,
        venue_raw=venue,
        ids=ids,
        extra={"publication_types": list(p.get("publicationTypes") or [])},
    )
