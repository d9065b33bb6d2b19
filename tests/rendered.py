"""The rendered-output harness: what a survey's reader sees, style by style.

A .bib export is compiled the way an author compiles it (pdflatex + bibtex, or pdflatex +
biber), ``\\nocite{*}``, and two things are checked:

1. **The toolchain is silent**: no LaTeX, package, BibTeX or biber warning or error (over- and
   underfull boxes aside), except the warnings a style raises for a fact that does not exist
   (:data:`EXCEPTIONS`, each with its reason, each checked against the work: ACM's "page
   numbers missing" is accepted only for a work without pages).
2. **Each reference reads right**: the PDF's text (``pdftotext``) is cut into one piece per
   reference (a marker is typeset at the start of each item) and checked by :func:`check_reference`:
   title once, authors once, each identifier at most once (a URL that is the identifier
   counts as the identifier; a preprint's arXiv id exactly once), the venue of a published work
   present, no ``??``, no empty parentheses, no doubled punctuation.

The same reference checks apply to ``plmcite format`` (text, HTML, Markdown):
:func:`format_references` cuts its output into references.

Text is compared as lower-case ASCII word sequences (accents folded, punctuation dropped), so
sentence casing, ligatures, quotes and URL line breaks do not matter; the documents forbid
hyphenation so a word is never split in two.
"""

from __future__ import annotations

import html as htmlmod
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from plmcite.names import split_von

ROOT = Path(__file__).resolve().parents[1]
ACL_DIR = ROOT / "tests" / "fixtures" / "styles" / "acl"


# --- running the tools ----------------------------------------------------------------------------

def has_tool(name: str) -> bool:
    return shutil.which(name) is not None


def has_tex_file(name: str) -> bool:
    if not has_tool("kpsewhich"):
        return False
    return bool(subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip())


_LATEX_PROBLEM = re.compile(
    r"^(?:!.*|\S+\.tex:\d+: .*|.*\b(?:LaTeX|Package|Class)\b[^\n]*\bWarning\b.*|.*Missing character.*"
    r"|.*pdfTeX warning.*)$",
    re.M,
)
_OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\).*$", re.M)


class CompileError(AssertionError):
    pass


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, max_print_line="10000", error_line="254", half_error_line="238")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                          timeout=300, stdin=subprocess.DEVNULL)


def pdflatex(cwd: Path, name: str) -> None:
    p = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", name + ".tex"], cwd)
    if p.returncode != 0:
        log_file = cwd / f"{name}.log"
        log = log_file.read_text(errors="replace") if log_file.exists() else p.stdout
        found = [l for l in _LATEX_PROBLEM.findall(log) if "Warning" not in l][:20]
        raise CompileError(f"pdflatex failed on {name}.tex:\n" + "\n".join(found or log.splitlines()[-30:]))


def log_text(cwd: Path, name: str) -> str:
    return (cwd / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def latex_problems(cwd: Path, name: str) -> list[str]:
    return _LATEX_PROBLEM.findall(log_text(cwd, name))


def overfull(cwd: Path, name: str, limit: float = 1.0) -> list[str]:
    """Overfull \\hbox lines of the log wider than ``limit`` points."""
    return [m.group(0) for m in _OVERFULL.finditer(log_text(cwd, name)) if float(m.group(1)) > limit]


def bibtex_problems(cwd: Path, name: str, returncode: int, stdout: str) -> list[str]:
    blg = (cwd / f"{name}.blg").read_text(encoding="utf-8", errors="replace")
    problems = [l for l in blg.splitlines() if l.startswith("Warning--") or "error message" in l
                or l.startswith("I was expecting") or "---line" in l]
    if returncode != 0 and not problems:
        problems.append(f"bibtex exited {returncode}: {stdout[-2000:]}")
    return problems


def compile_bibtex(cwd: Path, name: str = "doc", *, bbl_hook=None) -> list[str]:
    """pdflatex, bibtex, pdflatex, pdflatex; every problem of the final state.

    ``bbl_hook(path)`` may edit the .bbl after bibtex wrote it (the harness marks references).
    """
    pdflatex(cwd, name)
    b = run(["bibtex", name], cwd)
    problems = bibtex_problems(cwd, name, b.returncode, b.stdout)
    if bbl_hook is not None and (cwd / f"{name}.bbl").exists():
        bbl_hook(cwd / f"{name}.bbl")
    pdflatex(cwd, name)
    pdflatex(cwd, name)
    return problems + latex_problems(cwd, name)


def compile_biber(cwd: Path, name: str = "doc") -> list[str]:
    """pdflatex, biber, pdflatex (again if LaTeX asks for it); every problem of the final state."""
    pdflatex(cwd, name)
    b = run(["biber", "--quiet", name], cwd)
    blg = (cwd / f"{name}.blg").read_text(encoding="utf-8", errors="replace")
    problems = [l for l in blg.splitlines() if re.search(r"\b(WARN|ERROR)\b -", l)]
    if b.returncode != 0 and not problems:
        problems.append(f"biber exited {b.returncode}: {b.stdout[-2000:]}{b.stderr[-2000:]}")
    pdflatex(cwd, name)
    if any("rerun" in p.lower() for p in latex_problems(cwd, name)):
        pdflatex(cwd, name)
    return problems + latex_problems(cwd, name)


def pdf_text(pdf: Path) -> str:
    p = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                       errors="replace", timeout=120)
    if p.returncode != 0:
        raise CompileError(f"pdftotext failed on {pdf}: {p.stderr}")
    return p.stdout


# --- the styles -----------------------------------------------------------------------------------

#: T1 fonts (Latin Modern when installed), no hyphenation at all (a word is never cut in two in
#: the extracted text), no page numbers (they would land inside a reference's text)
BASE_PREAMBLE = ("\\usepackage[T1]{fontenc}\n"
         + ("\\usepackage{lmodern}\n" if has_tex_file("lmodern.sty") else ""))
_NO_HYPHENS = "\\hyphenpenalty=10000 \\exhyphenpenalty=10000 \\raggedright\\pagestyle{empty}\n"
#: the marker typeset at the start of every reference: [[key]]
MARK = "\\providecommand\\plmref[1]{\\mbox{[[#1]]}\\space}\n"


@dataclass(frozen=True)
class Style:
    """One bibliography style, as an author uses it: the document preamble and the export flags."""

    name: str
    engine: str  # "bibtex" | "biber"
    export: tuple[str, ...]  # extra `plmcite export` arguments (--for ..., --format biblatex)
    preamble: str  # everything before \begin{document}
    bibliography: str  # what goes before \end{document}
    files: tuple[Path, ...] = ()  # style files copied next to the document

    layout: str = ""  # after \begin{document}: \onecolumn, so pdftotext reads lines in order

    def document(self, body: str = "\\nocite{*}\n") -> str:
        return (self.preamble + "\\begin{document}\n" + self.layout + _NO_HYPHENS + body + self.bibliography
                + "\\end{document}\n")


def _bst(name: str, natbib: bool, export: tuple[str, ...], extra: str = "") -> Style:
    pre = "\\documentclass[11pt]{article}\n" + BASE_PREAMBLE + "\\usepackage{url}\n" + extra
    if natbib:
        pre += "\\usepackage{natbib}\n"
    return Style(name, "bibtex", export, pre + MARK,
                 f"\\bibliographystyle{{{name}}}\n\\bibliography{{refs}}\n")


def _biblatex(name: str, export: tuple[str, ...] = ("--format", "biblatex"), label: str = "") -> Style:
    pre = ("\\documentclass[11pt]{article}\n" + BASE_PREAMBLE + "\\usepackage{url}\n"
           + f"\\usepackage[backend=biber,style={name}]{{biblatex}}\n\\addbibresource{{refs.bib}}\n" + MARK
           + "\\AtEveryBibitem{\\plmref{\\thefield{entrykey}}}\n")
    return Style(label or name, "biber", export, pre, "\\printbibliography\n")


#: acl.sty as the ACL template uses it: it loads natbib and hyperref and sets acl_natbib itself
_ACL = Style(
    "acl_natbib", "bibtex", ("--for", "acl"),
    "\\documentclass[11pt]{article}\n\\usepackage[final]{acl}\n\\usepackage{times}\n\\usepackage{latexsym}\n"
    "\\usepackage[T1]{fontenc}\n" + MARK,
    "\\bibliography{refs}\n",
    files=(ACL_DIR / "acl.sty", ACL_DIR / "acl_natbib.bst"),
    layout="\\onecolumn\n",
)

STYLES: dict[str, Style] = {s.name: s for s in [
    _bst("plain", False, ()),
    _bst("plainnat", True, ()),
    _bst("abbrvnat", True, ()),
    _bst("unsrtnat", True, ()),
    _ACL,
    _bst("IEEEtran", False, ("--for", "ieee")),
    _bst("ACM-Reference-Format", True, ("--for", "acm")),
    _biblatex("numeric"),
    _biblatex("authoryear"),
    _biblatex("ieee"),
    # a .bib written for BibTeX styles, read by biblatex (people switch styles, not files)
    _biblatex("numeric", (), "numeric+natbib-file"),
    _biblatex("authoryear", (), "authoryear+natbib-file"),
]}


#: files a style needs beyond pdflatex + natbib/biblatex, and the Debian package with each
_NEEDS = {
    "IEEEtran": [("IEEEtran.bst", "texlive-publishers")],
    "ACM-Reference-Format": [("ACM-Reference-Format.bst", "texlive-publishers")],
    "ieee": [("ieee.bbx", "texlive-bibtex-extra")],
    "acl_natbib": [("lineno.sty", "texlive-latex-recommended"), ("caption.sty", "texlive-latex-recommended"),
                   ("ptmr8t.tfm", "texlive-fonts-recommended")],
}


def missing_requirements(style: Style) -> list[str]:
    """What this machine lacks to compile ``style`` (binaries, files and their Debian packages)."""
    need = ["pdflatex", "pdftotext", "bibtex" if style.engine == "bibtex" else "biber"]
    out = [t + (" (poppler-utils)" if t == "pdftotext" else "") for t in need if not has_tool(t)]
    out += [f"{f} ({pkg})" for f, pkg in _NEEDS.get(style.name, []) if not has_tex_file(f)]
    return out


# --- warnings a style raises for a fact that does not exist ----------------------------------------


@dataclass(frozen=True)
class Exception_:
    """A warning accepted for one style because the fact it asks for does not exist.

    ``fields`` are the work's fields whose absence the warning is about; the harness accepts the
    warning only when every one of them is empty for the work it names (never invent a value).
    """

    styles: tuple[str, ...]
    pattern: str  # regex over the warning line, with a group "key"
    fields: tuple[str, ...]
    reason: str


_BST = ("plain", "plainnat", "abbrvnat", "unsrtnat", "acl_natbib", "IEEEtran", "ACM-Reference-Format")

EXCEPTIONS: tuple[Exception_, ...] = (
    Exception_(_BST, r"^Warning--(?:empty author|no key, author|no author, editor, organization, or key"
                     r"|to sort, need author or key) in (?P<key>\S+)$",
               ("authors",), "the published record lists no authors; a made-up author or a sort key (which "
                             "natbib styles print in the author's place, before the title again) would be worse"),
    Exception_(("ACM-Reference-Format",), r"^Warning--page numbers missing in both pages and numpages fields in (?P<key>\S+)$",
               ("pages",), "no record of the work gives page numbers (ICLR, COLM and TMLR publish none; for the "
                           "others, no record plmcite reads has them); ACM's style asks anyway"),
    Exception_(("ACM-Reference-Format",), r"^Warning--empty address in (?P<key>\S+)$",
               ("address",), "the catalog has no place for the work (of the records plmcite reads, only the ACL Anthology's give one; Crossref's publisher-location is not read yet)"),
    Exception_(("ACM-Reference-Format",), r"^Warning--empty publisher in (?P<key>\S+)$",
               ("publisher",), "no record of the work names a publisher (OpenReview venues have none)"),
    Exception_(("ACM-Reference-Format",), r"^Warning--no number and no volume in (?P<key>\S+)$",
               ("volume", "number"), "the journal has no volumes or issues (TMLR)"),
)

#: what a style prints whatever the entry says, so the reference check lets it pass
QUIRKS: dict[str, tuple[str, ...]] = {
    # "Title?. In Proceedings": the style ends the title block with ". " unconditionally
    "ACM-Reference-Format": ("question-period",),
}


def accepted(style: str, warning: str, works: dict) -> str | None:
    """The reason a warning is accepted, or None. ``works``: key -> Work."""
    for ex in EXCEPTIONS:
        if style not in ex.styles:
            continue
        m = re.match(ex.pattern, warning)
        if not m:
            continue
        w = works.get(m.group("key"))
        if w is None:
            return None
        if any(getattr(w, f) for f in ex.fields):
            return None
        return ex.reason
    return None


# --- cutting the output into references --------------------------------------------------------------


def mark_bbl(path: Path) -> None:
    """Put ``\\plmref{key}`` right after every ``\\bibitem[...]{key}`` of a BibTeX .bbl."""
    text = path.read_text(encoding="utf-8", errors="replace")
    out, pos = [], 0
    for m in re.finditer(r"\\bibitem\b", text):
        if m.start() < pos:
            continue
        i = m.end()

        def skip_space(i: int) -> int:
            while i < len(text):
                if text[i] in " \t\n":
                    i += 1
                elif text[i] == "%":
                    while i < len(text) and text[i] != "\n":
                        i += 1
                else:
                    break
            return i

        i = skip_space(i)
        if i < len(text) and text[i] == "[":
            depth, j = 0, i + 1
            while j < len(text) and not (text[j] == "]" and depth == 0):
                if text[j] == "\\":
                    j += 1
                elif text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                j += 1
            i = skip_space(j + 1)
        if i >= len(text) or text[i] != "{":
            continue
        end = text.index("}", i)
        key = text[i + 1:end]
        out.append(text[pos:end + 1])
        out.append(f"\\plmref{{{key}}}")
        pos = end + 1
    out.append(text[pos:])
    path.write_text("".join(out), encoding="utf-8")


_MARKER = re.compile(r"\[\[([^\[\]\s]+)\]\]")


def split_marked(text: str) -> dict[str, str]:
    """key -> the text of its reference, from text holding ``[[key]]`` markers."""
    parts = _MARKER.split(text)
    out: dict[str, str] = {}
    for i in range(1, len(parts), 2):
        out[parts[i]] = parts[i + 1]
    return out


@dataclass
class Rendered:
    problems: list[str]  # warnings not accepted
    accepted: list[tuple[str, str]]  # (warning, reason)
    refs: dict[str, str]  # key -> reference text
    bib: str
    text: str


def render_style(tmp: Path, style: Style, bib: str, works: dict) -> Rendered:
    """Compile ``bib`` with ``style`` in ``tmp``; the problems and the text of every reference."""
    for f in style.files:
        shutil.copy(f, tmp / f.name)
    (tmp / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp / "doc.tex").write_text(style.document(), encoding="utf-8")
    if style.engine == "bibtex":
        raw = compile_bibtex(tmp, bbl_hook=mark_bbl)
    else:
        raw = compile_biber(tmp)
    problems, ok = [], []
    for p in raw:
        reason = accepted(style.name, p, works)
        if reason is None:
            problems.append(p)
        else:
            ok.append((p, reason))
    text = pdf_text(tmp / "doc.pdf")
    return Rendered(problems, ok, split_marked(text), bib, text)


# --- what a reference must read like ------------------------------------------------------------------


def fold(text: str) -> list[str]:
    """Lower-case ASCII words: accents folded, ligatures split, punctuation dropped.

    "Proceedings" reads as "proc" (biblatex-ieee abbreviates it)."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = t.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d").replace("æ", "ae").replace("œ", "oe")
    words = re.findall(r"[a-z0-9]+", t)
    return ["proc" if w == "proceedings" else w for w in words]


def count(needle: list[str], hay: list[str]) -> int:
    if not needle:
        return 0
    n, first = len(needle), needle[0]
    return sum(1 for i in range(len(hay) - n + 1) if hay[i] == first and hay[i:i + n] == needle)


_EMPTY_PARENS = re.compile(r"\(\s*\)|\[\s*\]")
_DOUBLED = {
    "comma": re.compile(r"[,;:]\s*[,.;:]"),
    "period": re.compile(r"(?<!\.)\.\s*\.(?!\.)"),
    "question-comma": re.compile(r"[?!]\s*,"),
    "question-period": re.compile(r"[?!]\s*\."),
}


def identifier_urls(work) -> tuple[str | None, str | None]:
    """The url of a work that is not just one of its identifiers (the DOI or arXiv page)."""
    url = work.url
    if url and work.doi and work.doi.lower() in url.lower():
        url = None
    if url and work.arxiv and re.search(r"arxiv\.org/(?:abs|pdf)/" + re.escape(work.arxiv), url):
        url = None
    return url, None


def check_reference(work, text: str, *, quirks: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with one rendered reference (an empty list when it reads right)."""
    bad: list[str] = []
    words = fold(text)
    title = fold(work.title)
    link = fold(work.url or "")  # a web page's address may spell its title: openai.com/.../gpt-4o-system-card
    n = count(title, words)
    if not 1 <= n <= 1 + count(title, link):
        bad.append(f"title printed {n} times")
    # a family name may also be a given name ("He He"), or a word of the title, venue or link
    others = [title, link, fold(work.container or ""), fold(work.publisher or ""), fold(work.address or "")]
    others += [fold(p.given) for p in work.authors if p.family]
    families: dict[tuple[str, ...], int] = {}
    for p in work.authors:
        # the family name without its particles: biblatex prints "Langis, Karin de"
        fam = tuple(fold(split_von(p.family)[1] if p.given else p.family))
        families[fam] = families.get(fam, 0) + 1
    for i, (fam, expected) in enumerate(families.items()):
        got = count(list(fam), words)
        allowed = expected + sum(count(list(fam), o) for o in others)
        if got > allowed:
            bad.append(f"author {' '.join(fam)!r} printed {got} times (expected {allowed})")
        if i == 0 and got == 0:  # styles may shorten the list to "et al.", never drop the first
            bad.append(f"first author {' '.join(fam)!r} missing")
    if work.arxiv:
        n = count(fold(work.arxiv), words)
        if n > 1 or (n == 0 and work.kind == "preprint"):
            bad.append(f"arXiv id {work.arxiv} printed {n} times")
    if work.doi:
        n = count(fold(work.doi), words)
        if n > 1:
            bad.append(f"DOI printed {n} times")
    url, _ = identifier_urls(work)
    if url:
        n = count(fold(re.sub(r"^https?://", "", url)), words)
        if n > 1:
            bad.append(f"URL printed {n} times")
    if work.kind in ("conference", "workshop", "journal"):
        venue = fold(work.container or work.venue_short or "")
        if venue and count(venue, words) == 0:
            bad.append(f"venue {work.container or work.venue_short!r} missing")
    if "??" in text:
        bad.append("'??' in the text")
    flat = " ".join(text.split())
    m = _EMPTY_PARENS.search(flat)
    if m:
        bad.append(f"empty parentheses {m.group(0)!r}")
    for name, pattern in _DOUBLED.items():
        m = pattern.search(flat)
        if m and name not in quirks:
            bad.append(f"doubled punctuation {flat[max(0, m.start() - 25):m.end() + 5]!r}")
    return bad


def check_all(works: list, refs: dict[str, str], style: str = "") -> dict[str, list[str]]:
    """key -> problems, for every work (a work without a reference is a problem too)."""
    out = {}
    for w in works:
        text = refs.get(w.key)
        if text is None:
            out[w.key] = ["no reference in the output"]
            continue
        bad = check_reference(w, text, quirks=QUIRKS.get(style, ()))
        if bad:
            out[w.key] = bad
    extra = set(refs) - {w.key for w in works}
    if extra:
        out["(extra)"] = [f"references for unknown keys {sorted(extra)}"]
    return out


# --- plmcite format -------------------------------------------------------------------------------


def format_items(output: str, backend: str) -> list[str]:
    """The references of ``plmcite format`` output, as plain text, in order."""
    if backend == "html":
        items = re.findall(r"<dd>(.*?)</dd>", output, re.S)
        return [htmlmod.unescape(re.sub(r"<[^>]+>", "", i)) for i in items]
    if backend == "markdown":
        output = re.sub(r"\\(.)", r"\1", output)  # Markdown escapes: \. \- \_
        output = re.sub(r"\[([^\]\n]*)\]\((?:https?://[^)\s]*)\)", r"\1", output)  # a link reads as its text
    elif backend != "text":
        raise ValueError(backend)
    parts = re.split(r"(?m)^\[[^\]\n]+\] ", output)
    if backend == "markdown":
        parts = [htmlmod.unescape(p) for p in parts]  # "&amp;" reads as "&"
    return [" ".join(p.split()) for p in parts[1:]]


def format_references(works: list, output: str, backend: str) -> tuple[dict[str, str], list[str]]:
    """key -> reference text for ``plmcite format`` output (matched by title: styles sort), and
    what cannot be matched (an item with no work's title, a work in no or several items)."""
    items = format_items(output, backend)
    folded = [fold(i) for i in items]
    refs: dict[str, str] = {}
    bad: list[str] = []
    used: set[int] = set()
    for w in sorted(works, key=lambda w: -len(w.title)):  # a title inside a longer one: longest first
        t = fold(w.title)
        hits = [i for i, f in enumerate(folded) if i not in used and count(t, f)]
        if len(hits) != 1:
            bad.append(f"{w.key}: its title is in {len(hits)} items")
            continue
        used.add(hits[0])
        refs[w.key] = items[hits[0]]
    if len(items) != len(works):
        bad.append(f"{len(items)} items for {len(works)} works")
    return refs, bad
