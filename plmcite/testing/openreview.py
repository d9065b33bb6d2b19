"""Fake OpenReview API v2: ``/notes?id=``, ``/notes?forum=``, ``/notes?content.venueid=``,
``/notes/search?term=``.

Only published records with an ``openreview_id`` exist. Each becomes a submission note shaped as
API v2 returns it (docs/api-protocols.md section 4): every content field wrapped as
``{"value": ...}``, ``venue`` with the presentation type ("ICLR 2025 Poster", "NeurIPS 2024
poster"), ``venueid``, ``_bibtex``, ``paperhash``, dates in epoch milliseconds. A forum also holds
replies (two reviews and the decision) with ``replyto`` set, so a client reading
``/notes?forum=`` must pick the submission (``id == forum``) out of several notes.

The venue table (``data/venues.json``, key ``openreview``) gives venueid, the venue format and the
submission/decision dates; a venue not in it gets ``<Series>.cc/<year>/Conference``. The record's
``presentation`` field picks Poster/Oral/Spotlight (default Poster).

``count`` appears only when ``count=true`` is sent, except on ``/notes/search``, which always
carries it (as recorded). Unknown note ids get the JSON 404 ``NotFoundError``; too many requests
get 429 ``RateLimitError`` JSON with ``details``.

Real search answers (tests/fixtures/wire/openreview/) also hold notes OpenReview imported from
DBLP: ``dblp_imports=True`` (the default) adds one for every published record that is not an
OpenReview paper (venueid ``dblp.org/conf/EMNLP/2024``, domain ``DBLP.org``, a ``DBLP:`` keyed
``_bibtex`` with ``cdate``, authorids mixing profiles and dblp search URLs), served by
``/notes/search`` and ``/notes?id=`` like any note, and never an acceptance. ``challenge=True``
answers every ``/notes`` request with the 403 ``ChallengeRequiredError`` the real site gives
anonymous clients since 2026, while ``/notes/search`` still answers (switch it while running:
``net["openreview"].service.challenge = True``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import quote

from .dblp import _h
from .records import Paper, family_names
from .server import Request, Response, Service
from .text import Ranker, ascii_letters, display, split_name, tokens
from .venues import container_of, epoch_ms, venue_of

JSON_TYPE = "application/json; charset=utf-8"
STOP = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "is", "are", "do", "does", "can", "how", "what", "when", "why"}


def note_id(*parts: str) -> str:
    raw = hashlib.sha1("|".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:10]


def bibtex_key(authors: tuple[str, ...], year: int, title: str) -> str:
    family = ascii_letters(split_name(authors[0])[1].split()[-1]).lower() if authors else "anonymous"
    word = next((w for w in tokens(title) if w not in STOP), "paper")
    return f"{family}{year}{word}"


def venue_strings(paper: Paper) -> tuple[str, str, int, int]:
    """(venue, venueid, cdate, pdate) for a published record."""
    pub = paper.published
    assert pub is not None
    v = venue_of(pub)
    info = v.event.get("openreview", {})
    presentation = pub.presentation or "Poster"
    year = pub.year
    venueid = info.get("venueid") or f"{v.series}.cc/{year}/Conference"
    fmt = info.get("venue") or f"{v.series} {year} {{presentation}}"
    venue = fmt.format(
        presentation=presentation, presentation_lower=presentation.lower(), findings="Findings" if v.findings else "Main"
    )
    if info.get("cdate"):
        cdate = epoch_ms(info["cdate"])
    elif paper.arxiv:
        cdate = epoch_ms(paper.arxiv.versions[0])
    else:
        cdate = epoch_ms(dt.date(year - 1, 10, 1))
    pdate = epoch_ms(info["pdate"]) if info.get("pdate") else cdate + 120 * 86_400_000
    return venue, venueid, cdate, pdate


def build_forum(paper: Paper) -> list[dict[str, Any]]:
    """The submission note followed by its replies (reviews, decision)."""
    pub = paper.published
    assert pub is not None and pub.openreview_id
    nid = pub.openreview_id
    venue, venueid, cdate, pdate = venue_strings(paper)
    number = 1 + int(hashlib.sha1(nid.encode()).hexdigest(), 16) % 12000
    authors = [display(a) for a in paper.authors]
    url = f"https://openreview.net/forum?id={nid}"
    key = bibtex_key(paper.authors, pub.year, pub.title)
    if pub.kind == "journal":
        bib = (
            f"@article{{\n{key},\ntitle={{{pub.title}}},\nauthor={{{' and '.join(authors)}}},\n"
            f"journal={{{container_of(pub) or venue}}},\nyear={{{pub.year}}},\nurl={{{url}}},\nnote={{}}\n}}"
        )
    else:
        bib = (
            f"@inproceedings{{\n{key},\ntitle={{{pub.title}}},\nauthor={{{' and '.join(authors)}}},\n"
            f"booktitle={{{container_of(pub) or venue}}},\nyear={{{pub.year}}},\nurl={{{url}}}\n}}"
        )
    content: dict[str, Any] = {
        "title": {"value": pub.title},
        "authors": {"value": authors},
        "authorids": {"value": ["~" + "_".join(a.split()) + "1" for a in authors]},
    }
    if paper.arxiv and paper.arxiv.abstract:
        content["abstract"] = {"value": paper.arxiv.abstract}
    content.update(
        {
            "venue": {"value": venue},
            "venueid": {"value": venueid},
            "pdf": {"value": f"/pdf/{hashlib.sha1(nid.encode()).hexdigest()}.pdf"},
            "_bibtex": {"value": bib},
            "paperhash": {"value": f"{(family_names(authors[:1]) or ['anonymous'])[0].lower()}|{'_'.join(tokens(pub.title))}"},
        }
    )
    day = 86_400_000
    submission = {
        "id": nid,
        "forum": nid,
        "number": number,
        "invitations": [f"{venueid}/-/Submission", f"{venueid}/-/Post_Submission"],
        "domain": venueid,
        "readers": ["everyone"],
        "writers": [venueid, f"{venueid}/Submission{number}/Authors"],
        "signatures": [f"{venueid}/Submission{number}/Authors"],
        "cdate": cdate,
        "pdate": pdate,
        "odate": cdate + 7 * day,
        "mdate": pdate + 30 * day,
        "tcdate": cdate,
        "tmdate": pdate + 30 * day,
        "license": "CC BY 4.0",
        "content": content,
        "version": 2,
    }
    replies = []
    for k in (1, 2):
        rid = note_id(nid, "review", str(k))
        replies.append(
            _reply(rid, nid, number, venueid, "Official_Review", f"{venueid}/Submission{number}/Reviewer_{rid[:4]}",
                   cdate + (40 + k) * day,
                   {"summary": {"value": "The paper is clearly written."}, "rating": {"value": 6 + k % 2},
                    "confidence": {"value": 3 + k % 2}})  # fmt: skip
        )
    decision = "Accept" if pub.kind == "journal" else f"Accept ({(pub.presentation or 'Poster').lower()})"
    replies.append(
        _reply(note_id(nid, "decision"), nid, number, venueid, "Decision", f"{venueid}/Program_Chairs", pdate,
               {"title": {"value": "Paper Decision"}, "decision": {"value": decision}, "comment": {"value": ""}})  # fmt: skip
    )
    return [submission, *replies]


def _reply(rid: str, forum: str, number: int, venueid: str, inv: str, signature: str, when: int, content: dict) -> dict[str, Any]:
    return {
        "id": rid,
        "forum": forum,
        "replyto": forum,
        "number": None,
        "invitations": [f"{venueid}/Submission{number}/-/{inv}"],
        "parentInvitations": f"{venueid}/-/{inv}",
        "domain": venueid,
        "readers": ["everyone"],
        "nonreaders": [],
        "writers": [venueid],
        "signatures": [signature],
        "cdate": when,
        "mdate": when,
        "tcdate": when,
        "tmdate": when,
        "content": content,
    }


def dblp_import(rec) -> dict[str, Any]:
    """The note OpenReview keeps for a DBLP record (shape of the recorded imports)."""
    from .dblp import dblp_name

    year = rec.year
    stream = rec.key.split("/")[1].upper()
    kind = "journals" if rec.key.startswith("journals/") else "conf"
    venueid = f"dblp.org/{kind}/{stream}/{year}"
    nid = note_id("dblp", rec.key)
    jan1 = epoch_ms(dt.date(year, 1, 1)) - 12 * 3_600_000
    authors = [display(a) for a in rec.authors]
    entry = "article" if kind == "journals" else "inproceedings"
    where = "journal" if kind == "journals" else "booktitle"
    bib = (f"@{entry}{{DBLP:{rec.key},\n  author={{{' and '.join(dblp_name(a) for a in rec.authors)}}},\n"
           f"  title={{{rec.title}}},\n  year={{{year}}},\n  cdate={{{jan1}}},\n  {where}={{{rec.venue}}},\n"
           + (f"  pages={{{rec.pages.replace('--', '-')}}},\n" if rec.pages else "")
           + (f"  url={{{rec.ee[0]}}}\n" if rec.ee else "") + "}\n")
    content: dict[str, Any] = {
        "venue": {"value": f"{rec.venue} {year}"},
        "venueid": {"value": venueid},
        "paperhash": {"value": f"{(family_names(authors[:1]) or ['anonymous'])[0].lower()}|{'_'.join(tokens(rec.title))}"},
        "authorids": {"value": [f"https://dblp.org/search/pid/api?q=author:{'_'.join(a.split())}:" for a in authors]},
        "_bibtex": {"value": bib},
        "title": {"value": rec.title},
        "authors": {"value": authors},
    }
    if rec.ee:
        content["html"] = {"value": rec.ee[0]}
    stamp = jan1 + 200 * 86_400_000
    return {
        "content": content, "tmdate": stamp, "pdate": jan1, "tcdate": stamp, "writers": ["~"],
        "signatures": ["~" + "_".join(authors[0].split()) + "1"] if authors else ["DBLP.org"],
        "forum": nid, "license": "CC BY-SA 4.0", "number": 10_000 + _h(nid) % 90_000, "cdate": jan1,
        "readers": ["everyone"], "invitations": ["DBLP.org/-/Record", "DBLP.org/-/Edit"], "mdate": stamp,
        "domain": "DBLP.org", "id": nid, "version": 2,
    }


class OpenReviewService(Service):
    name = "openreview"
    server_header = "cloudflare"

    def __init__(self, papers: list[Paper], *, dblp_imports: bool = True, challenge: bool = False):
        self.challenge = challenge
        self.forums: dict[str, list[dict[str, Any]]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        for p in papers:
            if p.published and p.published.openreview_id:
                forum = build_forum(p)
                self.forums[forum[0]["id"]] = forum
                for n in forum:
                    self.notes[n["id"]] = n
        self.submissions = [f[0] for f in self.forums.values()]
        if dblp_imports:
            from .dblp import build_records

            for rec in build_records(papers):
                if not rec.corr and not (rec.paper.published and rec.paper.published.openreview_id):
                    note = dblp_import(rec)
                    self.notes[note["id"]] = note
                    self.submissions.append(note)
        self.ranker = Ranker([(n["content"]["title"]["value"], n["content"]["authors"]["value"]) for n in self.submissions])

    def _json(self, status: int, payload: dict[str, Any]) -> Response:
        return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), JSON_TYPE)

    def error(self, status: int, message: str) -> Response:
        if status in (502, 503, 504):
            return Response.text(status, f"<html><head><title>{status} {message}</title></head><body><center><h1>{status} {message}</h1></center><hr><center>cloudflare</center></body></html>", "text/html")
        name = {400: "BadRequestError", 403: "ForbiddenError", 404: "NotFoundError"}.get(status, "ServerError")
        return self._json(status, {"name": name, "message": message, "status": status, "details": {}})

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        reset = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=retry_after or 60)
        req_id = note_id(str(reset.timestamp()))
        return self._json(
            status,
            {
                "name": "RateLimitError",
                "message": f"Too many requests: please try again in {retry_after or 60} seconds ({req_id})",
                "status": status,
                "details": {"limit": 0, "remaining": 0, "resetTime": reset.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "reqId": req_id},
            },
        )

    def challenged(self, req: Request) -> Response:
        """The 403 anonymous clients get since 2026 (body shaped as recorded)."""
        req_id = f"2026-09-30-{_h(req.raw_query) % 90_000_000 + 10_000_000}"
        target = quote(f"https://api2.openreview.net{req.path}?{req.raw_query}", safe="")
        return self._json(403, {"name": "ChallengeRequiredError", "message": f"Challenge verification required ({req_id})",
                                "status": 403, "details": {"challengeUrl": f"https://openreview.net/challenge?redirect={target}",
                                                           "reqId": req_id}})

    def handle(self, req: Request) -> Response:
        if req.path.rstrip("/") == "/notes/search":
            return self._search(req)
        if self.challenge:
            return self.challenged(req)
        if req.path.rstrip("/") != "/notes":
            return self._json(404, {"name": "NotFoundError", "message": f"Route {req.path} not found", "status": 404, "details": {}})
        limit, offset = self._paging(req)
        nid = req.arg("id")
        if nid is not None:
            note = self.notes.get(nid)
            if note is None:
                return self._json(404, {"name": "NotFoundError", "message": f"The Note {nid} was not found", "status": 404,
                                        "details": {"path": "id", "value": nid}})  # fmt: skip
            return self._result(req, [note], limit, offset)
        forum = req.arg("forum")
        if forum is not None:
            return self._result(req, self.forums.get(forum, []), limit, offset)
        notes = list(self.submissions)
        for name, values in req.query.items():
            if name.startswith("content."):
                field = name[len("content.") :]
                notes = [n for n in notes if str(n["content"].get(field, {}).get("value")) == values[0]]
            elif name == "invitation":
                notes = [n for n in notes if values[0] in n["invitations"]]
            elif name == "paperhash":
                notes = [n for n in notes if n["content"]["paperhash"]["value"] == values[0]]
            elif name == "number":
                notes = [n for n in notes if str(n["number"]) == values[0]]
        return self._result(req, notes, limit, offset)

    def _paging(self, req: Request) -> tuple[int, int]:
        try:
            limit = int(req.arg("limit") or 1000)
            offset = int(req.arg("offset") or 0)
        except ValueError:
            limit, offset = 1000, 0
        return max(0, min(limit, 1000)), max(0, offset)

    def _result(self, req: Request, notes: list[dict[str, Any]], limit: int, offset: int) -> Response:
        payload: dict[str, Any] = {"notes": notes[offset : offset + limit]}
        if (req.arg("count") or "").lower() == "true":
            payload["count"] = len(notes)
        return self._json(200, payload)

    def _search(self, req: Request) -> Response:
        if req.method == "POST":  # openreview-py's get_notes_by_ids: {"ids": [...]}
            try:
                ids = json.loads(req.body or b"{}").get("ids")
                assert isinstance(ids, list)
            except (ValueError, AssertionError, AttributeError):
                return self._json(400, {"name": "BadRequestError", "message": "ids must be a list", "status": 400,
                                        "details": {"path": "ids"}})  # fmt: skip
            notes = [self.notes[i] for i in ids if isinstance(i, str) and i in self.notes]
            return self._json(200, {"notes": notes, "count": len(notes)})
        term = req.arg("term") or ""
        if not term.strip():
            return self._json(400, {"name": "BadRequestError", "message": "term is required", "status": 400,
                                    "details": {"path": "term"}})  # fmt: skip
        limit, offset = self._paging(req)
        ranked = self.ranker.rank(term)
        notes = [self.submissions[i] for i, _ in ranked]
        return self._json(200, {"count": len(notes), "notes": notes[offset: offset + limit]})
