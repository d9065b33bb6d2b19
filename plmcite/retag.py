"""Tags from resolved metadata: the tag a work should carry, and the tags ``fix --tags`` corrects.

The list's convention: a published paper is tagged with its year and venue (``2025 ACL
Findings``; the label comes from the venue table's ``tags``), a preprint with the year and arXiv
month of its id (``2025 Arxiv-2503``). ``lint`` (stale-arxiv-tag, tag-venue-mismatch), ``fix
--tags`` and ``add`` all ask this module, so they never disagree about what a tag should say.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from .model import Work
from .venues import by_id, tag_matches

if TYPE_CHECKING:
    from .listfmt import Entry


def arxiv_tag(arxiv_id: str) -> str | None:
    """``2503.18854`` -> ``2025 Arxiv-2503`` (new-style ids only)."""
    m = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", arxiv_id)
    return f"20{m.group(1)} Arxiv-{m.group(1)}{m.group(2)}" if m else None


def suggested_tag(work: Work) -> str | None:
    """The tag text the list's convention gives a published work: the year, then the venue
    table's first tag label (or the venue's short name without the year), e.g.
    ``2025 ACL Findings``. None when the work has no venue to name."""
    v = by_id(work.venue) if work.venue else None
    label = v.tags[0] if v is not None and v.tags else None
    if label is None:
        label = " ".join((work.venue_short or "").replace(str(work.year or ""), " ").split()) or None
    if label is None:
        return None
    return f"{work.year} {label}" if work.year else label


def tag_for(work: Work) -> str | None:
    """The tag of a new entry for ``work`` (``plmcite add``): its venue tag, else its arXiv tag."""
    if work.published:
        tag = suggested_tag(work)
        if tag:
            return tag
    return arxiv_tag(work.ids["arxiv"]) if work.ids.get("arxiv") else None


def pairs(doc, catalog) -> Iterator[tuple[Entry, Work]]:
    """(entry, its work) for every entry the catalog resolved: how lint's tag warnings and
    ``fix --tags`` pair them, the same way."""
    index = catalog.by_entry()
    for e in doc.entries:
        w = index.get(e.ref)
        if w is not None:
            yield e, w


def retag_plan(doc, catalog) -> dict[int, tuple[str, str]]:
    """Tags the catalog shows to be wrong, by line: ``{line: (new tag text, reason)}``.

    A published paper gets its venue tag (``2024 Arxiv-2410`` -> ``2025 WWW``; ``2024 EMNLP`` ->
    ``2024 EMNLP Findings``; a wrong year); a preprint whose ``Arxiv-YYMM`` tag contradicts the
    arXiv id of its own paper link gets the id's month. Only the text inside the tag brackets
    changes, so the bracket style the author chose stays.
    """
    out: dict[int, tuple[str, str]] = {}
    for e, w in pairs(doc, catalog):
        tag = e.tag
        if tag is None:
            continue
        new = None
        if w.published and w.year:
            if tag.is_arxiv or tag.year != w.year or not tag_matches(tag.venue or "", w.venue, w.venue_short):
                new = suggested_tag(w)
        elif tag.is_arxiv and e.ids.get("arxiv"):
            new = arxiv_tag(e.ids["arxiv"])
        if new and new != tag.raw:
            why = f"published as {w.venue_short}" if w.published else f"arXiv {e.ids.get('arxiv')}"
            out[e.line] = (new, f"retag {tag.raw!r} -> {new!r} ({why})")
    return out
