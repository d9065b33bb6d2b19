"""Fakes that replay the recorded corpus (tests/fixtures/wire/): real bodies, served over HTTP.

The record-driven fakes (:mod:`plmcite.testing.fakes`) compose answers from paper records; these
serve what the real services *sent*, byte for byte where the recording allows, so that the whole
resolver can be run against real answers (tests/test_wire_resolve.py). What is replayed:

* **arXiv** ``/api/query?id_list=``: the recorded ``<entry>`` elements (their exact bytes), in a
  recorded 2025+ feed envelope (namespaces on the root, https feed id); an id no recording has
  gets no entry (as arXiv does); a malformed id gets the recorded 400 error feed with the id put
  in its place.
* **Crossref** ``/works/<doi>``: the recorded body for that DOI, else the recorded 404 text
  (``Resource not found.``); ``/works?query...``: the recorded work messages that share words
  with the query, in the recorded work-list envelope (``drop_total_results`` leaves out
  ``total-results``, the body that made habanero raise ``KeyError``).
* **DBLP** ``/search/publ/api?format=json``: every recorded hit whose title, authors, venue or
  year prefix-match all query words (DBLP's own rule), in the recorded envelope.
* **OpenReview** ``/notes?id=``: the recorded v2 note (``challenge=True``: the recorded 403
  ``ChallengeRequiredError`` instead, as the real site answers anonymous clients since 2026);
  ``/notes/search?term=``: the recorded notes sharing words with the term.
* **ACL Anthology** ``/<id>.bib``: the ``.bib`` the Anthology's library writes for that id, or
  the BibTeX embedded in a recorded landing page (HTML-unescaped: what the site serves);
  ``/<id>/``: the recorded landing page.
* **Semantic Scholar** ``/graph/v1/paper/batch`` and ``/paper/search/match``: the recorded
  papers, ``null`` (batch) or the API's 404 (match) for the others.

``ReplayInternet(corpus_dir)`` runs the five on 127.0.0.1 with the same pipeline (logging, faults)
as :class:`~plmcite.testing.fakes.FakeInternet`, whose ``env()``/``urls``/``count`` it mirrors.
"""

from __future__ import annotations

import html
import json
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ids import strip_arxiv_version
from .server import FakeServer, Knobs, Request, Response, Service
from .text import tokens

SERVICES = ("arxiv", "crossref", "dblp", "openreview", "acl", "s2")


@dataclass(frozen=True)
class Recording:
    """One recorded body and its sidecar (repository, path, commit, request, status, exactness)."""

    path: Path
    service: str
    body: bytes
    meta: dict[str, Any]

    @property
    def status(self) -> int:
        s = self.meta.get("status")
        return s if isinstance(s, int) else 200

    @property
    def content_type(self) -> str:
        return str(self.meta.get("content_type") or "application/octet-stream")

    @property
    def name(self) -> str:
        return self.path.name

    def json(self) -> Any:
        return json.loads(self.body)


def load_corpus(root: str | Path) -> dict[str, list[Recording]]:
    """Every body under ``root/<service>/`` that has a ``.source.toml`` sidecar, by service."""
    out: dict[str, list[Recording]] = {}
    for sidecar in sorted(Path(root).glob("*/*.source.toml")):
        body = sidecar.with_name(sidecar.name[: -len(".source.toml")])
        service = body.parent.name
        out.setdefault(service, []).append(
            Recording(body, service, body.read_bytes(), tomllib.loads(sidecar.read_text(encoding="utf-8"))))
    return out


def _json(status: int, payload: Any, content_type: str = "application/json") -> Response:
    return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), content_type)


def _words(text: str) -> set[str]:
    return set(tokens(html.unescape(text)))


# --- arXiv -----------------------------------------------------------------------------------------

_ENTRY = re.compile(rb"  <entry>\n.*?</entry>\n?", re.S)
_ENTRY_ID = re.compile(rb"<id>https?://arxiv\.org/abs/(.+?)(?:v\d+)?</id>")
_VALID_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


class ArxivReplay(Service):
    name = "arxiv"
    base_path = "/api/query"

    def __init__(self, recordings: list[Recording]):
        self.entries: dict[str, bytes] = {}
        self.envelope: bytes | None = None
        self.error: Recording | None = None
        for r in recordings:
            if r.status == 400:
                self.error = r
                continue
            for m in _ENTRY.finditer(r.body):
                idm = _ENTRY_ID.search(m.group(0))
                if idm:
                    self.entries.setdefault(idm.group(1).decode(), m.group(0).rstrip(b"\n") + b"\n")
            if self.envelope is None and b"<entry>" in r.body and b"id_list=" in r.body:
                self.envelope = r.body

    def _title(self, entry: bytes) -> list[str]:
        m = re.search(rb"<title>(.*?)</title>", entry, re.S)
        return tokens(html.unescape(m.group(1).decode("utf-8"))) if m else []

    def handle(self, req: Request) -> Response:
        ids = [i.strip() for i in (req.arg("id_list") or "").split(",") if i.strip()]
        search = req.arg("search_query") or ""
        if search and not ids:  # ti:"..." OR ti:"...": the recorded entries with one of those titles
            phrases = [tokens(p) for p in re.findall(r'ti:"([^"]*)"', search)] or [tokens(search)]
            found = [e for e in self.entries.values() if self._title(e) in phrases]
            assert self.envelope is not None
            head = self.envelope[: self.envelope.index(b"  <entry>")]
            head = re.sub(rb"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(found)}<".encode(), head)
            return Response(200, head + b"".join(found) + b"</feed>\n", "application/atom+xml; charset=UTF-8")
        bad = next((i for i in ids if not _VALID_ID.match(i)), None)
        if bad is not None and self.error is not None:
            body = self.error.body.replace(b"abc", bad.encode())
            return Response(400, body, self.error.content_type)
        assert self.envelope is not None
        head = self.envelope[: self.envelope.index(b"  <entry>")]
        head = re.sub(rb"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(ids)}<".encode(), head)
        found = [self.entries[i] for i in map(strip_arxiv_version, ids) if i in self.entries]
        return Response(200, head + b"".join(found) + b"</feed>\n", "application/atom+xml; charset=UTF-8")


# --- Crossref --------------------------------------------------------------------------------------


class CrossrefReplay(Service):
    name = "crossref"

    def __init__(self, recordings: list[Recording], *, drop_total_results: bool = False):
        self.works: dict[str, Recording] = {}
        self.not_found: Recording | None = None
        self.envelope: dict[str, Any] | None = None
        self.drop_total_results = drop_total_results
        for r in recordings:
            if r.name.startswith("work-") and r.status == 404:
                self.not_found = r
            elif r.name.startswith("work-") and r.status == 200:
                self.works[str(r.json()["message"]["DOI"]).lower()] = r
            elif r.name.startswith("works-query") and self.envelope is None:
                self.envelope = r.json()

    def handle(self, req: Request) -> Response:
        if req.path.startswith("/works/"):
            r = self.works.get(req.path[len("/works/"):].strip("/").lower())
            if r is None:
                assert self.not_found is not None
                return Response(404, self.not_found.body, "text/plain")
            return Response(200, r.body, "application/json")
        query = " ".join(v for k, v in ((k, req.arg(k)) for k in req.query) if k.startswith("query") and v)
        dois = {f[len("doi:"):].lower() for f in (req.arg("filter") or "").split(",") if f.startswith("doi:")}
        want = _words(query)
        scored = []
        for doi, r in self.works.items():
            msg = r.json()["message"]
            if dois and doi not in dois:
                continue  # filter=doi:a,doi:b: only those works (a repeated filter name means OR)
            overlap = len(want & _words(" ".join(msg.get("title") or []))) if want else 1
            if overlap:
                scored.append((-overlap, doi, msg))
        rows = int(req.arg("rows") or 20)
        items = [m for _, _, m in sorted(scored, key=lambda x: x[:2])][:rows]
        assert self.envelope is not None
        env = json.loads(json.dumps(self.envelope))
        msg = env["message"]
        msg["items"] = items
        msg["total-results"] = len(scored)
        msg["items-per-page"] = rows
        msg["query"] = {"start-index": 0, "search-terms": query}
        if self.drop_total_results:
            del msg["total-results"]
        return _json(200, env)


# --- DBLP -------------------------------------------------------------------------------------------


class DblpReplay(Service):
    name = "dblp"

    def __init__(self, recordings: list[Recording]):
        self.hits: list[dict[str, Any]] = []
        self.envelope: dict[str, Any] | None = None
        seen: set[str] = set()
        for r in recordings:
            if not r.name.endswith(".json"):
                continue
            data = r.json()
            hits = data if isinstance(data, list) else data["result"]["hits"].get("hit", [])
            if isinstance(data, dict) and self.envelope is None:
                self.envelope = data
            for h in hits if isinstance(hits, list) else [hits]:
                key = h["info"]["key"]
                if key not in seen:
                    seen.add(key)
                    self.hits.append(h)

    @staticmethod
    def _hit_words(h: dict[str, Any]) -> set[str]:
        info = h["info"]
        authors = (info.get("authors") or {}).get("author", [])
        authors = authors if isinstance(authors, list) else [authors]
        text = " ".join([info.get("title", ""), *(a.get("text", "") for a in authors),
                         str(info.get("venue", "")), str(info.get("year", ""))])
        return _words(text)

    def handle(self, req: Request) -> Response:
        if (req.arg("format") or "xml") != "json":
            return Response.text(400, "only format=json is replayed", "text/plain")
        words = [w for w in tokens(req.arg("q") or "")]
        hits = [h for h in self.hits if words and all(any(x.startswith(w) for x in self._hit_words(h)) for w in words)]
        hits = hits[: int(req.arg("h") or 30)]
        assert self.envelope is not None
        env = json.loads(json.dumps(self.envelope))
        res = env["result"]
        res["query"] = " ".join(w + "*" for w in words)
        res["hits"] = {"@total": str(len(hits)), "@computed": str(len(hits)), "@sent": str(len(hits)), "@first": "0"}
        if hits:
            res["hits"]["hit"] = hits
        return _json(200, env)


# --- OpenReview -------------------------------------------------------------------------------------


class OpenReviewReplay(Service):
    name = "openreview"

    def __init__(self, recordings: list[Recording], *, challenge: bool = False):
        self.notes: dict[str, dict[str, Any]] = {}
        self.challenge_body: Recording | None = None
        self.challenge = challenge
        for r in recordings:
            if r.status == 403:
                self.challenge_body = r
                continue
            data = r.json()
            if isinstance(data, dict) and isinstance(data.get("notes"), list) and r.name.startswith("notes-search"):
                for n in data["notes"]:
                    self.notes.setdefault(n["id"], {k: v for k, v in n.items() if k != "_fixture_note"})

    def _title(self, note: dict[str, Any]) -> str:
        t = note.get("content", {}).get("title")
        return str(t.get("value") if isinstance(t, dict) else t or "")

    def handle(self, req: Request) -> Response:
        if req.path.rstrip("/") == "/notes/search":
            want = _words(req.arg("term") or "")
            scored = sorted(((-len(want & _words(self._title(n))), nid) for nid, n in self.notes.items()
                             if want & _words(self._title(n))))
            notes = [self.notes[nid] for _, nid in scored][: int(req.arg("limit") or 10)]
            return _json(200, {"count": len(scored), "notes": notes}, "application/json; charset=utf-8")
        if self.challenge and self.challenge_body is not None:
            return Response(403, self.challenge_body.body, "application/json; charset=utf-8")
        nid = req.arg("id") or req.arg("forum")
        note = self.notes.get(nid or "")
        if note is None:  # no 404 body is recorded: openreview-py's documented shape ([3p])
            return _json(404, {"name": "NotFoundError", "message": f"The Note {nid} was not found", "status": 404,
                               "details": {"path": "id", "value": nid}}, "application/json; charset=utf-8")
        return _json(200, {"notes": [note]}, "application/json; charset=utf-8")


# --- ACL Anthology ----------------------------------------------------------------------------------

_PRE = re.compile(rb"<pre id=citeBibtexContent[^>]*>(.*?)</pre>", re.S)


def embedded_bibtex(page: bytes) -> bytes | None:
    """The BibTeX an Anthology landing page embeds (HTML-unescaped: what ``/<id>.bib`` serves)."""
    m = _PRE.search(page)
    return html.unescape(m.group(1).decode("utf-8")).encode("utf-8") if m else None


class AclReplay(Service):
    name = "acl"

    def __init__(self, recordings: list[Recording]):
        self.bibs: dict[str, bytes] = {}
        self.pages: dict[str, bytes] = {}
        for r in sorted(recordings, key=lambda r: r.name):
            if r.name.endswith(".bib") and "no-abstract" not in r.name:
                self.bibs.setdefault(r.name[: -len(".bib")], r.body)
            elif r.name.startswith("landing-") and r.name.endswith(".html") and not r.name.endswith("-2023.html"):
                aid = r.name[len("landing-"): -len(".html")]
                self.pages[aid] = r.body
                bib = embedded_bibtex(r.body)
                if bib:
                    self.bibs.setdefault(aid, bib)

    def handle(self, req: Request) -> Response:
        path = req.path.lstrip("/")
        if path.endswith(".bib") and path[:-4] in self.bibs:
            return Response(200, self.bibs[path[:-4]], "application/x-bibtex; charset=utf-8")
        if path.rstrip("/") in self.pages:
            return Response(200, self.pages[path.rstrip("/")], "text/html; charset=utf-8")
        return Response.text(404, "<!doctype html><html><body><h1>Page not found</h1></body></html>",
                             "text/html; charset=utf-8")


# --- Semantic Scholar -------------------------------------------------------------------------------


class S2Replay(Service):
    """``POST /graph/v1/paper/batch``: the recorded papers the ids name (``DOI:``, ``ARXIV:``,
    ``ACL:``, ``CorpusId:`` or a paperId), ``null`` for the others, in a list aligned with the
    request, as recorded; ``GET /graph/v1/paper/search/match``: a recorded paper with exactly the
    query's title, else 404 ``{"error": "Title match not found"}`` (the API's documented answer;
    no recording has it)."""

    name = "s2"

    def __init__(self, recordings: list[Recording]):
        self.papers: list[dict[str, Any]] = []
        for r in recordings:
            if r.status != 200:
                continue
            data = r.json()
            items = data if isinstance(data, list) else data.get("data", [data]) if isinstance(data, dict) else []
            self.papers += [p for p in items if isinstance(p, dict) and p.get("paperId")]
        self.by_id: dict[str, dict[str, Any]] = {}
        for p in self.papers:
            ext = p.get("externalIds") or {}
            keys = [p["paperId"], f"CorpusId:{ext.get('CorpusId')}"]
            keys += [f"{k}:{ext[k]}".upper() if k == "DOI" else f"{k.upper()}:{ext[k]}" for k in ("DOI", "ArXiv", "ACL") if ext.get(k)]
            for k in keys:
                self.by_id.setdefault(k.upper(), p)

    def handle(self, req: Request) -> Response:
        if req.path.endswith("/paper/batch"):
            ids = json.loads(req.body or b"{}").get("ids", [])
            return _json(200, [self.by_id.get(str(i).upper()) for i in ids])
        if req.path.endswith("/paper/search"):  # relevance search: recorded papers sharing words
            want = set(tokens(req.arg("query") or ""))
            data = [p for p in self.papers if want and want <= set(tokens(str(p.get("title") or "")))]
            if not data:
                return _json(200, {"total": 0, "offset": 0})  # recorded: no "data" key at all
            return _json(200, {"total": len(data), "offset": 0, "data": data[: int(req.arg("limit") or 10)]})
        if req.path.endswith("/paper/search/match"):
            want = tokens(req.arg("query") or "")
            hit = next((p for p in self.papers if want and tokens(str(p.get("title") or "")) == want), None)
            if hit is None:
                return _json(404, {"error": "Title match not found"})
            return _json(200, {"data": [{**hit, "matchScore": 200.0}]})
        return _json(404, {"error": "Not found"})


# --- the replaying internet --------------------------------------------------------------------------


class ReplayInternet:
    """The five replay services on 127.0.0.1 (a context manager, like ``FakeInternet``)."""

    def __init__(self, corpus: str | Path, *, openreview_challenge: bool = False,
                 crossref_drop_total_results: bool = False, knobs: Knobs | None = None):
        rec = load_corpus(corpus)
        services: dict[str, Service] = {
            "arxiv": ArxivReplay(rec.get("arxiv", [])),
            "crossref": CrossrefReplay(rec.get("crossref", []), drop_total_results=crossref_drop_total_results),
            "dblp": DblpReplay(rec.get("dblp", [])),
            "openreview": OpenReviewReplay(rec.get("openreview", []), challenge=openreview_challenge),
            "acl": AclReplay(rec.get("acl", [])),
            "s2": S2Replay(rec.get("s2", [])),
        }
        self.servers = {name: FakeServer(s, knobs or Knobs()) for name, s in services.items()}

    def __enter__(self) -> "ReplayInternet":
        for s in self.servers.values():
            s.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        threads = [threading.Thread(target=s.stop) for s in self.servers.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def __getitem__(self, name: str) -> FakeServer:
        return self.servers[name]

    @property
    def urls(self) -> dict[str, str]:
        return {name: s.url for name, s in self.servers.items()}

    def env(self) -> dict[str, str]:
        return {f"PLMCITE_{name.upper()}_URL": url for name, url in self.urls.items()}

    def count(self, service: str, path: str | None = None) -> int:
        return len(self.servers[service].requests(path=path))

    def errors(self) -> list[str]:
        return [e for s in self.servers.values() for e in s.errors]


class Canned(Service):
    """Answers every request with one recorded body (its status and content type): to run a real
    client against exactly one recording."""

    name = "canned"

    def __init__(self, body: bytes, status: int = 200, content_type: str = "application/json"):
        self.body, self.status, self.content_type = body, status, content_type

    def handle(self, req: Request) -> Response:
        return Response(self.status, self.body, self.content_type)
