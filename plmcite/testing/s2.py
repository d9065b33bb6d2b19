"""Fake Semantic Scholar Graph API: ``POST /graph/v1/paper/batch``, ``GET /graph/v1/paper/search`` and ``/search/match``.

Served from the same records as the other fakes, in the shapes of the real answers recorded in
tests/fixtures/wire/s2/ (the shape-diff test compares them): a batch answer is a JSON *list*
aligned with the requested ids, ``null`` for an unknown one; a paper carries ``paperId`` (40 hex
digits), ``externalIds`` with string ids and an integer ``CorpusId`` (``ArXiv``, ``DOI`` upper
case as Semantic Scholar stores it, ``ACL``, ``DBLP``: the published version's key when there is
one, else the CoRR key), ``title``, ``venue`` (``"arXiv.org"`` for a preprint), a
``publicationVenue`` object with snake_case keys (or ``null``), ``year`` and ``authors``
(``{"authorId", "name"}``). ``/search/match`` answers ``{"data": [{…, "matchScore"}]}`` for the
best title match, or 404 ``{"error": "Title match not found"}``. Errors are ``{"error": …}``
(400, 404) or ``{"message": …}`` (429, as the API gateway answers).

Ids are ``ARXIV:<id>``, ``DOI:<doi>`` (case-insensitive), ``ACL:<anthology id>``,
``CorpusId:<n>`` or a bare ``paperId``. At most 500 ids per batch (400 beyond).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..ids import strip_arxiv_version
from .dblp import build_records
from .records import Paper
from .server import Request, Response, Service
from .text import tokens

JSON = "application/json"
MAX_BATCH = 500


def paper_id(paper: Paper) -> str:
    return hashlib.sha1(paper.label.encode("utf-8")).hexdigest()


def corpus_id(paper: Paper) -> int:
    return int(paper_id(paper)[:7], 16)


class S2Service(Service):
    name = "s2"
    server_header = "fake-s2"

    def __init__(self, papers: list[Paper]):
        self.papers = list(papers)
        dblp_keys: dict[int, str] = {}
        for rec in build_records(self.papers):
            if not rec.corr or id(rec.paper) not in dblp_keys:
                dblp_keys[id(rec.paper)] = rec.key
        self.dblp_keys = dblp_keys
        self.by_id: dict[str, Paper] = {}
        for p in self.papers:
            self.by_id[paper_id(p)] = p
            self.by_id[f"corpusid:{corpus_id(p)}"] = p
            if p.arxiv:
                self.by_id[f"arxiv:{p.arxiv.id.lower()}"] = p
            if p.published and p.published.doi:
                self.by_id[f"doi:{p.published.doi.lower()}"] = p
            if p.published and p.published.acl_anthology_id:
                self.by_id[f"acl:{p.published.acl_anthology_id.lower()}"] = p

    def error(self, status: int, message: str) -> Response:
        key = "message" if status in (403, 429) else "error"
        return Response(status, json.dumps({key: message}).encode(), JSON)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        return self.error(status, "Too Many Requests. Please wait and try again or apply for a key for higher rate "
                                  "limits. https://www.semanticscholar.org/product/api#api-key-form")

    def handle(self, req: Request) -> Response:
        if req.path.rstrip("/") == "/graph/v1/paper/batch":
            if req.method != "POST":
                return self.error(405, "Method Not Allowed")
            return self._batch(req)
        if req.path.rstrip("/") == "/graph/v1/paper/search/match":
            return self._match(req)
        if req.path.rstrip("/") == "/graph/v1/paper/search":
            return self._search(req)
        return self.error(404, "Not Found")

    def _batch(self, req: Request) -> Response:
        try:
            ids = json.loads(req.body or b"{}")["ids"]
            assert isinstance(ids, list) and all(isinstance(i, str) for i in ids)
        except (ValueError, KeyError, AssertionError, TypeError):
            return self.error(400, "Body must be a JSON object with a list of string ids: {\"ids\": [...]}")
        if len(ids) > MAX_BATCH:
            return self.error(400, f"Cannot return more than {MAX_BATCH} papers in a single request")
        out = [self._paper(p) if (p := self._find(i)) is not None else None for i in ids]
        return Response(200, json.dumps(out).encode(), JSON)

    def _find(self, ident: str) -> Paper | None:
        prefix, sep, value = ident.partition(":")
        if not sep:
            return self.by_id.get(ident)
        if prefix.upper() == "ARXIV":
            value = strip_arxiv_version(value)
        return self.by_id.get(f"{prefix.lower()}:{value.lower()}")

    def _ranked(self, query: str) -> list[tuple[float, Paper]]:
        want = set(tokens(query))
        out = []
        for p in self.papers:
            best = 0.0
            for title in {p.title, p.arxiv.title if p.arxiv else p.title}:
                have = set(tokens(title))
                best = max(best, 2 * len(want & have) / (len(want) + len(have)) if want and have else 0.0)
            if best > 0:
                out.append((best, p))
        out.sort(key=lambda sp: (-sp[0], paper_id(sp[1])))
        return out

    def _match(self, req: Request) -> Response:
        query = req.arg("query") or ""
        if not tokens(query):
            return self.error(400, "Query must not be empty")
        ranked = self._ranked(query)
        if not ranked or ranked[0][0] < 0.6:  # the real service's floor is unknown; it answers no match like this
            return self.error(404, "Title match not found")
        score, best = ranked[0]
        d = self._paper(best)
        d["matchScore"] = round(40 + 80 * score, 5)
        return Response(200, json.dumps({"data": [d]}).encode(), JSON)

    def _search(self, req: Request) -> Response:
        """A relevance page: ``{"total", "offset", "next", "data"}``; no ``data`` when nothing matches."""
        query = req.arg("query") or ""
        if not tokens(query):
            return self.error(400, "Query must not be empty")
        try:
            limit = min(100, max(1, int(req.arg("limit") or 100)))
            offset = max(0, int(req.arg("offset") or 0))
        except ValueError:
            return self.error(400, "limit and offset must be integers")
        ranked = [p for score, p in self._ranked(query) if score >= 0.3]
        body: dict[str, Any] = {"total": len(ranked), "offset": offset}
        page = ranked[offset:offset + limit]
        if offset + limit < len(ranked):
            body["next"] = offset + limit
        if page:
            body["data"] = [self._paper(p) for p in page]
        return Response(200, json.dumps(body).encode(), JSON)

    def _paper(self, p: Paper) -> dict[str, Any]:
        ext: dict[str, Any] = {}
        if p.arxiv:
            ext["ArXiv"] = p.arxiv.id
        key = self.dblp_keys.get(id(p))
        if key:
            ext["DBLP"] = key
        pub = p.published
        if pub and pub.doi:
            ext["DOI"] = pub.doi.upper() if not pub.doi.startswith("10.48550") else pub.doi
        if pub and pub.acl_anthology_id:
            ext["ACL"] = pub.acl_anthology_id
        ext["CorpusId"] = corpus_id(p)
        venue = pub.container if pub and pub.container else (pub.venue_short if pub else "arXiv.org")
        year = pub.year if pub else (p.arxiv.versions[0].year if p.arxiv and p.arxiv.versions else None)
        kind = {"journal": "journal", "conference": "conference", "workshop": "conference"}.get(pub.kind) if pub else None
        return {
            "paperId": paper_id(p),
            "externalIds": ext,
            "title": p.title,
            "venue": venue or "",
            "publicationVenue": ({"id": hashlib.md5(venue.encode()).hexdigest(), "name": venue, "type": kind,
                                  "alternate_names": [pub.venue_short], "url": ""} if pub and venue else None),
            "year": year,
            "authors": [{"authorId": str(int(hashlib.md5(a.encode()).hexdigest()[:8], 16)), "name": a}
                        for a in p.authors],
            "publicationTypes": (["JournalArticle"] if pub.kind == "journal" else ["Conference"]) if pub else None,
        }
