"""Fake DBLP: ``/search/publ/api`` (JSON or XML) and ``/rec/<key>.bib``.

DBLP knows every published record (key ``conf/<stream>/<Family><Initials><YY>`` or
``journals/<stream>/...``) and every arXiv record as an informal CoRR publication
(``journals/corr/abs-YYMM-NNNNN``), so a published arXiv paper comes back twice.

The search is DBLP's: every query word must prefix-match a word of the title, an author, the
venue or the year (``word$`` matches exactly, ``a|b`` is OR), so a title that changed between
arXiv and the proceedings can find only one of the two records, and a misspelt word finds none.
Hits are ranked by relevance (``@score``), then newest first.

JSON quirks reproduced (docs/api-protocols.md section 5, and the recordings in
tests/fixtures/wire/dblp/): every number is a string; a single author is an object, not a list;
with zero hits ``hits`` has no ``hit`` key; ``ee`` is a list when there are several links; titles
end with a period and carry XML entities inside the JSON string (``Operators&apos;``,
``Tag&amp;Tab``, ``&quot;``); article-number pages look like ``26:1-26:4``; DOIs are
upper-cased; homonymous authors carry a four-digit suffix ("Wei Wang 0003"), deterministically
for common family names; the answer has a ``completions`` object next to ``hits``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .records import Paper
from .server import Request, Response, Service
from .text import Ranker, ascii_letters, display, latex_escape, split_name, tokens
from .venues import container_of, venue_of

COMMON_FAMILIES = {
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
    "zhu", "hu", "lin", "guo", "he", "gao", "luo", "kim", "lee", "park", "choi", "singh", "kumar",
}  # fmt: skip
TYPES = {
    "conference": "Conference and Workshop Papers",
    "workshop": "Conference and Workshop Papers",
    "journal": "Journal Articles",
}
BIB_TYPE = "application/x-bibtex; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


def dblp_name(name: str) -> str:
    """DBLP's display name: homonyms of common family names get a ``000N`` suffix."""
    given, family = split_name(name)
    if given and family.lower() in COMMON_FAMILIES:
        return f"{name} {1 + _h(name) % 9:04d}"
    return display(name)


def xml_text(text: str) -> str:
    """A text as DBLP's JSON carries it: the XML text with its entities (``&apos;``, ``&amp;``)."""
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def pid(name: str) -> str:
    h = _h(name)
    return f"{h % 400:02d}/{h % 99991}"


def dblp_title(title: str) -> str:
    return title if title.endswith((".", "?", "!")) else title + "."


@dataclass
class DblpRecord:
    key: str
    paper: Paper
    corr: bool  # the informal CoRR version
    authors: tuple[str, ...]
    title: str
    venue: str
    year: int
    type: str
    ee: list[str]
    doi: str | None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    access: str = "open"

    @property
    def url(self) -> str:
        return f"https://dblp.org/rec/{self.key}"

    def info(self) -> dict[str, Any]:
        authors = [{"@pid": pid(a), "text": dblp_name(a)} for a in self.authors]
        info: dict[str, Any] = {}
        if authors:  # DBLP leaves the key out for author-less records
            info["authors"] = {"author": authors[0] if len(authors) == 1 else authors}
        info["title"] = xml_text(dblp_title(self.title))
        info["venue"] = self.venue
        if self.volume:
            info["volume"] = self.volume
        if self.number:
            info["number"] = self.number
        if self.pages:
            info["pages"] = self.pages.replace("--", "-")
        info["year"] = str(self.year)
        info["type"] = self.type
        info["access"] = self.access
        info["key"] = self.key
        if self.doi:
            info["doi"] = self.doi.upper()
        if self.ee:
            info["ee"] = self.ee[0] if len(self.ee) == 1 else list(self.ee)
        info["url"] = self.url
        return info


def _letters(n: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa": DBLP's suffixes for records whose keys would collide."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
    return out


def build_records(papers: list[Paper]) -> list[DblpRecord]:
    out: list[DblpRecord] = []
    used: set[str] = set()
    for paper in papers:
        if paper.arxiv:
            a = paper.arxiv
            out.append(
                DblpRecord(
                    key=f"journals/corr/abs-{a.id.replace('.', '-').replace('/', '-')}",
                    paper=paper,
                    corr=True,
                    authors=a.authors,
                    title=a.title,
                    venue="CoRR",
                    year=a.versions[0].year,
                    type="Informal and Other Publications",
                    ee=[f"https://doi.org/10.48550/arXiv.{a.id}"],
                    doi=f"10.48550/arXiv.{a.id}",
                    volume=f"abs/{a.id}",
                )
            )
        if paper.published:
            p = paper.published
            v = venue_of(p)
            info = v.series_info
            stream = info.get("dblp_stream") or f"conf/{re.sub(r'[^a-z0-9]', '', v.series.lower())}"
            authors = paper.authors
            fams = [ascii_letters(split_name(x)[1].split()[-1]) or "X" for x in authors] or ["Anonymous"]
            base = f"{stream}/{fams[0]}{''.join(f[0].upper() for f in fams[1:11])}{p.year % 100:02d}"
            key, n = base, 0
            while key in used:
                n += 1
                key = base + _letters(n)
            used.add(key)
            venue = info.get("dblp_findings_venue") if v.findings else None
            venue = venue or info.get("dblp_venue") or v.series
            ee = []
            if p.doi:
                ee.append(f"https://doi.org/{p.doi}")
            for link in (
                p.url,
                f"https://aclanthology.org/{p.acl_anthology_id}" if p.acl_anthology_id else None,
                f"https://openreview.net/forum?id={p.openreview_id}" if p.openreview_id else None,
            ):
                if link and link.rstrip("/") not in {e.rstrip("/") for e in ee}:
                    ee.append(link)
            out.append(
                DblpRecord(
                    key=key,
                    paper=paper,
                    corr=False,
                    authors=authors,
                    title=p.title,
                    venue=venue,
                    year=p.year,
                    type=info.get("dblp_type") or TYPES[p.kind],
                    ee=ee,
                    doi=p.doi,
                    volume=p.volume if p.kind == "journal" or info.get("dblp_type") == "Journal Articles" else None,
                    number=p.number,
                    pages=p.pages,
                    access="closed" if (p.doi or "").startswith("10.1145/") else "open",
                )
            )
    return out


#: DBLP's table-of-contents file of a year's proceedings, per stream ("{year}" filled in)
TOCS = {"conf/nips": "db/conf/nips/neurips{year}.bht"}
_ACL_PART = re.compile(r"^(?:findings-(?P<findings>[a-z]+)|(?P<conf>[a-z]+)-(?P<part>main|long|short))$")


def toc_of(rec: DblpRecord) -> str | None:
    """The table of contents a record is listed in, named as DBLP names them (conference papers
    only; CoRR has none): ``iclr2025``, ``neurips2024``; for ACL volumes ``emnlp2024`` (main),
    ``emnlp2024f`` (Findings), ``acl2024-1`` / ``acl2024-2`` (long / short papers)."""
    if rec.corr or not rec.key.startswith("conf/"):
        return None
    pub = rec.paper.published
    aid = pub.acl_anthology_id if pub is not None else None
    if aid and re.match(r"^\d{4}\.", aid):
        m = _ACL_PART.match(aid.split(".")[1])
        if not m:
            return None  # workshops: a table of contents of their own, not modelled
        if m["findings"]:
            return f"db/conf/{m['findings']}/{m['findings']}{rec.year}f.bht"
        suffix = {"main": "", "long": "-1", "short": "-2"}[m["part"]]
        return f"db/conf/{m['conf']}/{m['conf']}{rec.year}{suffix}.bht"
    stream = rec.key.rsplit("/", 1)[0]
    return TOCS.get(stream, f"db/{stream}/{stream.split('/')[1]}{{year}}.bht").format(year=rec.year)


def bibtex(rec: DblpRecord) -> str:
    """The entry ``/rec/<key>.bib`` returns, in DBLP's layout."""
    fields: list[tuple[str, str]] = []
    names = [latex_escape(dblp_name(a), dblp_style=True) for a in rec.authors]
    if names:
        fields.append(("author", " and\n                  ".join(names)))
    fields.append(("title", latex_escape(rec.title.rstrip("."), dblp_style=True)))
    p = rec.paper.published
    if rec.corr:
        entry = "article"
        fields += [("journal", "CoRR"), ("volume", rec.volume or "")]
    elif rec.type == "Journal Articles":
        entry = "article"
        fields.append(("journal", rec.venue))
        if rec.volume:
            fields.append(("volume", rec.volume))
        if rec.number:
            fields.append(("number", rec.number))
    else:
        assert p is not None
        entry = "inproceedings"
        book = container_of(p) or p.venue_short
        v = venue_of(p)
        place = f", {v.address}" if v.address else ""
        fields.append(("booktitle", latex_escape(f"{book}, {v.event_key}{place}", dblp_style=True)))
    if rec.pages:
        fields.append(("pages", rec.pages))
    if not rec.corr and p is not None and p.publisher:
        fields.append(("publisher", latex_escape(p.publisher, dblp_style=True)))
    fields.append(("year", str(rec.year)))
    if rec.ee:
        fields.append(("url", rec.ee[0]))
    if rec.doi:
        fields.append(("doi", rec.doi.upper()))
    if rec.corr:
        fields += [("eprinttype", "arXiv"), ("eprint", rec.paper.arxiv.id)]  # type: ignore[union-attr]
    stamp = dt.datetime(2025, 9, 1 + _h(rec.key) % 28, 16, _h(rec.key) % 60, 21)
    fields.append(("timestamp", stamp.strftime("%a, %d %b %Y %H:%M:%S +0200")))
    fields.append(("biburl", f"https://dblp.org/rec/{rec.key}.bib"))
    fields.append(("bibsource", "dblp computer science bibliography, https://dblp.org"))
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{DBLP:{rec.key},\n{body}\n}}\n"


class DblpService(Service):
    name = "dblp"
    server_header = "nginx"

    def __init__(self, papers: list[Paper]):
        self.records = build_records(papers)
        self.by_key = {r.key: r for r in self.records}
        self.words: list[set[str]] = []
        for r in self.records:
            words = set(tokens(r.title)) | set(tokens(" ".join(dblp_name(a) for a in r.authors)))
            words |= set(tokens(r.venue)) | {str(r.year)}
            self.words.append(words)
        self.ranker = Ranker([(r.title, [*r.authors, r.venue, str(r.year)]) for r in self.records])

    def error(self, status: int, message: str) -> Response:
        html = f"<!DOCTYPE html><html><head><title>{status} {escape(message)}</title></head><body><h1>{status} {escape(message)}</h1></body></html>"
        return Response.text(status, html, HTML_TYPE)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        return self.error(status, "Too Many Requests")

    def handle(self, req: Request) -> Response:
        if req.path in ("/search/publ/api", "/search/publ/api/"):
            return self._search(req)
        m = re.match(r"^/rec/(.+)\.bib$", req.path)
        if m:
            rec = self.by_key.get(m.group(1))
            if rec is None:
                return self.error(404, "Not Found")
            return Response(200, bibtex(rec).encode("utf-8"), BIB_TYPE)
        return self.error(404, "Not Found")

    # search ---------------------------------------------------------------------------------------

    @staticmethod
    def _parse(q: str) -> list[list[tuple[str, bool]]]:
        """Query -> AND of OR-groups of (word, exact)."""
        groups = []
        for raw in q.split():
            raw = re.sub(r"^(author|venue|title|year|type):", "", raw)
            alts = []
            for alt in raw.split("|"):
                exact = alt.endswith("$")
                for w in tokens(alt.rstrip("$")):
                    alts.append((w, exact))
            if alts:
                groups.append(alts)
        return groups

    def _matches(self, i: int, groups: list[list[tuple[str, bool]]]) -> bool:
        words = self.words[i]
        for alts in groups:
            if not any((w in words) if exact else any(x.startswith(w) for x in words) for w, exact in alts):
                return False
        return True

    def _search(self, req: Request) -> Response:
        q = (req.arg("q") or "").strip()
        fmt = req.arg("format") or "xml"
        if fmt not in ("xml", "json"):
            return self.error(400, "Bad Request")
        hits_wanted = _clamp(req.arg("h"), 30, 1000)
        first = _clamp(req.arg("f"), 0, 10**6)
        toc = re.fullmatch(r"toc:(\S+?):?", q)
        if toc:  # a table of contents: every paper of one proceedings, in key order
            matched = [i for i, r in enumerate(self.records) if toc_of(r) == toc.group(1)]
            groups = []
        else:
            groups = self._parse(q)
            matched = [i for i in range(len(self.records)) if groups and self._matches(i, groups)]
        scores = {i: self.ranker.score(q, i) for i in matched}
        matched.sort(key=lambda i: (-round(scores[i], 6), -self.records[i].year, self.records[i].key))
        page = matched[first : first + hits_wanted]
        shown_query = " ".join("|".join(w + ("$" if exact else "*") for w, exact in alts) for alts in groups)
        if fmt == "json":
            hits: dict[str, Any] = {
                "@total": str(len(matched)),
                "@computed": str(min(len(matched), 1000)),
                "@sent": str(len(page)),
                "@first": str(first),
            }
            if page:
                hits["hit"] = [
                    {
                        "@score": str(max(1, round(scores[i] * 10))),
                        "@id": str(_h(self.records[i].key) % 9_000_000 + 1_000_000),
                        "info": self.records[i].info(),
                        "url": f"URL#{_h(self.records[i].key) % 9_000_000 + 1_000_000}",
                    }
                    for i in page
                ]
            last = shown_query.split()[-1].rstrip("*$") if shown_query else ""
            result = {
                "result": {
                    "query": shown_query,
                    "status": {"@code": "200", "text": "OK"},
                    "time": {"@unit": "msecs", "text": "1.23"},
                    "completions": {"@total": "1", "@computed": "1", "@sent": "1", "c": {
                        "@sc": str(len(matched)), "@dc": str(len(matched)), "@oc": str(len(matched)),
                        "@id": str(_h(last) % 90_000_000), "text": last}},
                    "hits": hits,
                }
            }
            return Response(200, json.dumps(result, ensure_ascii=False).encode("utf-8"), "application/json")
        return Response(200, self._xml(shown_query, matched, page, first, scores).encode("utf-8"), "application/xml; charset=utf-8")

    def _xml(self, query: str, matched: list[int], page: list[int], first: int, scores: dict[int, float]) -> str:
        out = ['<?xml version="1.0" encoding="UTF-8"?>', "<result>", f"<query>{escape(query)}</query>",
               '<status code="200">OK</status>', '<time unit="msecs">1.23</time>',
               f'<hits total="{len(matched)}" computed="{min(len(matched), 1000)}" sent="{len(page)}" first="{first}">']  # fmt: skip
        for i in page:
            info = self.records[i].info()
            rid = _h(self.records[i].key) % 9_000_000 + 1_000_000
            out.append(f'<hit score="{max(1, round(scores[i] * 10))}" id="{rid}"><info>')
            authors = info.get("authors", {}).get("author", [])
            out.append(
                "<authors>"
                + "".join(
                    f"<author pid={quoteattr(a['@pid'])}>{escape(a['text'])}</author>"
                    for a in (authors if isinstance(authors, list) else [authors])
                )
                + "</authors>"
            )
            for k, v in info.items():
                if k == "authors":
                    continue
                for item in v if isinstance(v, list) else [v]:
                    out.append(f"<{k}>{item if k == 'title' else escape(item)}</{k}>")  # the title is XML text already
            out.append(f"</info><url>URL#{rid}</url></hit>")
        out += ["</hits>", "</result>"]
        return "\n".join(out) + "\n"


def _clamp(value: str | None, default: int, maximum: int) -> int:
    try:
        n = int(value) if value is not None else default
    except ValueError:
        n = default
    return max(0, min(n, maximum))
