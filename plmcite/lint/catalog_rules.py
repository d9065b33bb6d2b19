"""Lint rules that need resolved metadata: they compare each entry with its work in the catalog.

They run without network, from ``refs/catalog.json`` (with the overrides laid over it), and are
skipped when there is no catalog. An entry finds its work through the catalog's entry references
(section + title as written in the list), so an entry edited since the last ``plmcite resolve``
is simply not checked until the next one.
"""

from __future__ import annotations


from ..match import normalize_title
from ..model import Work
from ..retag import pairs, suggested_tag
from ..venues import tag_matches
from .registry import rule

#: identifier kinds a link can carry that the catalog records too
_CHECKED_IDS = ("arxiv", "doi", "acl", "openreview")
_ID_NAMES = {"arxiv": "arXiv", "doi": "DOI", "acl": "ACL Anthology", "openreview": "OpenReview"}


def _suggested_tag(work: Work) -> str:
    return f"[{suggested_tag(work) or '?'}]"


@rule("stale-arxiv-tag", "warning", needs_catalog=True, doc=(
    "The entry is tagged `Arxiv`, but the paper has been published (the resolver found the "
    "peer-reviewed version). A survey should cite and tag the published version; the arXiv id "
    "stays attached to the work in the catalog."))
def _stale_arxiv(doc, catalog):
    for e, w in pairs(doc, catalog):
        if e.tag is not None and e.tag.is_arxiv and w.published:
            yield e.line, f"tagged {e.tag.raw!r} but published as {w.venue_short}; tag it {_suggested_tag(w)}"


@rule("tag-venue-mismatch", "warning", needs_catalog=True, doc=(
    "The tag names a venue the paper did not appear at: Findings tagged as the main conference, "
    "a workshop paper tagged as the conference, a venue tag on a paper that only exists as a "
    "preprint. Which tags name which venue comes from the venue table (`plmcite/data/venues.toml`)."))
def _tag_venue(doc, catalog):
    for e, w in pairs(doc, catalog):
        tag = e.tag
        if tag is None or not tag.venue or tag.is_arxiv:
            continue
        if w.published:
            if not tag_matches(tag.venue, w.venue, w.venue_short):
                yield e.line, f"tag says {tag.venue!r} but the paper appeared at {w.venue_short}; tag it {_suggested_tag(w)}"
        else:
            yield e.line, (f"tag says {tag.venue!r} but no published version was found: the catalog has the arXiv "
                           f"preprint {w.ids.get('arxiv', '')}".rstrip() + " (pin the venue in refs/overrides.toml if it was published)")


@rule("tag-year-mismatch", "warning", needs_catalog=True, doc=(
    "The tag's year is not the paper's year: the publication year for a published paper, the "
    "year of the first arXiv version for a preprint. Tables sorted by year then misplace the "
    "paper. (An `Arxiv-YYMM` tag that contradicts the link's arXiv id is `tag-arxiv-mismatch`.)"))
def _tag_year(doc, catalog):
    for e, w in pairs(doc, catalog):
        tag = e.tag
        if tag is None or tag.year is None or w.year is None:
            continue
        if tag.is_arxiv:
            if w.published or e.ids.get("arxiv"):
                continue  # stale-arxiv-tag / tag-arxiv-mismatch say it better
            if tag.year != w.year:
                yield e.line, f"tag says {tag.year} but the arXiv preprint is from {w.year}"
        elif w.published and tag.year != w.year:
            yield e.line, f"tag says {tag.year} but the paper appeared in {w.year} ({w.venue_short})"


@rule("title-differs", "info", needs_catalog=True, doc=(
    "The entry's title differs from the paper's official title (the published one when there is "
    "one) beyond case and punctuation: an older arXiv title, a typo, run-together words. "
    "Readers search for the official title."))
def _title_differs(doc, catalog):
    for e, w in pairs(doc, catalog):
        if w.title and normalize_title(e.title) != normalize_title(w.title):
            yield e.line, f"official title: {w.title!r}"


@rule("link-other-paper", "warning", needs_catalog=True, doc=(
    "A link's identifier is not one of the paper's identifiers: it points at another paper, at "
    "nothing (the service does not know it), or at a version the catalog does not recognise. The "
    "resolver then matched the entry by its title; fix the link."))
def _link_other(doc, catalog):
    for e, w in pairs(doc, catalog):
        for kind in _CHECKED_IDS:
            value = e.ids.get(kind)
            if not value:
                continue
            mine = w.ids.get(kind)
            if mine is not None and mine.lower() == value.lower():
                continue
            name = _ID_NAMES[kind]
            if mine:
                yield e.line, f"links {name} {value}, but this paper is {name} {mine}"
            else:
                yield e.line, f"links {name} {value}, which is not an identifier of this paper ({w.key}: {w.title!r})"


@rule("title-near-miss", "error", needs_catalog=True, doc=(
    "No paper has the entry's title, but one has a title that differs in a word or two: "
    "\"Personalized Video Generation\" where the paper says \"Image\". The resolver never takes "
    "such a near miss as the paper (a wrong citation is worse than none), so the entry stays "
    "unresolved. If the suggestion is the paper, correct the title or add its link; if it is "
    "another paper, add the right link. `plmcite fix` never applies it."))
def _title_near_miss(doc, catalog):
    near = {u.ref: u.nearest for u in catalog.unresolved if u.nearest}
    for e in doc.entries:
        n = near.get(e.ref)
        if n is None:
            continue
        ids = ", ".join(f"{k}:{v}" for k, v in sorted((n.get("ids") or {}).items()))
        differs = f" (differs: {n['differs']})" if n.get("differs") else ""
        yield e.line, (f"no paper is titled like this; did you mean {n['title']!r}"
                       + (f" [{ids}]" if ids else "") + f"?{differs} Correct the title or add the paper's link")
