"""Fake arXiv legacy query API: ``GET|POST /api/query`` answering Atom 1.0 feeds.

Implements ``id_list`` (many comma-separated ids, with or without ``vN``), ``search_query``
(``ti: au: abs: all: cat: jr: co: id:`` terms, quoted phrases, trailing ``*`` wildcards, ``AND``
``OR`` ``ANDNOT``, parentheses; adjacent terms are OR'ed as in Lucene), both together
(intersection), ``start``, ``max_results`` (default 10, capped at 2000), ``sortBy``/``sortOrder``.

Behaviour copied from the real service (docs/api-protocols.md section 2), in the Atom layout
arXiv has served since 2025 (every recording in tests/fixtures/wire/arxiv/ has it):

* namespaces declared once on ``<feed>`` (``opensearch:`` and ``arxiv:`` prefixes below it), a
  feed ``<id>`` under ``https://arxiv.org/api/``, a ``<link>`` with only ``href`` and ``type``,
  ``https`` abstract, PDF and DOI links, but the entry ``<id>`` still
  ``http://arxiv.org/abs/<id>v<n>``; ``arxiv:primary_category`` with a ``term`` only; elements in
  the recorded order (id, title, updated, links, summary, categories, published, comment,
  primary category, journal ref, authors, DOI);
* ``opensearch:totalResults`` counts every id asked for; a well-formed id that does not exist
  (or a version beyond the latest) gets **no entry**. ``missing="empty"`` switches to the 2021
  behaviour: an ``<entry>`` without ``<id>`` and with empty fields.
* Entries of an ``id_list`` page do not come back in request order (clients must match by id).
* A malformed id or parameter gets HTTP 400 with a one-entry error feed: feed id
  ``https://arxiv.org/``, title "arXiv Search Results", entry id ``https://arxiv.org/api/errors#...``.
* Titles and abstracts come on one line (the 2025 layout no longer wraps them); a corporate
  author is one ``<name>`` ("H1 Collaboration").
* Too fast: 429 with the plain-text body ``Rate exceeded.``.
"""

from __future__ import annotations

from ..errors import PlmciteError

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from .records import ArxivRecord, Paper
from .server import Request, Response, Service
from .text import Ranker, display, tokens

ATOM_TYPE = "application/atom+xml; charset=UTF-8"
_HEAD = ("<?xml version='1.0' encoding='UTF-8'?>\n"
         '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
         'xmlns="http://www.w3.org/2005/Atom">\n')
ID_WITH_VERSION = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
MAX_PAGE = 2000


class QueryError(PlmciteError, ValueError):
    pass


# --- search_query parsing ------------------------------------------------------------------------

_TOKEN = re.compile(r'\(|\)|(?P<field>[a-z]+):"(?P<fphrase>[^"]*)"|"(?P<phrase>[^"]*)"|[^\s()]+')
FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
OPS = ("AND", "OR", "ANDNOT")


@dataclass
class Term:
    field: str
    words: list[str]  # a phrase when more than one word
    prefix: bool = False  # trailing * on the last word

    def matches(self, doc: "_Doc") -> bool:
        hay = doc.fields(self.field)
        if not self.words:
            return False
        n = len(self.words)
        for seq in hay:
            for i in range(len(seq) - n + 1):
                ok = all(seq[i + j] == w for j, w in enumerate(self.words[:-1]))
                last = seq[i + n - 1]
                if ok and (last.startswith(self.words[-1]) if self.prefix else last == self.words[-1]):
                    return True
        return False


Node = tuple  # ("term", Term) | ("op", name, left, right)


def parse_query(q: str) -> Node:
    toks: list[tuple[str, object]] = []
    for m in _TOKEN.finditer(q):
        text = m.group(0)
        if text in ("(", ")"):
            toks.append((text, None))
        elif text in OPS:
            toks.append(("op", text))
        elif m.group("field") is not None:
            toks.append(("term", _term(m.group("field"), m.group("fphrase"))))
        elif m.group("phrase") is not None:
            toks.append(("term", _term("all", m.group("phrase"))))
        else:
            fieldname, sep, value = text.partition(":")
            if sep and fieldname in FIELDS:
                toks.append(("term", _term(fieldname, value)))
            elif sep and fieldname.isalpha() and fieldname.islower():
                raise QueryError(f"unknown field prefix {fieldname}:")
            else:
                toks.append(("term", _term("all", text)))
    pos = 0

    def expr() -> Node:
        nonlocal pos
        left = atom()
        while pos < len(toks) and toks[pos][0] != ")":
            if toks[pos][0] == "op":
                op = toks[pos][1]
                pos += 1
            else:
                op = "OR"  # Lucene default operator between adjacent terms
            left = ("op", op, left, atom())
        return left

    def atom() -> Node:
        nonlocal pos
        if pos >= len(toks):
            raise QueryError("query ends too early")
        kind, value = toks[pos]
        pos += 1
        if kind == "(":
            node = expr()
            if pos >= len(toks) or toks[pos][0] != ")":
                raise QueryError("unbalanced parentheses")
            pos += 1
            return node
        if kind == "term":
            return ("term", value)
        raise QueryError(f"unexpected {kind if kind != 'op' else value}")

    if not toks:
        raise QueryError("empty search_query")
    node = expr()
    if pos != len(toks):
        raise QueryError("unbalanced parentheses")
    return node


def _term(fieldname: str, value: str) -> Term:
    value = value.strip()
    prefix = value.endswith("*")
    if fieldname == "id":
        return Term("id", [value.rstrip("*").lower()], prefix)
    return Term(fieldname, tokens(value.rstrip("*")), prefix)


def evaluate(node: Node, doc: "_Doc") -> bool:
    if node[0] == "term":
        return node[1].matches(doc)
    _, op, left, right = node
    if op == "AND":
        return evaluate(left, doc) and evaluate(right, doc)
    if op == "ANDNOT":
        return evaluate(left, doc) and not evaluate(right, doc)
    return evaluate(left, doc) or evaluate(right, doc)


def positive_terms(node: Node) -> list[Term]:
    if node[0] == "term":
        return [node[1]]
    _, op, left, right = node
    return positive_terms(left) + ([] if op == "ANDNOT" else positive_terms(right))


class _Doc:
    def __init__(self, rec: ArxivRecord):
        self.rec = rec
        self._fields: dict[str, list[list[str]]] = {
            "ti": [tokens(rec.title)],
            "au": [tokens(a) for a in rec.authors],
            "abs": [tokens(rec.abstract or "")],
            "co": [tokens(rec.comment or "")],
            "jr": [tokens(rec.journal_ref or "")],
            "cat": [[c.lower()] for c in rec.categories or ([rec.primary_category] if rec.primary_category else [])],
            "rn": [],
            "id": [[rec.id.lower()]],
        }
        self._fields["all"] = self._fields["ti"] + self._fields["au"] + self._fields["abs"] + self._fields["co"]

    def fields(self, name: str) -> list[list[str]]:
        return self._fields[name]


# --- the service ---------------------------------------------------------------------------------


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArxivService(Service):
    name = "arxiv"
    base_path = "/api/query"
    server_header = "Apache"

    def __init__(self, papers: list[Paper], *, missing: str = "none", now: Callable[[], dt.datetime] | None = None):
        if missing not in ("none", "empty"):
            raise ValueError("missing must be 'none' (2025 behaviour) or 'empty' (2021 behaviour)")
        self.missing = missing
        self.now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self.records: dict[str, Paper] = {p.arxiv.id: p for p in papers if p.arxiv}
        self.ids = sorted(self.records)
        self.index = {aid: i for i, aid in enumerate(self.ids)}
        self.docs = [_Doc(self.records[i].arxiv) for i in self.ids]  # type: ignore[arg-type]
        self.ranker = Ranker([(d.rec.title, list(d.rec.authors)) for d in self.docs])

    # errors -------------------------------------------------------------------------------------

    def error(self, status: int, message: str) -> Response:
        if status >= 500:
            html = f"<html><head><title>{status} {escape(message)}</title></head><body><h1>{escape(message)}</h1></body></html>"
            return Response.text(status, html, "text/html; charset=utf-8")
        return Response.text(status, message)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        return Response.text(status, "Rate exceeded.")

    def error_feed(self, message: str, query: str) -> Response:
        key = message.replace(" ", "_")
        now = _iso(self.now())
        body = (
            _HEAD + "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
            f"  <updated>{now}</updated>\n"
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            "  <entry>\n"
            f"    <id>https://arxiv.org/api/errors#{escape(key)}</id>\n"
            "    <title>Error</title>\n"
            f"    <updated>{now}</updated>\n"
            f'    <link href="https://arxiv.org/api/errors#{escape(key)}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{escape(message)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
            "  </entry>\n</feed>\n"
        )
        return Response(400, body.encode("utf-8"), ATOM_TYPE)

    # request handling ---------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        if req.path.rstrip("/") != self.base_path:
            return Response.text(404, "<html><body><h1>Not Found</h1></body></html>", "text/html; charset=utf-8")
        if req.method not in ("GET", "POST", "HEAD"):
            return self.error(405, "Method Not Allowed")
        search = (req.arg("search_query") or "").strip()
        id_list = [i.strip() for i in (req.arg("id_list") or "").split(",") if i.strip()]
        self_query = (search, ",".join(id_list), req.arg("start", "0"), req.arg("max_results", "10"))
        try:
            start = self._int(req.arg("start"), 0, "start")
            per_page = min(self._int(req.arg("max_results"), 10, "max_results"), MAX_PAGE)
            sort_by = req.arg("sortBy") or "relevance"
            order = req.arg("sortOrder") or "descending"
            if sort_by not in ("relevance", "lastUpdatedDate", "submittedDate"):
                raise QueryError("sortBy must be in: relevance, lastUpdatedDate, submittedDate")
            if order not in ("ascending", "descending"):
                raise QueryError("sortOrder must be in: ascending, descending")
            wanted = [self._parse_id(i) for i in id_list]
            tree = parse_query(search) if search else None
        except QueryError as e:
            return self.error_feed(str(e), self_query)

        if wanted:
            if tree is not None:  # both given: the intersection
                wanted = [w for w in wanted if w[0] in self.index and evaluate(tree, self.docs[self.index[w[0]]])]
            slots = wanted[start : start + per_page]
            entries = []
            for aid, version in self._unordered(slots):
                paper = self.records.get(aid)
                rec = paper.arxiv if paper else None
                if rec is not None and (version is None or version <= rec.latest):
                    entries.append(self._entry(paper, version or rec.latest))  # type: ignore[arg-type]
                    continue
                if self.missing == "empty" and rec is None:
                    entries.append(self._empty_entry())
            total = len(wanted)
        elif tree is not None:
            hits = self._search(tree, sort_by, order)
            total = len(hits)
            entries = [self._entry(self.records[self.ids[i]], None) for i in hits[start : start + per_page]]
        else:
            total, entries = 0, []
        body = self._feed(self_query, total=total, start=start, per_page=per_page, entries=entries)
        return Response(200, body.encode("utf-8"), ATOM_TYPE)

    @staticmethod
    def _int(value: str | None, default: int, name: str) -> int:
        if value is None or value == "":
            return default
        try:
            n = int(value)
        except ValueError:
            raise QueryError(f"{name} specified is not an integer") from None
        if n < 0:
            raise QueryError(f"{name} must be non-negative")
        return n

    @staticmethod
    def _parse_id(raw: str) -> tuple[str, int | None]:
        m = ID_WITH_VERSION.match(raw)
        if not m:
            raise QueryError(f"incorrect id format for {raw}")
        return m["id"], int(m["v"]) if m["v"] else None

    @staticmethod
    def _unordered(slots: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
        """The page's ids in a stable order that is not the request order (as the real API)."""
        return sorted(slots, key=lambda s: hashlib.sha1(f"{s[0]}v{s[1]}".encode()).hexdigest())

    def _search(self, tree: Node, sort_by: str, order: str) -> list[int]:
        matched = [i for i, d in enumerate(self.docs) if evaluate(tree, d)]
        if sort_by == "relevance":
            words = " ".join(" ".join(t.words) for t in positive_terms(tree) if t.field in ("ti", "all", "abs"))
            scored = {i: self.ranker.score(words, i) if words else 0.0 for i in matched}
            au_words = [t for t in positive_terms(tree) if t.field == "au"]
            return sorted(matched, key=lambda i: (-scored[i], -sum(t.matches(self.docs[i]) for t in au_words), self.ids[i]))
        if sort_by == "submittedDate":
            key = lambda i: (self.docs[i].rec.versions[0], self.ids[i])  # noqa: E731
        else:
            key = lambda i: (self.docs[i].rec.versions[-1], self.ids[i])  # noqa: E731
        return sorted(matched, key=key, reverse=order == "descending")

    # rendering ----------------------------------------------------------------------------------

    def _feed(self, query: tuple[str, str, str, str], *, total: int, start: int, per_page: int, entries: list[str]) -> str:
        search, ids, first, size = query
        title = f"search_query={search}&id_list={ids}&start={first}&max_results={size}"
        link = f"https://arxiv.org/api/query?search_query={search}&start={first}&max_results={size}&id_list={ids}"
        feed_id = base64.b64encode(hashlib.sha1(title.encode()).digest()).decode()[:27]
        return (
            _HEAD
            + f"  <id>https://arxiv.org/api/{feed_id}</id>\n"
            f"  <title>arXiv Query: {escape(title)}</title>\n"
            f"  <updated>{_iso(self.now())}</updated>\n"
            f'  <link href={quoteattr(link)} type="application/atom+xml"/>\n'
            f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
            + "".join(entries)
            + "</feed>\n"
        )

    def _empty_entry(self) -> str:
        return (
            "  <entry>\n    <updated>1969-12-31T19:00:00-05:00</updated>\n    <published>1969-12-31T19:00:00-05:00</published>\n"
            "    <title/>\n    <summary/>\n    <author>\n      <name/>\n    </author>\n"
            '    <arxiv:primary_category scheme="http://arxiv.org/schemas/atom"/>\n'
            "  </entry>\n"
        )

    def _entry(self, paper: Paper, version: int | None) -> str:
        rec = paper.arxiv
        assert rec is not None
        v = version or rec.latest
        cats = list(rec.categories) or ([rec.primary_category] if rec.primary_category else [])
        primary = rec.primary_category or (cats[0] if cats else None)
        lines = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{rec.id}v{v}</id>",
            f"    <title>{escape(rec.title)}</title>",
            f"    <updated>{_iso(rec.versions[v - 1])}</updated>",
            f'    <link href="https://arxiv.org/abs/{rec.id}v{v}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{rec.id}v{v}" rel="related" type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(rec.abstract or '')}</summary>",
        ]
        for c in cats:
            lines.append(f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>')
        lines.append(f"    <published>{_iso(rec.versions[0])}</published>")
        pub = paper.published
        doi = rec.doi or (pub.doi if pub else None)
        journal_ref = rec.journal_ref
        if journal_ref is None and pub is not None and pub.doi:
            journal_ref = pub.venue_short + (f", pages {pub.pages.replace('--', '-')}" if pub.pages else "")
        if rec.comment:
            lines.append(f"    <arxiv:comment>{escape(rec.comment)}</arxiv:comment>")
        if primary:
            lines.append(f'    <arxiv:primary_category term="{escape(primary)}"/>')
        if journal_ref:
            lines.append(f"    <arxiv:journal_ref>{escape(journal_ref)}</arxiv:journal_ref>")
        for name in rec.authors:
            lines.append(f"    <author>\n      <name>{escape(display(name))}</name>\n    </author>")
        if doi:
            lines.append(f"    <arxiv:doi>{escape(doi)}</arxiv:doi>")
            lines.append(f'    <link rel="related" href={quoteattr("https://doi.org/" + doi)} title="doi"/>')
        lines.append("  </entry>\n")
        return "\n".join(lines)
