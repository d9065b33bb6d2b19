"""Plain Unicode text <-> LaTeX, for BibTeX fields and LaTeX snippets: pure functions.

The catalog holds plain text ("Ramé", "100% of LLMs", "π-Tuning"). Everything that ends up in a
.bib file or a LaTeX document goes through :func:`escape` (or :func:`protect_title` for titles),
which writes text that pdflatex with ``\\usepackage[T1]{fontenc}``, BibTeX and biber all read
back as the same text:

- LaTeX's special characters are escaped (``\\%``, ``\\&``, ``{\\textbackslash}``...), braces
  included, so every field has balanced braces whatever the text;
- character pairs TeX would turn into ligatures (``--``, ``''``, ``,,``) are split with ``{}``;
- non-ASCII characters pdflatex reads as UTF-8 stay UTF-8 (the "native" set in
  ``data/bibtex.toml``); other ones get their LaTeX form (Greek letters and mathematical symbols
  in math mode), and ``ascii=True`` writes every non-ASCII character as LaTeX (``{\\'e}``);
- a character with no LaTeX form at all (CJK, emoji) is kept and reported in ``missing``: it
  needs xelatex/lualatex or a ``\\DeclareUnicodeCharacter``.

:func:`plmcite.texdecode.decode` is the exact inverse of what this module writes; tests use it
(with bibtexparser and pybtex) to check that any text survives the trip.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "bibtex.toml"

#: ASCII characters LaTeX treats specially, and how they are written
SPECIAL = {
    "\\": "{\\textbackslash}",
    "{": "{\\textbraceleft}",
    "}": "{\\textbraceright}",
    "$": "\\$",
    "%": "\\%",
    "&": "\\&",
    "#": "\\#",
    "_": "\\_",
    "^": "{\\textasciicircum}",
    "~": "{\\textasciitilde}",
    "`": "{\\textasciigrave}",
    "<": "{\\textless}",
    ">": "{\\textgreater}",
    "|": "{\\textbar}",
}

#: (last char, next char) pairs that TeX fonts turn into ligatures ("--" en dash, ",," low quotes,
#: "!`" inverted exclamation mark...): a ``{}`` goes between them
LIGATURE_PAIRS = frozenset({("-", "-"), ("'", "'"), ("`", "`"), (",", ","), ("!", "`"), ("?", "`")})

_PLAIN = re.compile(r"[A-Za-z0-9 .,:;!?()\[\]/+=*@'\"-]*")
_WORD = re.compile(r"([^\W_]+)")


@dataclass(frozen=True)
class Tables:
    native: frozenset[str]  # non-ASCII characters pdflatex (T1) reads as UTF-8
    chars: dict[str, str]  # character -> LaTeX form
    accents: dict[str, str]  # combining mark -> accent command name
    protect_words: frozenset[str]
    reverse_accents: dict[str, str]  # accent command name -> combining mark
    reverse_words: dict[str, str]  # control word of a "{\\word}" form -> character


@lru_cache(maxsize=1)
def data() -> dict:
    """The parsed ``data/bibtex.toml`` (shared with plmcite.bibtex)."""
    with open(DATA_FILE, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def tables() -> Tables:
    d = data()
    lat = d["latex"]
    native = set()
    for r in lat["native"]:
        lo, _, hi = r.partition("-")
        native.update(chr(c) for c in range(int(lo, 16), int(hi or lo, 16) + 1))
    chars = dict(lat["chars"])
    accents = dict(lat["accents"])
    reverse_words = {}
    for ch, form in chars.items():
        m = re.fullmatch(r"\{\\([A-Za-z]+)\}", form)
        if m:
            reverse_words[m.group(1)] = ch
    for ch, form in SPECIAL.items():
        m = re.fullmatch(r"\{\\([A-Za-z]+)\}", form)
        if m:
            reverse_words[m.group(1)] = ch
    return Tables(
        native=frozenset(native),
        chars=chars,
        accents=accents,
        protect_words=frozenset(d["protect"]["words"]),
        reverse_accents={v: k for k, v in accents.items()},
        reverse_words=reverse_words,
    )


# --- text normalisation ------------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFC, control and format characters dropped, whitespace runs made one space, ends stripped.

    This is the text a rendered field stands for: BibTeX collapses whitespace anyway, and an
    invisible character (zero-width joiner, soft hyphen, BOM) has no business in a title.
    """
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        return text
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
            kept.append(ch)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


# --- encoding -----------------------------------------------------------------------------------


def _accented(cluster: str, t: Tables) -> str | None:
    """``{\\'e}``, ``{\\v{c}}`` for an ASCII letter plus accents, or None when not expressible."""
    d = unicodedata.normalize("NFD", cluster)
    base, marks = d[0], d[1:]
    if not (base.isascii() and base.isalpha()) or not marks:
        return None
    cmds = [t.accents.get(m) for m in marks]
    if None in cmds:
        return None
    # {\'i}, not {\'\i}: T1 has the accented i, and biber decodes \'\i into a dotless i plus
    # a combining accent that pdflatex cannot read
    inner = base
    for cmd in cmds:
        if cmd.isalpha():
            inner = f"\\{cmd}{{{inner}}}"
        elif len(inner) == 1 or inner in ("\\i", "\\j"):
            inner = f"\\{cmd}{inner}"
        else:
            inner = f"\\{cmd}{{{inner}}}"
    return "{" + inner + "}"


def _clusters(text: str):
    """Split into base characters with their combining marks."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield text[start:i]
            start = i


def _pieces(text: str, ascii: bool, missing: list[str] | None,
            fragile: list[str] | None = None) -> list[str]:
    """``text`` (already normalised) as a list of LaTeX pieces, one per character or cluster."""
    t = tables()
    out = []
    for cl in _clusters(text) if not text.isascii() else text:
        if len(cl) == 1:
            if cl < "\x80":
                out.append(SPECIAL.get(cl, cl))
                continue
            if not ascii and cl in t.native:
                out.append(cl)
                continue
            form = t.chars.get(cl)
            if form is not None:
                out.append(form)
                continue
        # a Latin letter with accents
        composed = unicodedata.normalize("NFC", cl)
        native = len(composed) == 1 and composed in t.native
        if native and not ascii:
            out.append(composed)
            continue
        form = _accented(composed, t)
        if form is not None:
            out.append(form)
            if not native and fragile is not None:
                # BibTeX copies {\~{\^e}} as it is, but biber turns it back into UTF-8 that
                # pdflatex cannot read: fine with bibtex, needs safeinputenc with biber
                fragile.append(composed)
            continue
        # kept as it is; an ASCII base (a "~" carrying a combining mark) is still escaped
        out.append(SPECIAL.get(cl[0], cl[0]) + cl[1:] if cl[0] < "\x80" else cl)
        if missing is not None and not native:  # a native character stays readable as UTF-8
            missing.append(cl)
    return out


def join_pieces(pieces: list[str]) -> str:
    """Concatenate LaTeX pieces, with ``{}`` wherever two would meet in a ligature (``-{}-``)."""
    out: list[str] = []
    prev = ""
    for p in pieces:
        if not p:
            continue
        if prev and (prev[-1], p[0]) in LIGATURE_PAIRS:
            out.append("{}")
        out.append(p)
        prev = p
    return "".join(out)


def _plain(text: str) -> bool:
    """Text that is its own LaTeX: safe ASCII, no ligature pairs (normalised or not)."""
    return (_PLAIN.fullmatch(text) is not None and "--" not in text and "''" not in text
            and ",," not in text)


def is_plain(text: str) -> bool:
    """Whether ``text`` is already its own normalised LaTeX (plain ASCII, nothing to escape)."""
    return _plain(text) and "  " not in text and text[:1] != " " and text[-1:] != " "


def escape(text: str, *, ascii: bool = False, missing: list[str] | None = None,
           fragile: list[str] | None = None) -> str:
    """Plain text -> LaTeX that typesets as that text (no case protection).

    Characters without any LaTeX form are kept as they are and appended to ``missing``; accented
    letters pdflatex only reads as accent macros (ễ -> ``{\\~{\\^e}}``) go to ``fragile``.
    """
    if _plain(text) and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # the common case, decided without normalising
    text = normalize(text)
    if _plain(text):
        return text
    return join_pieces(_pieces(text, ascii, missing, fragile))


def _protected(word: str, t: Tables) -> tuple[int, int] | None:
    """The span of ``word`` to brace so that no style lower-cases it, or None.

    A capital after the first letter (LLM, DreamBench, iPhone, 3D) or a single capital other
    than "A" marks a word whose case matters; so do the proper nouns of the data file. A plural
    acronym keeps its "s" outside the braces: ``{LLM}s``.
    """
    if len(word) == 1:
        return (0, 1) if word.isupper() and word != "A" else None
    if word in t.protect_words:
        return (0, len(word))
    rest = word[1:]
    if rest == rest.lower():  # no capital (nor title-case letter) after the first letter
        return None
    if len(word) > 2 and word[-1] == "s" and word[:-1].isalpha() and word[:-1].isupper():
        return (0, len(word) - 1)
    return (0, len(word))


def title_segments(text: str) -> list[tuple[str, bool]]:
    """A (normalised) title as (text, protected) runs: the parts a style must not lower-case."""
    text = normalize(text)
    t = tables()
    segs: list[tuple[str, bool]] = []
    plain: list[str] = []  # unprotected text since the last protected run
    pw = t.protect_words
    for i, token in enumerate(_WORD.split(text)):
        if not i % 2:
            plain.append(token)
            continue
        # inline pre-check of _protected: most words keep no capital
        if token not in pw and (token[1:] == token[1:].lower() if len(token) > 1 else
                                (token == "A" or not token.isupper())):
            plain.append(token)
            continue
        span = _protected(token, t)
        if span is None:
            plain.append(token)
            continue
        a, b = span
        plain.append(token[:a])
        if any(plain):
            segs.append(("".join(plain), False))
        segs.append((token[a:b], True))
        plain = [token[b:]]
    if any(plain):
        segs.append(("".join(plain), False))
    return segs


def protect_title(text: str, *, ascii: bool = False, missing: list[str] | None = None,
                  fragile: list[str] | None = None) -> str:
    """A title as LaTeX, with the capitals a sentence-casing style must keep in braces."""
    pieces: list[str] = []
    for part, protected in title_segments(text):
        if protected:
            pieces.append("{")
        pieces.extend(_pieces(part, ascii, missing, fragile) if not _plain(part) else [part])
        if protected:
            pieces.append("}")
    return join_pieces(pieces)


def portable(text: str, *, ascii: bool = False) -> bool:
    """Whether (normalised) text has a form pdflatex reads through both BibTeX and biber."""
    missing: list[str] = []
    _pieces(text, ascii, missing, missing)
    return not missing


# --- URLs and LaTeX snippets --------------------------------------------------------------------

_URL_OK = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def clean_url(url: str | None) -> str | None:
    """An http(s) URL safe for ``\\url{}`` and verbatim fields, or None when it is not one.

    Characters outside RFC 3986 (spaces, braces, backslashes, non-ASCII) are percent-encoded,
    so no URL can unbalance a field's braces; existing %XX escapes are kept.
    """
    if not url:
        return None
    url = url.strip()
    if not re.match(r"(?i)https?://\S", url):
        return None
    if _URL_OK.fullmatch(url) and not _BAD_PCT.search(url):
        return url
    out = []
    for i, ch in enumerate(url):
        if ch == "%" and re.match(r"%[0-9A-Fa-f]{2}", url[i:i + 3]):
            out.append(ch)
        elif ch.isascii() and ch != "%" and _URL_OK.fullmatch(ch):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def venue_label(work) -> str:
    """What a table shows as a work's venue: "ICLR 2025", "arXiv" for a preprint."""
    if work.venue_short:
        return work.venue_short
    if work.kind == "preprint":
        return "arXiv" if work.ids.get("arxiv") else "Preprint"
    return work.container or ""


def venue_without_year(work) -> str:
    """The venue column of a table that has a year column: "ICLR 2025" -> "ICLR" (the year once)."""
    label = venue_label(work)
    if work.year:
        shorter = " ".join(re.sub(rf"(?<![\w-]){work.year}(?![\w-])", " ", label, count=1).split())
        if shorter:
            return shorter
    return label


#: the preamble a ``plmcite table`` needs (also printed as the table's first line)
TABLE_PACKAGES = "\\usepackage{booktabs,longtable,array,url}"

#: URLs in the code column may break after any character, so none sticks out of its column
_URL_BREAKS = "".join(f"\\do\\{c}" for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def table(works, *, ascii: bool = False, command: str = "cite", warnings: list[str] | None = None) -> str:
    """A booktabs ``longtable`` of works: title with its citation, venue, year, code links.

    It breaks across pages (the header repeats) and its columns wrap, so it fits the text width
    whatever the titles and links; the year is printed once, in its own column. Needs
    :data:`TABLE_PACKAGES` (hyperref may stand in for url).
    """
    # ragged right, and \hspace{0pt} so that even a cell's first word may be hyphenated; the
    # columns add up to \linewidth: 0.44 + 0.18 + 2.4em (four digits) + the rest, less the
    # 6 \tabcolsep between four columns
    col = ">{\\raggedright\\arraybackslash\\hspace{0pt}}p{%s}"
    spec = ("@{}" + col % "\\dimexpr0.44\\linewidth-2\\tabcolsep\\relax" + col % "\\dimexpr0.18\\linewidth-2\\tabcolsep\\relax"
            + col % "2.4em" + col % "\\dimexpr0.38\\linewidth-2.4em-2\\tabcolsep\\relax" + "@{}")
    head = "Work & Venue & Year & Code \\\\"
    lines = [
        f"% plmcite table: needs {TABLE_PACKAGES} (or hyperref instead of url)",
        "\\begingroup",
        "\\small",
        f"\\expandafter\\def\\expandafter\\UrlBreaks\\expandafter{{\\UrlBreaks{_URL_BREAKS}}}",
        f"\\begin{{longtable}}{{{spec}}}",
        "\\toprule", head, "\\midrule", "\\endfirsthead",
        "\\toprule", head, "\\midrule", "\\endhead",
        "\\bottomrule", "\\endfoot",
    ]
    for w in works:
        missing: list[str] = []
        title = escape(w.title, ascii=ascii, missing=missing)
        venue = escape(venue_without_year(w), ascii=ascii, missing=missing)
        year = str(w.year) if w.year else ""
        urls = [u for u in (clean_url(c) for c in w.code) if u]
        code = " \\newline ".join(f"\\url{{{u}}}" for u in urls) or "---"
        if title.startswith("["):
            title = "{[}" + title[1:]  # the \\ ending the row above would read "[...]" as a length
        lines.append(f"{title}~\\{command}{{{w.key}}} & {venue} & {year} & {code} \\\\")
        if missing and warnings is not None:
            warnings.append(f"{w.key}: no LaTeX form for {''.join(sorted(set(missing)))!r} (kept as UTF-8)")
    lines += ["\\end{longtable}", "\\endgroup"]
    return "\n".join(lines) + "\n"
