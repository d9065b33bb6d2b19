"""Decoding the LaTeX that ``plmcite.latex`` writes back to plain text: its exact inverse.

Tests use it to prove that every title and name survives escaping (``decode(escape(s)) == s``);
the character tables are the ones ``latex`` encodes with (``data/bibtex.toml``).
"""

from __future__ import annotations

import re
import unicodedata

from .errors import PlmciteError
from .latex import tables


class DecodeError(PlmciteError, ValueError):
    pass


def decode(latex: str) -> str:
    """The plain text a LaTeX string written by this module stands for (its exact inverse)."""
    text, end = _decode(latex, 0, False)
    if end != len(latex):
        raise DecodeError(f"unbalanced '}}' at {end} in {latex!r}")
    return unicodedata.normalize("NFC", text)


_CONTROL_SYMBOLS = {"$": "$", "%": "%", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", " ": " "}
_MATH = {}  # "\\pi" -> "π", filled lazily


def _math_table() -> dict[str, str]:
    if not _MATH:
        for ch, form in tables().chars.items():
            m = re.fullmatch(r"\{\$(\\[A-Za-z]+)\$\}", form)
            if m:
                _MATH[m.group(1)] = ch
    return _MATH


def _group_end(s: str, i: int) -> int:
    """Index just past the '}' matching the '{' at ``s[i]``."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise DecodeError(f"unbalanced '{{' at {i} in {s!r}")


def _accent_arg(s: str, i: int) -> tuple[str, int]:
    """The argument of an accent at ``s[i:]``: a letter, \\i, \\j, or a group."""
    while i < len(s) and s[i] == " ":
        i += 1
    if s.startswith("\\i", i) and not s[i + 2:i + 3].isalpha():
        return "i", i + 2
    if s.startswith("\\j", i) and not s[i + 2:i + 3].isalpha():
        return "j", i + 2
    if i < len(s) and s[i] == "{":
        end = _group_end(s, i)
        inner = s[i + 1:end - 1]
        if inner in ("\\i", "\\j"):
            return inner[1], end
        return _decode(inner, 0, True)[0], end
    if i < len(s):
        return s[i], i + 1
    return "", i


def _decode_accent(s: str, i: int, accent: str) -> tuple[str, int]:
    """``\\'{e}`` -> "é"; a spacing accent with an empty argument (``\\c{}``) -> "¸"."""
    t = tables()
    arg, i = _accent_arg(s, i)
    if arg:
        return arg + t.reverse_accents[accent], i
    form = "{\\" + accent + "{}}"
    ch = next((k for k, v in t.chars.items() if v == form), None)
    if ch is None:
        raise DecodeError(f"unknown spacing accent \\{accent}{{}}")
    return ch, i


def _decode(s: str, i: int, in_accent: bool) -> tuple[str, int]:
    t = tables()
    out: list[str] = []
    n = len(s)
    while i < n:
        c = s[i]
        if c == "}":
            return "".join(out), i
        if c == "{":
            end = _group_end(s, i)
            inner = s[i + 1:end - 1]
            if inner.startswith("$") and inner.endswith("$") and len(inner) > 2:
                math = _math_table().get(inner[1:-1])
                if math is None:
                    raise DecodeError(f"unknown math {inner!r}")
                out.append(math)
            else:
                out.append(_decode(inner, 0, in_accent)[0])
            i = end
        elif c == "\\":
            if i + 1 >= n:
                raise DecodeError(f"lone backslash at the end of {s!r}")
            nxt = s[i + 1]
            if nxt.isalpha():
                m = re.compile(r"[A-Za-z]+").match(s, i + 1)
                word = m.group(0)
                i = m.end()
                if word in t.reverse_accents:
                    ch, i = _decode_accent(s, i, word)
                    out.append(ch)
                elif word == "relax":  # {\relax Ǆ}: a name's first letter BibTeX may not cut in two
                    if i < n and s[i] == " ":
                        i += 1
                elif word in ("i", "j") and in_accent:
                    out.append(word)
                elif word in t.reverse_words:
                    out.append(t.reverse_words[word])
                else:
                    raise DecodeError(f"unknown command \\{word} in {s!r}")
            elif nxt in t.reverse_accents:
                ch, i = _decode_accent(s, i + 2, nxt)
                out.append(ch)
            elif nxt in _CONTROL_SYMBOLS:
                out.append(_CONTROL_SYMBOLS[nxt])
                i += 2
            else:
                raise DecodeError(f"unknown control symbol \\{nxt} in {s!r}")
        elif c == "-":
            if s.startswith("---", i):
                out.append("—")
                i += 3
            elif s.startswith("--", i):
                out.append("–")
                i += 2
            else:
                out.append("-")
                i += 1
        elif c == "`":
            if s.startswith("``", i):
                out.append("“")
                i += 2
            else:
                out.append("‘")
                i += 1
        elif c == "'" and s.startswith("''", i):
            out.append("”")
            i += 2
        elif c == "~":
            out.append("\u00a0")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out), i
