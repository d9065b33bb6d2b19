"""Author names as BibTeX and biblatex write them: escaping, initials, the extended format.

A name must survive three readers: BibTeX (which splits at "and" and commas, makes initials and
sort keys by counting bytes), natbib (which reads ``\\bibitem[Name(year)]`` labels by their
first parenthesis) and biber (which writes each word's first character to the .bbl unescaped).
Each rule here is there for one of them; docs/bibtex.md ("Names") explains them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from . import latex
from .model import Person

# --- field values ---------------------------------------------------------------------------------


def _brace_if_needed(part: str) -> str:
    """Brace a name part that BibTeX would otherwise split ("and", a comma), read as "others", or
    read as nothing at all (only hyphens, ties and spaces, which BibTeX takes for separators
    between the words of a name: "Doe, -" is "a comma at the end")."""
    low = part.lower()
    if "," in part or low == "others" or ("and" in low and re.search(r"(?:^|\s)and(?:\s|$)", low)) \
            or not _SEPARATORS.sub("", part):
        return "{" + part + "}"
    return part


_LABEL_CHARS = re.compile(r"[\[\]()]")
_SEPARATORS = re.compile(r"[\s~\-]+")


def _brackets(text: str) -> str:
    """Brace ``[ ] ( )`` in a name: natbib reads a \\bibitem label "Name(year)" by its first
    parenthesis and a bracket would end the optional argument."""
    return _LABEL_CHARS.sub(lambda m: "{" + m.group(0) + "}", text) if _LABEL_CHARS.search(text) else text


def _name_part(text: str, ascii: bool, missing: list[str] | None, fragile: list[str] | None) -> str:
    """A name part as LaTeX, each word's first letter in its ASCII LaTeX form.

    BibTeX counts bytes: a style that abbreviates given names (abbrvnat, IEEEtran) or builds
    labels from family names (alpha) takes a word's first letter (skipping digits and
    punctuation; a byte above 127 counts as a letter) and would cut "Łukasz" inside its first
    UTF-8 character, printing U+FFFD. ``{\\L}ukasz`` is one "special character" to BibTeX, so
    ``{\\L}.`` comes out; a letter with no ASCII form is wrapped the same way, ``{\\relax Ǆ}``.
    Everything before a word's first ASCII letter or brace group is written that way.
    """
    if text.isascii() or ascii:
        return latex.escape(text, ascii=ascii, missing=missing, fragile=fragile)
    out = []
    for tok in re.findall(r"\s+|-|[^\s\-]+", latex.normalize(text)):
        if tok[0].isspace() or tok == "-":
            out.append(tok)
            continue
        i = 0
        while i < len(tok):
            n = i + 1
            while n < len(tok) and unicodedata.combining(tok[n]):
                n += 1
            cluster = tok[i:n]
            piece = latex.escape(cluster, ascii=not cluster.isascii(), missing=missing, fragile=fragile)
            if not piece.isascii():
                piece = "{\\relax " + piece + "}"  # no ASCII form (Ǆ, U+2012)
            out.append(piece)
            i = n
            if piece[:1] == "{" or piece[:1].isalpha():
                break  # BibTeX's initial is settled: the rest of the word as usual
        if i < len(tok):
            out.append(latex.escape(tok[i:], missing=missing, fragile=fragile))
    return latex.join_pieces(out)


def person(p: Person, ascii: bool = False, missing: list[str] | None = None,
           fragile: list[str] | None = None, bibtex_initials: bool = True) -> str:
    """``Family, Given``; a single name or an organisation is braced whole: ``{OpenAI}``.

    ``bibtex_initials``: first letters of words in their ASCII form (see :func:`_name_part`);
    biber reads UTF-8 initials fine.
    """
    part = _name_part if bibtex_initials else (
        lambda t, a, m, f: latex.escape(t, ascii=a, missing=m, fragile=f))
    # brackets and parentheses braced: natbib styles put names in \bibitem's [...] label
    family = _brackets(part(p.family, ascii, missing, fragile))
    given = _brackets(part(p.given, ascii, missing, fragile))
    if not given or p.literal:
        return "{" + family + (" " + given if given else "") + "}" if family else ""
    if not family:
        return "{" + given + "}"
    return f"{_brace_if_needed(family)}, {_brace_if_needed(given)}"


def _initial(text: str) -> str:
    """The initial biber should print for a name part: its first letter or digit (or nothing)."""
    for ch in latex.normalize(text):
        if ch.isalnum():
            return latex.escape(ch)
    return ""


def person_extended(p: Person, ascii: bool = False, missing: list[str] | None = None,
                    fragile: list[str] | None = None) -> str:
    """biblatex's extended name format, with the initials given (``family-i``, ``given-i``).

    For a name with a word that starts with a symbol ("{Brace", "\\input{x}"): biber makes an
    initial of a word's first character and writes it to the .bbl unescaped, which breaks
    pdflatex; an explicit initial is written as given. biber splits this format at every "," and
    "=" (braces or not), and loops forever on a '"' in it (biber 2.18), so those are written
    ``\\symbol{44}``, ``\\symbol{61}``, ``\\symbol{34}`` (T1 has them at those slots).
    """
    def value(text: str) -> str:
        v = _brackets(latex.escape(text, ascii=ascii, missing=missing, fragile=fragile))
        return v.replace(",", "\\symbol{44}").replace("=", "\\symbol{61}").replace('"', "\\symbol{34}")

    parts = [f"family={{{value(p.family)}}}", f"family-i={{{_initial(p.family)}}}"]
    if p.given and not p.literal:
        parts += [f"given={{{value(p.given)}}}", f"given-i={{{_initial(p.given)}}}"]
    return ", ".join(parts)


#: an ASCII name part that is its own BibTeX: letters, digits, . ' - and single inner spaces
_NAME_PLAIN = re.compile(r"[A-Za-z0-9.'\-]+(?: [A-Za-z0-9.'\-]+)*")


def _plain_part(part: str) -> bool:
    return (_NAME_PLAIN.fullmatch(part) is not None and "--" not in part and "''" not in part
            and _SEPARATORS.sub("", part) != ""
            and "nd" not in part and "thers" not in part)


def names(people: Iterable[Person], ascii: bool = False, missing: list[str] | None = None,
          fragile: list[str] | None = None, biblatex: bool = False) -> str:
    """The author field. For BibTeX, initials are made the way BibTeX makes them; for biblatex, a
    name with a word biber cannot make an initial of is written in the extended name format."""
    out = []
    for p in people:
        family, given = p.family, p.given
        if given and _plain_part(family) and _plain_part(given):
            out.append(f"{family}, {given}")  # the common case, without escaping anything
            continue
        n = person(p, ascii, missing, fragile, bibtex_initials=not biblatex)
        if biblatex and ODD_CANDIDATE.search(n) and odd_initials(n):
            n = person_extended(p, ascii, missing, fragile)
        if n:
            out.append(n)
    return " and ".join(out)


_NAME_WORD = re.compile(r"[^\s~\-]+")
_SAFE_INITIAL = re.compile(r"[^\W_]|\{\\(?:[`'^\"~=.]|[uvHcdbrk]\{|(?:L|l|O|o|AE|ae|OE|oe|ss|SS|i|j|IJ|ij|DH|dh|DJ|dj|TH|th|NG|ng)\})")


#: a name word starting with anything but an ASCII letter or digit: worth a closer look
ODD_CANDIDATE = re.compile(r"(?:^|[\s~\-])[^A-Za-z0-9\s~\-]")


def odd_initials(name_latex: str) -> list[str]:
    """Words of a rendered name that biber cannot make an initial of ("\\#hash", "{\\textmu}x").

    biber takes the first character of every name word (and of every part after a hyphen, in
    the LaTeX source: an en dash "--" counts) and writes it to the .bbl unescaped: a brace,
    %, # or $ there breaks biblatex. BibTeX styles have no such problem.
    """
    return [w for w in _NAME_WORD.findall(name_latex) if not _SAFE_INITIAL.match(w)]
