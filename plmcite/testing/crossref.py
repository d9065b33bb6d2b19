"""Fake Crossref REST API (``/works/<doi>`` and ``/works?...``) as habanero 2.9.2 calls it.

Only published records with a DOI exist here (Crossref does not know arXiv's DataCite DOIs
``10.48550/...``, which get 404 like any unknown DOI). Work records are built from the published
data the way Crossref shows them: ``type`` proceedings-article or journal-article (AAAI and MIT
Press DOIs are journal articles, as on the real service), list-valued ``title`` and
``container-title``, ``author`` with given/family/sequence, ``page`` with one hyphen, publisher,
member and prefix, ``URL`` on doi.org. And the shapes real work messages have
(tests/fixtures/wire/crossref/), where a record asks for them: a title with JATS/HTML markup and
line breaks (``title_markup``), a ``subtitle`` apart from the title, ``article-number`` instead of
``page``, ``published-online`` earlier than ``published-print`` (``issued`` and ``published`` are
the earlier one, as on Crossref, so an article online in 2020 and in a 2021 issue says 2020 there),
``issued`` ``[[null]]`` with no other date, an organisation as a ``name``-only author, and an
``event`` without ``acronym`` (IEEE deposits, per DOI prefix in ``data/venues.json``).

Searches (``query``, ``query.bibliographic``, ``query.author``, ``query.container-title``) return
every record sharing a word with the query (title first; author, year and container matches
alone rank low), ranked by relevance with Crossref-like ``score`` values, so the resolver sees
near misses below the exact hit. ``filter`` (``from-pub-date``,
``until-pub-date``, ``from-issued-date``, ``until-issued-date``, ``type``, ``prefix``, ``doi``,
``member``; a repeated name means OR), ``rows`` (default 20, at most 1000), ``offset``,
``cursor``, ``select``, ``sort``/``order`` work; bad values get the real 400 validation-failure
JSON. Every answer carries the polite/public pool headers.
"""

from __future__ import annotations

from ..errors import PlmciteError

import base64
import datetime as dt
import hashlib
import json
import re
from typing import Any

from .records import Paper, family_names
from .server import Request, Response, Service
from .text import Ranker, split_name, tokens
from .venues import address_of, container_of, crossref_prefix, month_of, venue_of

JSON_TYPE = "application/json"
ERROR_JSON_TYPE = "application/json;charset=utf-8"
FILTERS = (
    "from-pub-date", "until-pub-date", "from-issued-date", "until-issued-date",
    "type", "prefix", "doi", "member",
)  # fmt: skip
FIELD_QUERIES = ("query.bibliographic", "query.author", "query.container-title", "query.title")
SELECTABLE = (
    "abstract", "URL", "member", "posted", "score", "created", "degree", "update-policy", "short-title",
    "license", "ISSN", "container-title", "issued", "update-to", "issue", "prefix", "approved", "indexed",
    "article-number", "clinical-trial-number", "accepted", "author", "group-title", "DOI",
    "is-referenced-by-count", "updated-by", "event", "chair", "standards-body", "original-title", "funder",
    "translator", "archive", "published-print", "alternative-id", "subject", "subtitle", "published-online",
    "publisher-location", "content-domain", "reference", "title", "link", "type", "publisher", "volume",
    "references-count", "ISBN", "issn-type", "assertion", "deposited", "page", "content-created",
    "short-container-title", "relation", "editor",
)  # fmt: skip
SORTS = ("score", "relevance", "published", "issued", "created", "deposited", "indexed", "updated",
         "is-referenced-by-count", "references-count")  # fmt: skip
#: the author role recent Crossref answers carry (8 of the 11 recorded works, 2026)
_ROLE = [{"role": "author", "vocabulary": "crossref"}]
INDEXED = {"date-parts": [[2026, 6, 2]], "date-time": "2026-06-02T04:11:52Z", "timestamp": 1780373512000, "version": "3.54.1"}


class ValidationFailure(PlmciteError):
    def __init__(self, kind: str, value: Any, message: str):
        super().__init__(message)
        self.item = {"type": kind, "value": value, "message": message}


def _stamp(day: dt.date) -> dict[str, Any]:
    t = dt.datetime(day.year, day.month, day.day, 9, 30, 0, tzinfo=dt.timezone.utc)
    return {"date-parts": [[day.year, day.month, day.day]], "date-time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timestamp": int(t.timestamp() * 1000)}  # fmt: skip


def build_work(paper: Paper) -> dict[str, Any]:
    """The Crossref ``message`` for a published record with a DOI."""
    pub = paper.published
    assert pub is not None and pub.doi is not None
    doi = pub.doi
    pre = crossref_prefix(doi)
    prefix = doi.split("/", 1)[0]
    h = int(hashlib.sha1(doi.lower().encode()).hexdigest(), 16)
    wtype = pre.get("type") or ("journal-article" if pub.kind == "journal" else "proceedings-article")
    month = month_of(pub)
    printed = [pub.year, month] if month else [pub.year]
    online = [int(x) for x in pub.published_online.split("-")] if pub.published_online else None
    issued = online if online and online < printed else printed
    created_day = dt.date(*(issued + [1, 1])[:2], 1) + dt.timedelta(days=h % 20)
    work: dict[str, Any] = {
        "indexed": INDEXED,
        "reference-count": 20 + h % 60,
        "publisher": pub.publisher or pre.get("publisher") or "Unknown",
        "content-domain": {"domain": [], "crossmark-restriction": False},
        "short-container-title": ["AAAI"] if prefix == "10.1609" else [],
        "published-print": {"date-parts": [printed]},
        "DOI": doi,
        "type": wtype,
        "created": _stamp(created_day),
        "source": "Crossref",
        "is-referenced-by-count": h % 97,
        "title": [pub.title_markup or (pub.title[: -len(": " + pub.subtitle)] if pub.subtitle else pub.title)],
        "prefix": prefix,
        "author": [
            {"given": g, "family": f, "sequence": "first" if i == 0 else "additional", "affiliation": [], "role": _ROLE}
            if g
            else {"name": f, "sequence": "first" if i == 0 else "additional", "affiliation": [], "role": _ROLE}
            for i, (g, f) in enumerate(split_name(a) for a in paper.authors)
        ],
        "member": pre.get("member", str(1000 + h % 9000)),
        "container-title": [container_of(pub) or pub.venue_short],
        "original-title": [],
        "deposited": _stamp(created_day + dt.timedelta(days=3)),
        "resource": {"primary": {"URL": _landing(paper)}},
        "subtitle": [pub.subtitle] if pub.subtitle else [],
        "short-title": [],
        "issued": {"date-parts": [issued]},
        "references-count": 20 + h % 60,
        "URL": f"https://doi.org/{doi}",
        "relation": {},
        "published": {"date-parts": [issued]},
    }
    if online:
        work["published-online"] = {"date-parts": [online]}
    if pub.crossref_issued_null:  # Crossref knows no date for some deposits (IEEE, 2003)
        for k in ("published-print", "published-online", "published"):
            work.pop(k, None)
        work["issued"] = {"date-parts": [[None]]}
    if pub.article_number:
        work["article-number"] = pub.article_number
    elif pub.pages:
        work["page"] = pub.pages.replace("--", "-")
    if pub.volume:
        work["volume"] = pub.volume
    issue = pub.number or _issue(doi, pub.acl_anthology_id)
    if issue:
        work["issue"] = issue
    if pre.get("ISSN"):
        work["ISSN"] = list(pre["ISSN"])
        work["issn-type"] = [{"type": "print", "value": pre["ISSN"][0]}, {"type": "electronic", "value": pre["ISSN"][-1]}]
    if pre.get("publisher-location"):
        work["publisher-location"] = pre["publisher-location"]
    if wtype == "proceedings-article":
        event = {"name": pub.venue_short}
        if pre.get("event_acronym", True):
            event["acronym"] = venue_of(pub).series
        if address_of(pub):
            event["location"] = address_of(pub)
        work["event"] = event
    work["score"] = 1.0
    return work


def _issue(doi: str, acl_id: str | None) -> str | None:
    m = re.search(r"\.v\d+i(\d+)\.", doi)  # AAAI: 10.1609/aaai.v39i23.34615
    if m:
        return m.group(1)
    m = re.match(r"^\d{4}\.(?:cl|tacl)-(\d+)\.", acl_id or "")
    return m.group(1) if m else None


def _landing(paper: Paper) -> str:
    pub = paper.published
    assert pub is not None
    if pub.acl_anthology_id:
        return f"https://aclanthology.org/{pub.acl_anthology_id}"
    return pub.url or f"https://doi.org/{pub.doi}"


def _cut(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Compare dates only as precisely as both are known (an issued year matches any month of it)."""
    return a[: min(len(a), len(b))]


def _date_key(value: str, kind: str) -> tuple[int, ...]:
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", value)
    if not m:
        raise ValidationFailure("date-not-valid", value, f"Date specified as {value} but must be of the form: yyyy or yyyy-mm or yyyy-mm-dd")
    return tuple(int(x) for x in m.groups() if x)


class CrossrefService(Service):
    name = "crossref"
    server_header = "Jetty(9.4.40.v20210413)"

    def __init__(self, papers: list[Paper]):
        self.papers = [p for p in papers if p.published and p.published.doi]
        self.works = [build_work(p) for p in self.papers]
        self.by_doi = {w["DOI"].lower(): w for w in self.works}
        self.ranker = Ranker(
            [
                (p.published.title, [*family_names(p.authors), str(p.published.year), container_of(p.published) or ""])  # type: ignore[union-attr]
                for p in self.papers
            ]
        )

    # formats ------------------------------------------------------------------------------------

    def error(self, status: int, message: str) -> Response:
        return Response.text(status, message)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        return Response.text(status, f"<html><body><h1>{status} Too Many Requests</h1></body></html>", "text/html")

    def extra_headers(self, req: Request) -> dict[str, str]:
        ua = req.headers.get("user-agent", "") + " " + req.headers.get("x-user-agent", "")
        polite = "mailto:" in ua or bool(req.arg("mailto"))
        return {
            "access-control-allow-origin": "*",
            "access-control-expose-headers": "Link",
            "x-api-pool": "polite" if polite else "public",
            "x-rate-limit-limit": "10" if polite else "5",
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": "3" if polite else "1",
        }

    @staticmethod
    def _json(status: int, payload: dict[str, Any], content_type: str = JSON_TYPE) -> Response:
        return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), content_type)

    def _validation(self, failures: list[ValidationFailure]) -> Response:
        body = {"status": "failed", "message-type": "validation-failure", "message": [f.item for f in failures]}
        return self._json(400, body, ERROR_JSON_TYPE)

    # routes -------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        if req.path in ("/works", "/works/"):
            try:
                return self._search(req)
            except ValidationFailure as e:
                return self._validation([e])
        if req.path.startswith("/works/"):
            doi = req.path[len("/works/") :].strip("/")
            work = self.by_doi.get(doi.lower())
            if work is None:
                return Response.text(404, "Resource not found.")
            return self._json(200, {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": work})
        return Response.text(404, "Resource not found.")

    def _search(self, req: Request) -> Response:
        rows = self._int(req.arg("rows"), 20, "rows", 1000)
        offset = self._int(req.arg("offset"), 0, "offset", 10000)
        cursor = req.arg("cursor")
        if cursor:
            offset = 0 if cursor == "*" else self._decode_cursor(cursor)
        select = [s for s in (req.arg("select") or "").split(",") if s]
        for s in select:
            if s not in SELECTABLE:
                raise ValidationFailure("select-not-available", s, f"Field {s} specified in select, but only the following fields can be selected: {', '.join(SELECTABLE)}")
        filters = self._filters(req.arg("filter") or "")
        sort = req.arg("sort")
        if sort and sort not in SORTS:
            raise ValidationFailure("sort-not-available", sort, f"Sort field {sort} is not available for this route. Valid sort fields are: {', '.join(SORTS)}")
        order = req.arg("order") or "desc"
        if order not in ("asc", "desc"):
            raise ValidationFailure("order-not-valid", order, "Order must be one of: asc, desc")
        for name in req.query:
            if name.startswith("query.") and name not in FIELD_QUERIES:
                raise ValidationFailure("unknown-field-query", name, f"Field query {name} is not available")

        free = " ".join(v for v in (req.arg("query"), req.arg("query.bibliographic"), req.arg("query.title")) if v)
        author_q = set(tokens(req.arg("query.author") or ""))
        container_q = set(tokens(req.arg("query.container-title") or ""))
        scored: list[tuple[int, float]] = []
        for i, paper in enumerate(self.papers):
            if not self._passes(self.works[i], filters):
                continue
            score = 0.0
            if free:
                score += self.ranker.score(free, i)
            if author_q:
                names = set(tokens(" ".join(paper.authors)))
                score += len(author_q & names) / len(author_q)
            if container_q:
                cont = set(tokens(" ".join(self.works[i]["container-title"])))
                score += 0.5 * len(container_q & cont) / len(container_q)
            if (free or author_q or container_q) and score <= 0:
                continue
            scored.append((i, score))
        queried = bool(free or author_q or container_q)
        if sort in (None, "score", "relevance"):
            scored.sort(key=lambda p: (-p[1], self.works[p[0]]["DOI"]) if queried else self.works[p[0]]["DOI"])
        else:
            field = {"published": "published", "issued": "issued", "updated": "deposited"}.get(sort, sort)
            def key(p: tuple[int, float]) -> Any:
                v = self.works[p[0]].get(field)
                return [x or 0 for x in v["date-parts"][0]] if isinstance(v, dict) else (v or 0)
            scored.sort(key=key, reverse=order == "desc")
        page = scored[offset : offset + rows]
        items = []
        for i, score in page:
            item = dict(self.works[i])
            item["score"] = round(score * 60, 3) if queried else 0.0
            if select:
                item = {k: v for k, v in item.items() if k in select}
            items.append(item)
        message: dict[str, Any] = {"facets": {}}
        if cursor:
            message["next-cursor"] = base64.urlsafe_b64encode(f"offset:{offset + len(page)}".encode()).decode()
        message.update(
            {
                "total-results": len(scored),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": offset, "search-terms": free or None},
            }
        )
        return self._json(200, {"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": message})

    @staticmethod
    def _int(value: str | None, default: int, name: str, maximum: int) -> int:
        if value is None:
            return default
        if not value.isdigit() or int(value) > maximum:
            if name == "rows":
                msg = f"Integer specified as {value} but must be a positive integer less than or equal to {maximum}. "
            else:
                msg = f"Offset specified as {value} but must be a positive integer less than or equal to {maximum}. "
            raise ValidationFailure("integer-not-valid", value, msg)
        return int(value)

    @staticmethod
    def _decode_cursor(cursor: str) -> int:
        try:
            text = base64.urlsafe_b64decode(cursor.encode()).decode()
            if text.startswith("offset:"):
                return int(text[len("offset:") :])
        except (ValueError, UnicodeDecodeError):
            pass
        raise ValidationFailure("cursor-not-valid", cursor, f"Cursor {cursor} is not valid")

    @staticmethod
    def _filters(spec: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for part in (p for p in spec.split(",") if p):
            name, sep, value = part.partition(":")
            if not sep or name not in FILTERS:
                raise ValidationFailure(
                    "filter-not-available", name,
                    f"Filter {name} specified but there is no such filter for this route. Valid filters for this route are: {', '.join(FILTERS)}",
                )  # fmt: skip
            if name.endswith("-date"):
                _date_key(value, name)
            out.setdefault(name, []).append(value)
        return out

    @staticmethod
    def _passes(work: dict[str, Any], filters: dict[str, list[str]]) -> bool:
        issued = tuple(x for x in work["issued"]["date-parts"][0] if isinstance(x, int))
        for name, values in filters.items():
            if name.endswith("-date") and not issued:
                return False  # no date known: no date filter matches
            if name in ("from-pub-date", "from-issued-date"):
                ok = any(_cut(issued, k) >= _cut(k, issued) for k in (_date_key(v, name) for v in values))
            elif name in ("until-pub-date", "until-issued-date"):
                ok = any(_cut(issued, k) <= _cut(k, issued) for k in (_date_key(v, name) for v in values))
            elif name == "type":
                ok = work["type"] in values
            elif name == "prefix":
                ok = work["prefix"] in values
            elif name == "doi":
                ok = work["DOI"].lower() in {v.lower() for v in values}
            else:  # member
                ok = work["member"] in values
            if not ok:
                return False
        return True
