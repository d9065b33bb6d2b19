"""Section identity: what a section is called, and what ``--section X`` means.

A numbered heading (``### 1.4 Training-free Methods``) is section ``1.4``, as the list numbers
it. An unnumbered heading is the slug path of the headings it sits under
(``## Awesome Papers`` > ``### Personalized Chat`` is ``awesome-papers/personalized-chat``; a
numbered ancestor stays a number: ``1.1.1/high-quality-generation``). The key is stable while the
headings keep their wording, unique in the list (a repeated path gets ``-2``), and the same
everywhere: the catalog, ``--section``, Zotero tags and BibTeX ``keywords``.

``--section`` accepts the key, the number, the slug path or a unique trailing part of it
(``personalized-chat``), or the heading's text (``"Personalized Chat"``, ``"1.4 Training-free
Methods"``), case-insensitively; a parent (``1``, ``awesome-papers``) means the whole subtree.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

from .errors import InputError

_NUMBER = re.compile(r"^\d+(?:\.\d+)*$")


class UnknownSection(InputError):
    """``--section`` names no section of the list or catalog."""


class AmbiguousSection(InputError):
    """``--section`` fits several sections (a trailing path part or a heading text used twice)."""


def is_number(key: str) -> bool:
    return bool(_NUMBER.match(key))


def slug(text: str) -> str:
    """``"Myers–Briggs Type Indicator (MBTI) Evaluation"`` -> ``myers-briggs-type-indicator-mbti-evaluation``.

    Lower case, accents dropped, every run of other characters one ``-``: no ``/`` or ``.`` is
    left, so a slug path splits unambiguously and never looks like a section number.
    """
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    return re.sub(r"[\W_]+", "-", t).strip("-")


def strip_symbols(text: str) -> str:
    """A heading's text without the emoji and symbols around it ("🔄 1.1 Query Rewriting")."""
    def keep(c: str) -> bool:
        cat = unicodedata.category(c)
        return not (cat.startswith("S") or cat in ("Mn", "Me", "Cf", "Zs", "Co") or c.isspace())

    chars = list(text)
    while chars and not keep(chars[0]):
        chars.pop(0)
    while chars and not keep(chars[-1]):
        chars.pop()
    return "".join(chars)


def matches(section: str, wanted: str) -> bool:
    """Is ``section`` the section ``wanted`` or inside it ("1.4" is in "1", "a/b" is in "a")?"""
    return section == wanted or section.startswith(wanted + ".") or section.startswith(wanted + "/")


def sort_key(section: str) -> tuple:
    """Sort "1.10" after "1.9" and a slug path by its parts; keys without "/" sort as before."""
    return tuple(tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in part.split("."))
                 for part in section.split("/"))


def _norm_text(text: str) -> str:
    return " ".join(strip_symbols(text).lower().split())


def resolve(wanted: str, known: Mapping[str, str] | Iterable[str]) -> list[str]:
    """The section keys ``wanted`` names among ``known`` (keys, or keys -> heading titles).

    Each returned key stands for its whole subtree (use :func:`matches`). Raises UnknownSection
    when ``wanted`` names nothing, AmbiguousSection when it names several sections by a trailing
    part or a heading text that is not unique.
    """
    titles = dict(known) if isinstance(known, Mapping) else {k: "" for k in known}
    keys = set(titles)
    w = wanted.strip()
    bare = w.rstrip(".") if is_number(w.rstrip(".")) else w
    if any(matches(k, bare) for k in keys):
        return [bare]
    low = bare.lower()
    for k in keys:
        if k.lower() == low or k.lower().startswith(low + "/"):
            return [k[:len(low)]]
    path = "/".join(slug(p) for p in bare.split("/") if slug(p))
    if path:
        if any(matches(k, path) for k in keys):
            return [path]
        tails = sorted({k[: len(k) - len(rest)] + path for k in keys
                        for rest in _tails(k, path)})
        if len(tails) == 1:
            return tails
        if len(tails) > 1:
            raise AmbiguousSection(f"section {wanted!r} is ambiguous: it could be {', '.join(tails)} (give more of the path)")
    text = _norm_text(bare)
    by_title = sorted(k for k, t in titles.items() if t and text in (_norm_text(t), _norm_text(f"{k} {t}")))
    if len(by_title) == 1:
        return by_title
    if len(by_title) > 1:
        raise AmbiguousSection(f"section {wanted!r} is ambiguous: headings {', '.join(by_title)} have that text")
    listed = ", ".join(sorted((k for k in keys if k), key=sort_key)) or "none"
    raise UnknownSection(f"no section {wanted!r} (sections: {listed})")


def _tails(key: str, path: str) -> list[str]:
    """The part of ``key`` after a ``/`` where ``path`` starts and covers whole segments."""
    out = []
    parts = key.split("/")
    want = path.split("/")
    for i in range(1, len(parts)):
        if parts[i:i + len(want)] == want:
            out.append("/".join(parts[i:]))
    return out


def resolve_all(wanted: Iterable[str], known: Mapping[str, str] | Iterable[str]) -> list[str]:
    """:func:`resolve` for each of several ``--section`` values, in order, each key once."""
    out: list[str] = []
    for w in wanted:
        for k in resolve(w, known):
            if k not in out:
                out.append(k)
    return out


def parent(section: str, known: Iterable[str]) -> str | None:
    """The nearest enclosing section that exists ("1.4.2" -> "1.4" -> "1", "a/b/c" -> "a/b")."""
    known = set(known)
    cut = section
    while True:
        i = max(cut.rfind("/"), cut.rfind(".") if is_number(cut.rsplit("/", 1)[-1]) else -1)
        if i <= 0:
            return None
        cut = cut[:i]
        if cut in known:
            return cut
