"""A large list with the starting list's composition, and the records the fakes serve for it.

``scaled(copies)`` repeats every entry of the starting list ``copies`` times, each copy a distinct
paper: its title gets a unique first word, and every identifier a unique value of the same kind
and shape (an arXiv id of the same month, a DOI under the same prefix, an Anthology id in the same
volume, an OpenReview id), in the list's links and in the records alike. So a 10,000-entry list
has the starting list's mix of link kinds, venues, published and preprint papers, duplicates and
link-less entries, and every service sees the share of requests it would see for the real list.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tests" / "fixtures" / "upstream" / "README.2025-08-08.fcbf0f0.md"
DATA = ROOT / "tests" / "fixtures" / "metadata" / "papers.json"

_ARXIV = re.compile(r"(?<![\d.])(\d{4})\.(\d{4,5})(v\d+)?")
_ACL = re.compile(r"\b(\d{4}\.[a-z0-9\-]+)\.(\d+)\b")
_OPENREVIEW = re.compile(r"(openreview\.net/(?:forum|pdf)\?id=)([A-Za-z0-9_\-]+)")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s)\]]+)")


class Renamer:
    """Consistent new identifiers and titles for copy ``c`` of the starting list; ``months`` lists,
    per arXiv month, the serial numbers the starting list uses (a copy's ids follow them)."""

    def __init__(self, c: int, months: dict[str, list[str]]):
        self.c = c
        self.months = months

    def arxiv(self, aid: str) -> str:
        month, serial = aid.split(".")
        known = self.months.get(month, [])
        i = known.index(serial) if serial in known else int(serial) % 97
        return f"{month}.{10000 + self.c * max(len(known), 97) + i:05d}"

    def doi(self, doi: str) -> str:
        if doi.lower().startswith("10.48550/arxiv."):
            return "10.48550/arXiv." + self.arxiv(doi.split(".", 2)[2])
        m = re.match(r"^10\.18653/v1/(.+)$", doi, re.I)
        if m:
            return "10.18653/v1/" + self.acl(m.group(1))
        return f"{doi}.c{self.c}"

    def acl(self, aid: str) -> str:
        volume, number = aid.rsplit(".", 1)
        return f"{volume}.{int(number) + 3000 * self.c}" if number.isdigit() else f"{aid}c{self.c}"

    def openreview(self, oid: str) -> str:
        return f"{oid[:7]}{self.c:03d}"

    def title(self, title: str) -> str:
        return f"Q{self.c:03d}x {title}"

    def line(self, text: str) -> str:
        text = _DOI.sub(lambda m: m.group(1) if m.group(1).lower().startswith(("10.18653/", "10.48550/"))
                        else self.doi(m.group(1)), text)
        text = _OPENREVIEW.sub(lambda m: m.group(1) + self.openreview(m.group(2)), text)
        text = _ACL.sub(lambda m: self.acl(f"{m.group(1)}.{m.group(2)}"), text)
        text = _ARXIV.sub(lambda m: self.arxiv(f"{m.group(1)}.{m.group(2)}") + (m.group(3) or ""), text)
        return text


def scaled(copies: int) -> tuple[str, list[dict]]:
    """(list text, records) for ``copies`` copies of the starting list."""
    from plmcite.listfile import parse_file

    doc = parse_file(LIST)
    papers = json.loads(DATA.read_text(encoding="utf-8"))
    months: dict[str, list[str]] = {}
    for m in _ARXIV.finditer(LIST.read_text(encoding="utf-8") + json.dumps(papers)):
        months.setdefault(m.group(1), [])
        if m.group(2) not in months[m.group(1)]:
            months[m.group(1)].append(m.group(2))
    lines = ["# A long list", ""]
    records: list[dict] = []
    for c in range(1, copies + 1):
        r = Renamer(c, months)
        lines += [f"## {c}. Copy {c}", ""]
        for e in doc.entries:
            raw = e.raw
            new = r.line(raw).replace(e.title, r.title(e.title), 1) if e.title else r.line(raw)
            lines += [new, ""]
        for p in papers:
            q = copy.deepcopy(p)
            if q["arxiv"]:
                q["arxiv"]["id"] = r.arxiv(q["arxiv"]["id"])
                q["arxiv"]["title"] = r.title(q["arxiv"]["title"])
            pub = q["published"]
            if pub:
                pub["title"] = r.title(pub["title"])
                for key, fn in (("doi", r.doi), ("acl_anthology_id", r.acl), ("openreview_id", r.openreview)):
                    if pub.get(key):
                        pub[key] = fn(pub[key])
                if pub.get("url"):
                    pub["url"] = r.line(pub["url"])
            records.append(q)
    return "\n".join(lines) + "\n", records
