"""Fake ACL Anthology: ``/<id>.bib``, ``/volumes/<volume>.bib``, the landing page ``/<id>/``, 404 for unknown ids.

Only published records with an ``acl_anthology_id`` exist. The BibTeX follows the Anthology's
layout (docs/api-protocols.md section 6, and the real entries in tests/fixtures/wire/acl/): key
``family-etal-year-word``, double-quoted values, ``author = "Family, Given  and\\n      Family,
Given"``, ``editor`` in the same form (when the record names editors), ``month`` as a bare macro,
``url`` with a trailing slash, ``doi`` only when the record has one (the Anthology adds DOIs only
after they resolve), ``pages``, then ``ISBN`` (when the record has one) and ``abstract``, in that
order; ``@article`` with ``journal``/``volume``/``number`` for CL and TACL. Words with inner
capitals are brace-protected, accents are written as LaTeX (``{\\'A}lvarez-Mellado``), an
organisation is braced whole (``{H1 Collaboration}``), as the Anthology does.

``/<id>`` (no slash) redirects to ``/<id>/`` with 301. The landing page carries the Highwire
``citation_*`` meta tags scholarly scrapers read.
"""

from __future__ import annotations

import re
from html import escape

from .records import Paper
from .server import Request, Response, Service
from .text import display, is_organisation, latex_escape, split_name, tokens
from .venues import MONTHS, address_of, container_of, month_of

BIB_TYPE = "application/x-bibtex; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
STOP = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "by", "at", "from", "is", "are", "do", "does", "can", "how", "what", "when", "why"}


def anthology_key(paper: Paper) -> str:
    pub = paper.published
    assert pub is not None
    fams = ["-".join(tokens(split_name(a)[1])) or "anonymous" for a in paper.authors]
    if not fams:
        fams = ["anonymous"]
    who = fams[0] if len(fams) == 1 else f"{fams[0]}-{fams[1]}" if len(fams) == 2 else f"{fams[0]}-etal"
    word = next((w for w in tokens(pub.title) if w not in STOP), "paper")
    return f"{who}-{pub.year}-{word}"


def protect(title: str) -> str:
    """Brace words whose capitals must survive BibTeX case changes ("LaMP", "LLMs", "GPT-4")."""
    out = []
    for word in title.split(" "):
        core = word.strip(":,.;!?()\"'")
        if any(c.isupper() for c in core[1:]):
            word = word.replace(core, "{" + core + "}", 1)
        out.append(word)
    return " ".join(out)


def bibtex(paper: Paper) -> str:
    pub = paper.published
    assert pub is not None and pub.acl_anthology_id
    aid = pub.acl_anthology_id
    journal = pub.kind == "journal" or bool(re.match(r"^\d{4}\.(cl|tacl)-", aid)) or bool(re.match(r"^[JQ]\d\d-", aid))
    def bib_names(people) -> str:
        out = []
        for a in people:
            given, family = split_name(a)
            if is_organisation(a):
                out.append("{" + latex_escape(display(a)) + "}")
            else:
                out.append(latex_escape(f"{family}, {given}" if given else family))
        return '"' + "  and\n      ".join(out) + '"'

    fields: list[tuple[str, str]] = [("title", '"' + latex_escape(protect(pub.title)) + '"')]
    if paper.authors:  # a record without known authors gets no author field rather than invented ones
        fields.append(("author", bib_names(paper.authors)))
    if pub.editors:
        fields.append(("editor", bib_names(pub.editors)))
    if journal:
        fields.append(("journal", '"' + latex_escape(container_of(pub) or pub.venue_short) + '"'))
        if pub.volume:
            fields.append(("volume", f'"{pub.volume}"'))
        number = pub.number or (re.match(r"^\d{4}\.(?:cl|tacl)-(\d+)\.", aid) or [None, None])[1]
        if number:
            fields.append(("number", f'"{number}"'))
    else:
        fields.append(("booktitle", '"' + latex_escape(container_of(pub) or pub.venue_short) + '"'))
    month = month_of(pub)
    if month:
        fields.append(("month", MONTHS[month - 1]))
    fields.append(("year", f'"{pub.year}"'))
    address = address_of(pub) or ("Cambridge, MA" if journal else None)
    if address:
        fields.append(("address", f'"{latex_escape(address)}"'))
    if pub.publisher:
        fields.append(("publisher", f'"{latex_escape(pub.publisher)}"'))
    fields.append(("url", f'"https://aclanthology.org/{aid}/"'))
    if pub.doi:
        fields.append(("doi", f'"{pub.doi}"'))
    if pub.pages:
        fields.append(("pages", f'"{pub.pages}"'))
    if pub.isbn:
        fields.append(("ISBN", f'"{pub.isbn}"'))
    if paper.arxiv and paper.arxiv.abstract:
        fields.append(("abstract", '"' + latex_escape(paper.arxiv.abstract) + '"'))
    entry = "article" if journal else "inproceedings"
    body = ",\n".join(f"    {k} = {v}" for k, v in fields)
    return f"@{entry}{{{anthology_key(paper)},\n{body}\n}}\n"


def landing_page(paper: Paper) -> str:
    pub = paper.published
    assert pub is not None and pub.acl_anthology_id
    aid = pub.acl_anthology_id
    meta = [("citation_title", pub.title)]
    for a in paper.authors:
        given, family = split_name(a)
        meta.append(("citation_author", f"{family}, {given}" if given else family))
    month = month_of(pub)
    meta.append(("citation_publication_date", f"{pub.year}/{month}" if month else str(pub.year)))
    meta.append(("citation_conference_title" if pub.kind != "journal" else "citation_journal_title", container_of(pub) or pub.venue_short))
    meta.append(("citation_pdf_url", f"https://aclanthology.org/{aid}.pdf"))
    if pub.pages:
        first, _, last = pub.pages.partition("--")
        meta += [("citation_firstpage", first), ("citation_lastpage", last or first)]
    if pub.doi:
        meta.append(("citation_doi", pub.doi))
    head = "\n".join(f'<meta content="{escape(v)}" name="{k}">' for k, v in meta)
    authors = ", ".join(escape(display(a)) for a in paper.authors)
    return (
        "<!doctype html>\n<html lang=en-us>\n<head>\n<meta charset=utf-8>\n"
        f"<title>{escape(pub.title)} - ACL Anthology</title>\n{head}\n"
        f'<link rel="canonical" href="https://aclanthology.org/{aid}/">\n</head>\n<body>\n'
        f'<h2 id=title><a href="https://aclanthology.org/{aid}.pdf">{escape(pub.title)}</a></h2>\n'
        f"<p class=lead>{authors}</p>\n"
        f"<dl><dt>Anthology ID:</dt><dd>{aid}</dd><dt>Venue:</dt><dd>{escape(pub.venue_short)}</dd>"
        f"<dt>Year:</dt><dd>{pub.year}</dd>"
        + (f"<dt>DOI:</dt><dd><a href=\"https://doi.org/{pub.doi}\">{pub.doi}</a></dd>" if pub.doi else "")
        + f'</dl>\n<a href="/{aid}.bib">BibTeX</a>\n</body>\n</html>\n'
    )


class AclService(Service):
    name = "acl"
    server_header = "nginx"

    def __init__(self, papers: list[Paper]):
        self.papers = {p.published.acl_anthology_id: p for p in papers if p.published and p.published.acl_anthology_id}

    def error(self, status: int, message: str) -> Response:
        html = f"<!doctype html><html><head><title>{status} {escape(message)}</title></head><body><h1>{escape(message)}</h1></body></html>"
        return Response.text(status, html, HTML_TYPE)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        return self.error(status, "Too Many Requests")

    def handle(self, req: Request) -> Response:
        path = req.path.lstrip("/")
        if path.startswith("volumes/") and path.endswith(".bib"):
            return self._volume_bib(path[len("volumes/"):-len(".bib")])
        if path.endswith(".bib"):
            paper = self.papers.get(path[: -len(".bib")])
            if paper is None:
                return self.error(404, "Page not found")
            return Response(200, bibtex(paper).encode("utf-8"), BIB_TYPE)
        aid = path.rstrip("/")
        paper = self.papers.get(aid)
        if paper is None:
            return self.error(404, "Page not found")
        if not path.endswith("/"):
            return Response.text(301, "", HTML_TYPE, Location=f"/{aid}/")
        return Response(200, landing_page(paper).encode("utf-8"), HTML_TYPE)

    def _volume_bib(self, volume: str) -> Response:
        """Every paper of a volume, in id order, after the volume's own ``@proceedings`` entry (the
        Anthology writes ``volumes/<volume>.bib`` beside each ``<id>.bib``)."""
        ids = sorted((aid for aid in self.papers if aid.rsplit(".", 1)[0] == volume),
                     key=lambda aid: int(aid.rsplit(".", 1)[1]) if aid.rsplit(".", 1)[1].isdigit() else 0)
        if not ids:
            return self.error(404, "Page not found")
        first = self.papers[ids[0]].published
        head = (f'@proceedings{{{volume.replace(".", "-")},\n    title = "{container_of(first) or volume}",\n'
                f'    year = "{first.year}",\n    url = "https://aclanthology.org/{volume}.0/",\n}}\n')
        return Response(200, (head + "\n" + "\n".join(bibtex(self.papers[aid]) for aid in ids)).encode("utf-8"), BIB_TYPE)
