"""Safe edits of the list: mechanical fixes and inserting a new entry.

Every edit is a set of whole-line replacements, insertions or deletions computed from a parsed
document; everything else is written back byte for byte. Writes go through
:class:`plmcite.atomic.Snapshot`, so a file that changed on disk since it was read is never
overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import ids as idmod
from .match import normalize_title
from .errors import InputError
from .listfile import CANONICAL_LABELS, Entry, ListDoc, entry_line, parse_entry, parse_tag, with_tag_text


@dataclass(frozen=True)
class Edit:
    line: int  # 1-based line the edit applies to
    old: str
    new: str | None  # None deletes the line
    reason: str


_NESTED = re.compile(r"\[([^\[\]]*)\]\(\[[^\[\]]*\]\(([^()\s]*)\)\)")
_EMPTY_TAIL = re.compile(r",[ \t]*\)([ \t]*)$")
_LABEL = re.compile(r"\[([A-Za-z]+)\]\(")


def _fix_markup(text: str) -> tuple[str, list[str]]:
    """The mechanical repairs of one entry line (markup only, never content)."""
    reasons = []
    new = _NESTED.sub(r"[\1](\2)", text)
    if new != text:
        reasons.append("flatten doubled link syntax")
        text = new
    new = _EMPTY_TAIL.sub(r")\1", text)
    if new != text:
        reasons.append("drop the empty item after the last link")
        text = new

    def label(m):
        want = CANONICAL_LABELS.get(m.group(1).lower())
        return f"[{want}](" if want else m.group(0)

    new = _LABEL.sub(label, text)
    if new != text:
        reasons.append("normalise link label case")
        text = new
    new = text.rstrip(" \t")
    if new != text:
        reasons.append("remove trailing whitespace")
        text = new
    return text, reasons


def _same_entry(a: Entry, b: Entry, tag: object = None) -> bool:
    """A fix may change markup only: tag (unless retagged to ``tag``), title and link targets
    must stay what they were."""
    return (
        (b.tag == a.tag if tag is None else b.tag == tag)
        and a.title == b.title
        and [l.url for l in a.links] == [l.url for l in b.links]
        and [l.label.lower() for l in a.links] == [l.label.lower() for l in b.links]
    )


def plan_fixes(doc: ListDoc, catalog=None) -> list[Edit]:
    """Mechanical fixes; with a catalog, also the tags it shows to be stale or wrong."""
    from .retag import retag_plan

    retag = retag_plan(doc, catalog) if catalog is not None else {}
    edits: list[Edit] = []
    for e in doc.entries:
        text, reasons = e.raw, []
        new_tag = None
        if e.line in retag:
            raw_tag, why = retag[e.line]
            retagged = with_tag_text(e, text, raw_tag)
            if retagged is not None:
                text = retagged
                new_tag = parse_tag(raw_tag, escaped=e.tag.escaped)
                reasons.append(why)
        text, more = _fix_markup(text)
        reasons += more
        if not reasons:
            continue
        fixed = parse_entry(text, e.line, e.section)
        if fixed is None or not _same_entry(e, fixed, new_tag):
            continue  # not mechanical after all: leave it to a human
        edits.append(Edit(e.line, e.raw, text, "; ".join(reasons)))
    for no, line in enumerate(doc.lines, start=1):
        if line.kind == "bullet":
            edits.append(Edit(no, line.text, None, "remove empty list item"))
    edits.sort(key=lambda ed: ed.line)
    return edits


def apply_edits(doc: ListDoc, edits: list[Edit]) -> str:
    """Render ``doc`` with ``edits`` applied; lines not edited are kept byte for byte."""
    by_line = {ed.line: ed for ed in edits}
    out = []
    for no, line in enumerate(doc.lines, start=1):
        ed = by_line.get(no)
        if ed is None:
            out.append(line.text + line.eol)
        elif ed.new is not None:
            out.append(ed.new + line.eol)
    return "".join(out)


# --- adding an entry -------------------------------------------------------------------------


class AddError(InputError):
    """The entry cannot be added where it was asked for."""


def find_existing(doc: ListDoc, ids: dict[str, str], title: str | None) -> Entry | None:
    """The entry that already lists this paper (same identifier or same normalised title)."""
    wanted = {(k, v.lower()) for k, v in ids.items()}
    norm = normalize_title(title) if title else None
    for e in doc.entries:
        if wanted & {(k, v.lower()) for k, v in e.ids.items()}:
            return e
        if norm and normalize_title(e.title) == norm:
            return e
    return None


def _sort_key(tag_raw: str | None) -> tuple[int, int]:
    if not tag_raw:
        return (0, 0)
    tag = parse_tag(tag_raw)
    month = int(tag.arxiv_month[2:]) if tag.arxiv_month else 0
    return (tag.year or 0, month)


def insert_entry(doc: ListDoc, section: str, new_line: str) -> tuple[str, int]:
    """Insert ``new_line`` into ``section`` keeping the list newest first.

    The entry goes before the first entry of the section that is strictly older (by tag year,
    then arXiv month), so it heads its own year group; at the end of the section otherwise.
    Entries stay separated by one blank line, as the list writes them. Returns the new text and
    the 1-based line number of the inserted entry.
    """
    sec = doc.section(section)
    if sec is None:
        known = ", ".join(s.key for s in doc.sections if s.number) or "none"
        raise AddError(f"{doc.path}: no section {section!r} (numbered sections: {known})")
    new_entry = parse_entry(new_line, 0, section)
    key = _sort_key(new_entry.tag.raw if new_entry and new_entry.tag else None)
    entries = [e for e in doc.entries if e.section == section]
    eol = next((l.eol for l in doc.lines if l.eol), "\n")
    lines = [l.text + l.eol for l in doc.lines]
    target = next((e for e in entries if _sort_key(e.tag.raw if e.tag else None) < key), None)
    if target is not None:
        at = target.line - 1
        lines[at:at] = [new_line + eol, eol]
        return "".join(lines), at + 1
    if entries:
        last = entries[-1].line  # insert after the last entry, separated by a blank line
        if not lines[last - 1].endswith(("\n", "\r")):
            lines[last - 1] += eol
        lines[last:last] = [eol, new_line + eol]
        return "".join(lines), last + 2
    at = sec.line  # empty section: right after its heading
    lines[at:at] = [eol, new_line + eol]
    return "".join(lines), at + 2


def build_line(ids: dict[str, str], title: str, tag: str | None, code: str | None = None,
               paper_url: str | None = None) -> str:
    if not paper_url:
        for kind in ("arxiv", "acl", "openreview", "doi", "pmlr", "aaai"):
            if kind in ids:
                paper_url = _paper_link(kind, ids[kind])
                break
    links = []
    if paper_url:
        links.append(("Paper", paper_url))
    if code:
        links.append(("Code", code))
    return entry_line(tag, title.strip().rstrip("."), links)


def _paper_link(kind: str, value: str) -> str:
    # the list links PDFs for arXiv and the Anthology, forum pages for OpenReview
    if kind == "arxiv":
        return f"https://arxiv.org/pdf/{value}"
    if kind == "acl":
        return f"https://aclanthology.org/{value}.pdf"
    return idmod.canonical_url(kind, value)
