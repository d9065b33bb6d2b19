"""Lint rules over the list alone: markup, links, duplicates, tags against arXiv ids."""

from __future__ import annotations

import re
from array import array
from collections import defaultdict

from ..listfmt import TAGGED, Entry
from ..match import normalize_title
from .registry import rule

#: rules about the tagged template see only entries written in it
TAGGED_ONLY = (TAGGED,)


# --- helpers --------------------------------------------------------------------------------


def _where(e: Entry) -> str:
    return f"line {e.line} (section {e.section or 'top'})"


# --- rules over the list alone ---------------------------------------------------------------


@rule("malformed-entry", "error", fixable=True, dialects=TAGGED_ONLY, doc=(
    "The entry line does not follow the list's template `+ **\\[Year Venue\\]** Title. ([Paper](url), "
    "[Code](url))`: doubled link syntax `[Paper]([link](url))`, an empty item after the last link, "
    "text between links, unbalanced parentheses. Renderers show such lines broken; "
    "`plmcite fix` rewrites the ones it can repair mechanically."))
def _malformed(doc, catalog):
    for e in doc.entries:
        for p in e.problems:
            yield e.line, p


@rule("no-link", "error", doc=(
    "An entry without any link cannot be checked or resolved by identifier, and readers of the "
    "list cannot open the paper. Add a `[Paper](...)` link."))
def _no_link(doc, catalog):
    for e in doc.entries:
        if not e.links:
            yield e.line, f"entry has no link: {e.title[:70]!r}"


@rule("missing-tag", "warning", dialects=TAGGED_ONLY, doc=(
    "Every entry starts with a `**\\[Year Venue\\]**` tag; without it the list cannot be sorted newest "
    "first and readers cannot see where the paper appeared."))
def _missing_tag(doc, catalog):
    for e in doc.entries:
        if e.tag is None:
            yield e.line, f"entry has no `**\\[Year Venue\\]**` tag: {e.title[:70]!r}"


@rule("duplicate-paper", "error", doc=(
    "The same paper listed twice (same arXiv id, DOI, OpenReview or Anthology id, or a "
    "near-identical title), within a section or across sections. A paper that belongs to two "
    "sections should be one entry decided on purpose; accidental copies drift apart (different "
    "tags, links) and become two bibliography entries."))
def _duplicates(doc, catalog):
    first_by_id: dict[tuple[str, str], Entry] = {}
    reported: set[tuple[int, int]] = set()
    for e in doc.entries:
        for k, v in sorted(e.ids.items()):
            key = (k, v.lower())
            other = first_by_id.setdefault(key, e)
            if other is not e and (other.line, e.line) not in reported:
                reported.add((other.line, e.line))
                yield e.line, f"same paper as {_where(other)}: same {k} id {v}"
    # titles: a later listing is reported against the first listing it repeats and, when a title
    # is listed three times or more, against the second one too (what readers need to find them)
    entries = doc.entries
    earlier = title_matches([normalize_title(e.title) for e in entries])
    for _ in range(2):
        for j, found in earlier.items():
            e = entries[j]
            for i in found:
                o = entries[i]
                if (o.line, e.line) in reported:
                    continue
                reported.add((o.line, e.line))
                ids_e, ids_o = e.ids, o.ids
                differ = [k for k in ids_e if k in ids_o and ids_e[k] != ids_o[k]]
                note = (f" (different {differ[0]} ids: {ids_o[differ[0]]} vs {ids_e[differ[0]]}; "
                        "check which one is right)") if differ else ""
                yield e.line, f"same title as {_where(o)}{note}"
                break


#: short words a title may gain, lose or exchange and stay the same title ("A Survey of" / "Survey on")
SMALL_WORDS = frozenset("a an the of on in for to with and via by from at as into towards toward".split())
_MIN_TITLE = 12  # normalised titles shorter than this are too generic to call duplicates
_PARTS = 256  # partitions of the title keys (a power of two), see title_matches


def title_matches(norms: list[str]) -> dict[int, list[int]]:
    """For each title, the earlier titles it repeats, in list order: ``{later: [earlier, ...]}``.

    Two normalised titles are the same when they are equal, equal once spaces are ignored
    (run-together words), or one word apart (see :func:`one_word_apart`). Two titles one word
    apart become the same words when that word is dropped from both (a changed word) or from the
    longer one (an added word), so each title is given keys: its words, its letters without
    spaces, and each of its one-word deletions (hashed); only titles that share a key are
    compared, so the whole list takes linear time, however many titles share a beginning or an
    ending.

    The keys are first dealt into ``_PARTS`` partitions by their low bits (flat arrays, written
    in order) and each partition is then matched with its own small dict: a list of 100,000
    titles has over a million keys, and one dict of them all outgrows the processor's caches,
    which made this step grow 13x from 10,000 to 100,000 titles instead of 10x.
    """
    mask = _PARTS - 1
    part_keys = [array("q") for _ in range(_PARTS)]
    part_titles = [array("l") for _ in range(_PARTS)]
    words_of: list[list[str] | None] = [None] * len(norms)
    for j, t in enumerate(norms):
        if len(t) < _MIN_TITLE:
            continue
        w = words_of[j] = t.split()
        keys = [hash(tuple(w)), hash(("~", t.replace(" ", "")))]
        keys += [hash(tuple(w[:k] + w[k + 1:])) for k in range(len(w))]
        for key in keys:
            part_keys[key & mask].append(key)
            part_titles[key & mask].append(j)
    out: dict[int, set[int]] = {}
    for keys_p, titles_p in zip(part_keys, part_titles):
        index: dict[int, int | list[int]] = {}  # key -> the title (or titles, in list order) under it
        for key, j in zip(keys_p, titles_p):
            seen = index.get(key)
            if seen is None:
                index[key] = j
                continue
            if isinstance(seen, int):
                seen = index[key] = [seen]
            for i in seen:
                if i != j and same_title(norms[i], norms[j], words_of[i], words_of[j]):
                    out.setdefault(j, set()).add(i)
            if seen[-1] != j:
                seen.append(j)
    return {j: sorted(found) for j, found in sorted(out.items())}


def same_title(a: str, b: str, a_words: list[str], b_words: list[str]) -> bool:
    """Normalised titles that name the same paper: equal, equal without spaces, or one word apart."""
    return a == b or a.replace(" ", "") == b.replace(" ", "") or one_word_apart(a_words, b_words)


def one_word_apart(a: list[str], b: list[str]) -> bool:
    """Titles (as words) that differ in one word: a typo in a word of four letters or more (one
    letter added, dropped, changed or two swapped; never a number), or a small word added,
    dropped or exchanged ("a", "of", "on" ...). A changed content word ("Large" / "Small",
    "Image" / "Video") is a different paper, not a duplicate."""
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        if len(diff) != 1:
            return False
        u, v = a[diff[0]], b[diff[0]]
        return (u in SMALL_WORDS and v in SMALL_WORDS) or _typo(u, v)
    if abs(len(a) - len(b)) != 1:
        return False
    long, short = (a, b) if len(a) > len(b) else (b, a)
    p = 0
    while p < len(short) and long[p] == short[p]:
        p += 1
    return long[p + 1:] == short[p:] and long[p] in SMALL_WORDS


def _typo(u: str, v: str) -> bool:
    if min(len(u), len(v)) < 4 or any(c.isdigit() for c in u + v):
        return False
    if len(u) == len(v):
        diff = [k for k in range(len(u)) if u[k] != v[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and u[diff[0]] == v[diff[1]] and u[diff[1]] == v[diff[0]])
    if abs(len(u) - len(v)) != 1:
        return False
    long, short = (u, v) if len(u) > len(v) else (v, u)
    p = 0
    while p < len(short) and long[p] == short[p]:
        p += 1
    return long[p + 1:] == short[p:]


def _arxiv_month(arxiv_id: str) -> str | None:
    m = re.match(r"^(\d{4})\.\d{4,5}$", arxiv_id)
    return m.group(1) if m else None


@rule("tag-arxiv-mismatch", "error", doc=(
    "The tag disagrees with the arXiv id of the entry's paper link: `Arxiv-YYMM` must be the "
    "month the id encodes (2506.00137 is `Arxiv-2506`), the tag year must match an `Arxiv-YYMM` "
    "month, and a paper cannot have appeared in a year before its arXiv submission."))
def _tag_arxiv(doc, catalog):
    for e in doc.entries:
        tag = e.tag
        if tag is None:
            continue
        aid = e.ids.get("arxiv")
        month = _arxiv_month(aid) if aid else None
        if tag.is_arxiv and tag.arxiv_month and month and tag.arxiv_month != month:
            yield e.line, f"tag says Arxiv-{tag.arxiv_month} but the paper link is arXiv {aid} (Arxiv-{month})"
        elif tag.is_arxiv and tag.arxiv_month and tag.year and int(tag.arxiv_month[:2]) != tag.year % 100:
            yield e.line, f"tag year {tag.year} disagrees with Arxiv-{tag.arxiv_month} (year {2000 + int(tag.arxiv_month[:2])})"
        elif month and tag.year and tag.year < 2000 + int(month[:2]):
            yield e.line, f"tag year {tag.year} is before the arXiv submission of {aid} ({2000 + int(month[:2])})"


@rule("code-link-not-code", "error", doc=(
    "A `Code` link that points at a paper (arXiv, Anthology, DOI, OpenReview, proceedings) is a "
    "copy-paste slip: readers looking for the implementation land on the PDF."))
def _code_not_code(doc, catalog):
    for e in doc.entries:
        for l in e.links:
            if l.role == "code" and l.target == "paper":
                yield e.line, f"[{l.label}] points at a paper, not code: {l.url}"


@rule("label-mismatch", "warning", doc=(
    "The link label says one thing and the target is another: a `Paper` link to a code "
    "repository, a `Code` link to a project website (`*.github.io`), a `Website` link to a "
    "paper PDF."))
def _label_mismatch(doc, catalog):
    for e in doc.entries:
        for l in e.links:
            role, target = l.role, l.target
            if role == "paper" and target == "code":
                yield e.line, f"[{l.label}] points at a code repository: {l.url}"
            elif role == "code" and target == "site":
                yield e.line, f"[{l.label}] points at a project website, not a repository: {l.url}"
            elif role == "site" and target == "paper":
                yield e.line, f"[{l.label}] points at a paper: {l.url}"


def _norm_url(url: str) -> str:
    return _SCHEME.sub("", url.strip()).rstrip("/").lower()


_SCHEME = re.compile(r"^https?://(www\.)?")


@rule("duplicate-link", "warning", doc=(
    "Two links of one entry go to the same URL (e.g. `Paper` and `website` both the arXiv PDF): "
    "one of them is a leftover or a slip."))
def _duplicate_link(doc, catalog):
    for e in doc.entries:
        seen: dict[str, str] = {}
        for l in e.links:
            u = _norm_url(l.url)
            if u and u in seen:
                yield e.line, f"[{l.label}] and [{seen[u]}] are the same URL: {l.url}"
            seen.setdefault(u, l.label)


@rule("shared-code-link", "warning", doc=(
    "Two different papers give the same `Code` link: usually one of them was copied from the "
    "neighbouring entry. When the repository is named after one of the papers, the others are "
    "reported."))
def _shared_code(doc, catalog):
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in doc.entries:
        for url in e.code:
            groups[_norm_url(url)].append(e)
    for url, entries in groups.items():
        papers: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            papers[normalize_title(e.title)].append(e)
        if len(papers) < 2:
            continue
        repo = re.sub(r"[^0-9a-z]", "", url.split("/")[2].lower()) if url.count("/") >= 2 else ""
        owners = [t for t in papers if repo and repo in t.replace(" ", "")]
        owner = owners[0] if len(owners) == 1 else next(iter(papers))
        first = papers[owner][0]
        for t, es in papers.items():
            if t == owner:
                continue
            for e in es:
                yield e.line, f"Code link {url} belongs to the paper at {_where(first)}, not to this one"


@rule("stray-line", "warning", fixable=True, doc=(
    "A line that is neither an entry, a heading, prose nor blank: a bullet with nothing after it "
    "(`+` alone) renders as an empty list item. `plmcite fix` removes empty bullets."))
def _stray(doc, catalog):
    for no, l in enumerate(doc.lines, start=1):
        if l.kind == "bullet":
            yield no, "empty list item (a bullet with nothing after it)"


@rule("label-case", "info", fixable=True, dialects=TAGGED_ONLY, doc=(
    "Link labels are written `Paper`, `Code`, `Website`: `[paper]` and `[code]` render "
    "inconsistently next to their neighbours. `plmcite fix` normalises the case."))
def _label_case(doc, catalog):
    from ..listfmt import CANONICAL_LABELS

    for e in doc.entries:
        for l in e.links:
            want = CANONICAL_LABELS.get(l.label.strip().lower())
            if want and l.label != want:
                yield e.line, f"link label [{l.label}] is usually written [{want}]"


@rule("trailing-whitespace", "info", fixable=True, dialects=TAGGED_ONLY, doc=(
    "Trailing spaces or tabs after an entry: invisible, but two trailing spaces are a markdown "
    "hard line break, and they make diffs noisy."))
def _trailing_ws(doc, catalog):
    for e in doc.entries:
        if e.raw != e.raw.rstrip(" \t"):
            yield e.line, "trailing whitespace"
