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
from .listfmt import CANONICAL_LABELS, TABLE, TAGGED, Entry, ListDoc, parse_entry, parse_tag, with_tag_text


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
        if e.dialect != TAGGED:
            continue  # the repairs are of the tagged template; other dialects are left as written
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


def resolve_section(doc: ListDoc, wanted: str) -> str:
    """The key of the section ``--section`` names in this list: number, slug path or heading text."""
    from .sections import resolve

    known = doc.section_titles()
    keys = resolve(wanted, known)
    key = keys[0]
    if doc.section(key) is None:  # a parent path no heading of its own has
        raise AddError(f"{doc.path}: {wanted!r} is not one section but several: name one of "
                       + ", ".join(s.key for s in doc.sections if s.key.startswith(key + "/")))
    return key


def add_entry(doc: ListDoc, section: str, ids: dict[str, str], title: str, tag: str | None,
              code: str | None = None, *, given_title: bool = True) -> tuple[str, int, list[str]]:
    """The list with a new entry in ``section`` (a key), written like the section's neighbours.

    Returns the new text, the 1-based line of the new entry and its lines. Title, tag and URLs
    are checked and escaped (``listfmt.write``); the new text is parsed again and must hold the
    entry it should, in that section, with every other entry unchanged, or nothing is written.
    """
    from .listfmt import parse
    from .listfmt.write import NewEntry, dialect_for, neighbours, render_like, safe_tag, safe_title, safe_url

    sec = doc.section(section)
    if sec is None:
        raise AddError(f"{doc.path}: no section {section!r}")
    safe_title(title, given=given_title)  # a title typed over several lines is refused, not folded
    paper_url = _paper_url(ids)
    new = NewEntry(title=title.strip().rstrip("."), tag=safe_tag(tag) if tag else None,
                   paper_url=safe_url(paper_url, "paper link") if paper_url else None,
                   code_url=safe_url(code, "code link") if code else None, given_title=given_title)
    mine = neighbours(doc, section)
    dialect = dialect_for(doc, mine)
    template = next((e for e in mine if e.dialect == dialect), None) or \
        next((e for e in doc.entries if e.dialect == dialect), None)
    if dialect == TABLE and not any(e.dialect == TABLE for e in mine):
        raise AddError(f"{doc.path}: section {section!r} has no table to add a row to: add its first row by hand")
    new_lines = render_like(template, doc, new)
    text, at = _insert(doc, sec, mine, new_lines, _sort_key(new.tag), dialect)
    _check_added(doc, parse(text, doc.path), at, section, new)
    return text, at, new_lines


def _check_added(old: ListDoc, doc: ListDoc, at: int, section: str, new) -> None:
    """The written entry must read back as itself; nothing else may change."""
    added = [e for e in doc.entries if e.line == at]
    ok = len(doc.entries) == len(old.entries) + 1 and len(added) == 1
    if ok:
        e = added[0]
        urls = {l.url for l in e.links}
        ok = (e.section == section and normalize_title(e.title) == normalize_title(new.title)
              and (new.paper_url is None or new.paper_url in urls) and (new.code_url is None or new.code_url in urls))
        rest = [(x.section, x.title, [l.url for l in x.links]) for x in doc.entries if x is not e]
        ok = ok and rest == [(x.section, x.title, [l.url for l in x.links]) for x in old.entries]
    if not ok:
        raise AddError(f"{old.path}: the new entry would not read back as written (section {section}); "
                       "nothing was changed: add it by hand, or report this line: " + repr(new))


def _insert(doc: ListDoc, sec, entries: list[Entry], new_lines: list[str], key: tuple[int, int],
            dialect: str) -> tuple[str, int]:
    """Insert ``new_lines`` among the section's entries, newest first where the section is.

    The tagged template goes before the first entry that is strictly older (by tag year, then
    arXiv month), so it heads its own year group, else after the last entry, one blank line
    between entries. Other dialects do the same when the section is sorted newest first, else
    they go after its last entry; table rows are never separated by blank lines.
    """
    eol = next((l.eol for l in doc.lines if l.eol), "\n")
    lines = [l.text + l.eol for l in doc.lines]
    block = [x + eol for x in new_lines]
    if dialect == TAGGED:
        target = next((e for e in entries if _sort_key(e.tag.raw if e.tag else None) < key), None)
    else:
        years = [e.tag.year for e in entries if e.tag is not None and e.tag.year]
        newest_first = len(years) >= 2 and all(a >= b for a, b in zip(years, years[1:]))
        target = None
        if newest_first and key[0]:
            target = next((e for e in entries if e.tag is not None and e.tag.year and e.tag.year < key[0]), None)
    spaced = dialect == TAGGED or (dialect != TABLE and any(
        doc.lines[e.last_line].kind == "blank" for e in entries[:-1] if e.last_line < len(doc.lines)))
    if target is not None:
        at = target.line - 1
        lines[at:at] = block + ([eol] if spaced else [])
        return "".join(lines), at + 1
    if entries:
        last = entries[-1].last_line  # after the last entry of the section
        if not lines[last - 1].endswith(("\n", "\r")):
            lines[last - 1] += eol
        lines[last:last] = ([eol] if spaced else []) + block
        return "".join(lines), last + 1 + (1 if spaced else 0)
    at = sec.line  # an empty section: right after its heading
    lines[at:at] = [eol] + block
    return "".join(lines), at + 2


def _paper_url(ids: dict[str, str]) -> str | None:
    for kind in ("arxiv", "acl", "openreview", "doi", "pmlr", "aaai"):
        if kind in ids:
            return _paper_link(kind, ids[kind])
    return None


def _paper_link(kind: str, value: str) -> str:
    # the list links PDFs for arXiv and the Anthology, forum pages for OpenReview
    if kind == "arxiv":
        return f"https://arxiv.org/pdf/{value}"
    if kind == "acl":
        return f"https://aclanthology.org/{value}.pdf"
    return idmod.canonical_url(kind, value)
