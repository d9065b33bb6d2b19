"""Venue and year as lists write them, read into the tag model (``Tag``).

"EMNLP'23 Findings", "Arxiv24", "NeurIPS23-Workshop", "(arXiv'24) <br> ICLR'25", "NeurIPS 2024",
"ICML, 2025", "arXiv, May 2023", "CustomNLP4U@ EMNLP'24", "TMLR(09/2025), Journal Submissions",
"Preprint'25", "ACM MM 2024 Oral", a date column "2024-03-21", "2022<br>08-02", "2025/4".
The venue label comes out in the form list tags use ("EMNLP Findings", "NeurIPS Workshop",
"Arxiv"), so the lint rules and the venue table (``plmcite/data/venues.toml``) read it as they
read a tag; ``raw`` keeps the text as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .inline import plain
from .model import Tag

_YEAR4 = r"(?:19[5-9]\d|20\d\d)"
_YEAR_ANY = re.compile(rf"(?<![\d.])({_YEAR4})(?![\d])")
_APOS_YEAR = re.compile(r"\s*['’‘`]\s*(\d{2})(?!\d)")  # EMNLP'23, WWW '24
_GLUED_YEAR = re.compile(rf"(?<=[A-Za-z])({_YEAR4}|\d{{2}})(?=$|[\s\-_,.)/])")  # Arxiv24, PACLIC2023, NeurIPS23-Workshop
_MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?=\s|,|$)", re.I)
_PRESENTATION = re.compile(r"\b(?:oral|spotlight|poster|highlight|best paper(?: award)?|long|short|"
                           r"main(?: track| conference)?|accepted|camera[- ]ready)\b\.?", re.I)
_DATE = re.compile(rf"^\s*({_YEAR4})(?:\s*[-/.]\s*(\d{{1,2}})(?:\s*[-/.]\s*\d{{1,2}})?)?\s*$")
_NONE = {"", "-", "—", "–", "n/a", "na", "none", "tbd", "?", "heavy_minus_sign", ":heavy_minus_sign:"}
_ARXIV_WORDS = {"arxiv", "corr", "preprint", "arxiv preprint", "biorxiv", "medrxiv", "ssrn"}


def year_of(text: str) -> int | None:
    """A year from a date or a short year: "2024-03-21", "2022<br>08-02", "2025/4", "2024", "'24"."""
    t = plain(text.replace("<br>", " "))
    m = _YEAR_ANY.search(t)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"['’]?(\d{2})", t.strip())
    return _two_digit(m.group(1)) if m else None


def _two_digit(yy: str) -> int:
    n = int(yy)
    return 2000 + n if n <= 40 else 1900 + n


def parse_venue(text: str, *, date: str | None = None) -> Tag | None:
    """The venue (label in tag form) and year a cell or a phrase gives; None when it gives neither.

    When the text names several venues (``(arXiv'24) <br> ICLR'25``, an earlier one in
    parentheses), the last one not in parentheses is the paper's venue. ``date`` is a date column
    of the same row, used for the year when the venue gives none.
    """
    raw = text.strip()
    t = plain(re.sub(r"<br\s*/?>", " / ", raw, flags=re.I))
    if t.lower().strip(" .:") in _NONE:
        t = ""
    parts = [p.strip() for p in re.split(r"\s+/\s+|\s*;\s*", t) if p.strip()]
    if len(parts) > 1:
        current = [p for p in parts if not (p.startswith("(") and p.endswith(")"))]
        t = (current or parts)[-1]
    label, year = _label_and_year(t)
    if year is None and date:
        year = year_of(date)
    if not label and year is None:
        return None
    return Tag(raw=raw, year=year, venue=label, arxiv_month=None, escaped=False)


def _label_and_year(t: str) -> tuple[str | None, int | None]:
    year = None
    t = t.strip().strip(".,;:").strip()
    # an earlier venue in parentheses before the current one: "(arXiv'24) ICLR'25"
    m = re.match(r"^\(([^()]*)\)\s+(\S.*)$", t)
    if m and _label_and_year(m.group(2))[0]:
        t = m.group(2)
    m = _APOS_YEAR.search(t)
    if m:
        year = _two_digit(m.group(1))
        t = t[:m.start()] + " " + t[m.end():]
    else:
        m = _YEAR_ANY.search(t)
        if m:
            year = int(m.group(1))
            t = t[:m.start()] + " " + t[m.end():]
        else:
            m = _GLUED_YEAR.search(t)
            if m:
                g = m.group(1)
                year = int(g) if len(g) == 4 else _two_digit(g)
                t = t[:m.start()] + " " + t[m.end():]
    t = re.sub(r"\(\s*\d{1,2}\s*/\s*\)|\(\s*\)", " ", t)  # "TMLR(09/2025)" leaves "TMLR(09/)"
    t = _MONTHS.sub(" ", t)
    t = _PRESENTATION.sub(" ", t)
    t = re.sub(r"\s*,\s*journal submissions?\b.*$", "", t, flags=re.I)
    t = re.sub(r"\s+", " ", t).strip(" .,;:-–—/'’").strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1].strip()
    if t.count("(") < t.count(")"):
        t = t.lstrip(") ")
    elif t.count("(") > t.count(")"):
        t = t.rstrip("( ")
    return _label(t), year


#: how lists write a Findings volume or a workshop, and the tag word each becomes ("Findings of
#: the ACL", "EMNLP-Findings", "NeurIPS Findings track", "ICML Workshop", "CustomNLP4U@ EMNLP"
#: (a workshop held at EMNLP)); the first that matches wins
_FORMS = [(re.compile(rx, re.I), suffix) for rx, suffix in (
    (r"(?:findings\s+of\s+(?:the\s+)?)(.+)", "Findings"),
    (r"(.+?)\s*[-\s]\s*findings", "Findings"),
    (r"(.+?)\s+findings\b.*", "Findings"),
    (r"(.+?)\s*[-\s]\s*workshops?", "Workshop"),
    (r"[^@]*@\s*(.+)", "Workshop"),
)]


def _label(t: str) -> str | None:
    if not t or t.lower() in _NONE or not re.search(r"[^\W\d_]", t):
        return None
    low = t.lower()
    if low in _ARXIV_WORDS or re.fullmatch(r"arxiv(?:\s+preprint)?(?:\s+arxiv)?", low):
        return "Arxiv"
    for form, suffix in _FORMS:
        m = form.fullmatch(t)
        if m:
            return f"{m.group(1).strip()} {suffix}"
    return t


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    from ..venues import load_table

    labels = {re.sub(r"[^a-z0-9&]+", "", t.lower()) for v in load_table() for t in v.tags}
    return frozenset(labels | {"arxiv", "corr", "preprint", "openreview"})


def known_venue(label: str | None) -> bool:
    """Is ``label`` a venue the venue table (or arXiv) knows, as a tag would name it?"""
    if not label:
        return False
    norm = re.sub(r"[^a-z0-9&]+", "", label.lower())
    base = re.sub(r"(findings|workshop)$", "", norm) or norm
    return norm in _known_labels() or base in _known_labels()


def looks_like_venue(text: str) -> Tag | None:
    """``text`` as a venue when it clearly is one: a known venue, or a short label with a year
    ("PACLIC2023", "UIST23", "NeurIPS 2024"). Keeps link labels like "Paper" or "Code" out."""
    t = plain(text)
    if not t or len(t) > 60 or t.lower() in ("paper", "code", "pdf", "link", "website", "project", "github"):
        return None
    tag = parse_venue(t)
    if tag is None or not tag.venue:
        return None
    if known_venue(tag.venue) or (tag.year is not None and len(tag.venue.split()) <= 4):
        return tag
    return None
