"""Formatted reference lists (``plmcite format``) through pybtex's styles.

pybtex gets the same fields as the BibTeX export (:func:`plmcite.bibtex.fields`, in the
``natbib`` flavour, which prints each fact once), as plain text: it never depends on pybtex
reading LaTeX back. Imported only by ``plmcite format``: pybtex is slow to import.
"""

from __future__ import annotations

from typing import Iterable

from . import latex
from .bibtex import VERBATIM, fields, pages, rules
from .errors import InputError
from .model import Person, Work
from .names import split_von

#: characters pybtex's LaTeX reader would interpret; they travel through it as private-use
#: placeholders and are put back (escaped for the backend) in the formatted output
_PYBTEX_SPECIAL = "\\{}%~"
_PYBTEX_LIGATURES = frozenset(latex.LIGATURE_PAIRS)
_PUA = 0xF0000
#: entry types whose pybtex templates require an author -> the field naming their venue
_NEEDS_AUTHOR = {"inproceedings": "booktitle", "article": "journal"}


def _pybtex_latex(text: str, placeholders: dict[str, str]) -> str:
    out = []
    prev = ""
    for ch in text:
        if ch in _PYBTEX_SPECIAL or (prev, ch) in _PYBTEX_LIGATURES or 0xF0000 <= ord(ch) <= 0x10FFFF:
            ph = placeholders.setdefault(ch, chr(_PUA + len(placeholders)))
            out.append(ph)
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def reflist(works: Iterable[Work], *, style: str = "plain", backend: str = "text",
            warnings: list[str] | None = None) -> str:
    """A formatted reference list through one of pybtex's styles (plain, unsrt, alpha...).

    pybtex reads fields as LaTeX, so it gets the plain-text fields with the characters its
    LaTeX reader would change (braces, backslash, %, ~, ligature pairs) swapped for
    placeholders, and titles with their protected runs braced, so its sentence casing keeps
    {LLM}s as BibTeX would. The output holds exactly the catalog's text.
    """
    import io

    from pybtex.database import BibliographyData
    from pybtex.database import Entry as PybtexEntry
    from pybtex.database import Person as PybtexPerson
    from pybtex.plugin import find_plugin
    from pybtex.style.template import FieldIsMissing

    placeholders: dict[str, str] = {}

    def tex(text: str) -> str:
        return _pybtex_latex(latex.normalize(text), placeholders)

    def make_person(p: Person) -> PybtexPerson:
        if not p.given:
            return PybtexPerson(last=tex(p.family))
        von, last = split_von(latex.normalize(p.family))
        return PybtexPerson(first=tex(p.given), prelast=tex(von), last=tex(last))

    months = {v: k for k, v in rules().months.items()}
    month_names = ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"]
    entries = {}
    for w in works:
        fl = fields(w, "bibtex", warnings)
        values = {}
        for name, value in fl.values.items():
            if name == "month":
                value = month_names[months[value] - 1]
            elif name == "title":
                value = "".join("{" + _pybtex_latex(t, placeholders) + "}" if prot else _pybtex_latex(t, placeholders)
                                for t, prot in latex.title_segments(value))
            elif name == "pages":
                value = pages(value, tex)
            elif name not in VERBATIM:
                value = tex(value)
            values[name] = value
        etype = fl.type
        if not fl.authors and etype in _NEEDS_AUTHOR:
            # pybtex's templates for these types require an author; its misc prints the same
            # facts (title, venue, date, links) without one. The type is not printed.
            etype = "misc"
            values["howpublished"] = values.pop(_NEEDS_AUTHOR[fl.type])
        e = PybtexEntry(etype, fields=values)
        if fl.authors:
            e.persons["author"] = [make_person(p) for p in fl.authors]
        entries[w.key] = e
    data = BibliographyData(entries=entries)
    try:
        formatted = find_plugin("pybtex.style.formatting", style)().format_bibliography(data)
    except FieldIsMissing as e:
        raise InputError(f"pybtex style {style!r} needs a field a work lacks ({e}); "
                         f"add it to the overrides file or choose another style") from None
    out = io.StringIO()
    be = find_plugin("pybtex.backends", backend)()
    be.write_to_stream(formatted, out)
    text = out.getvalue()
    for ch, ph in placeholders.items():
        text = text.replace(ph, be.format_str(ch))
    return text
