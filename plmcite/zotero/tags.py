"""The section tag and collection scheme, read from ``plmcite/data/zotero.toml``.

Tags carry the list's structure into Zotero. Each work gets the member tag (``plm``), one tag per
section by its key (``plm:1.4``: stable when a heading is reworded; for an unnumbered heading the
slug path of ``plmcite.sections``, ``plm:awesome-papers/personalized-chat``, the same identity
``--section`` and BibTeX ``keywords`` use) and a readable one with the section's name
(``plm:1.4 Training-free Methods``: swapped when the heading is renamed). Every
tag that starts with the scheme's prefix (``plm:``) or equals the member tag is recognised as
plmcite's when the sync state is lost; with a state, only the tags plmcite itself added to an item
are ever removed from it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..model import Work, section_sort_key
from ..sections import is_number
from ..sections import parent as section_parent  # noqa: F401  (the name tests import; plan.py uses sections.parent)


@dataclass(frozen=True)
class Scheme:
    member: str
    section: str
    section_named: str
    top_level: str
    collection_root: str
    collection_format: str
    item_types: dict[str, str]
    extra_citation_key: str
    extra_arxiv: str
    extra_created: str = "plmcite: created"

    @property
    def prefix(self) -> str:
        """The part of the section tag before ``{number}``: tags starting with it are the scheme's."""
        return self.section.split("{", 1)[0]

    # --- tags ----------------------------------------------------------------------------------

    def number(self, section_key: str) -> str:
        return section_key or self.top_level

    def section_tags(self, section_key: str, title: str) -> list[str]:
        number = self.number(section_key)
        tags = [self.section.format(number=number, title=title)]
        if self.section_named and title and title != section_key:
            tags.append(self.section_named.format(number=number, title=title).strip())
        return tags

    def work_tags(self, work: Work, titles: dict[str, str]) -> list[str]:
        """The tags a work should carry: member tag plus its sections' tags, sorted by section."""
        tags = [self.member] if self.member else []
        for s in sorted(set(work.sections), key=section_sort_key):
            for t in self.section_tags(s, titles.get(s, "")):
                if t not in tags:
                    tags.append(t)
        return tags

    def is_scheme_tag(self, tag: str) -> bool:
        return tag == self.member or (bool(self.prefix) and tag.startswith(self.prefix))

    # --- collections ---------------------------------------------------------------------------

    def collection_name(self, section_key: str, title: str) -> str:
        if not section_key:
            return self.collection_name_fmt(self.top_level, title or "Top level")
        if not is_number(section_key):
            return title or section_key  # an unnumbered heading: named by its text, keyed by its slug path
        return self.collection_name_fmt(section_key, title)

    def collection_name_fmt(self, number: str, title: str) -> str:
        return self.collection_format.format(number=number, title=title).strip()

    # --- extra ---------------------------------------------------------------------------------

    def extra_prefixes(self) -> tuple[str, ...]:
        return tuple(fmt.split("{", 1)[0] for fmt in (self.extra_citation_key, self.extra_arxiv))


def load_scheme(path: str | Path | None = None) -> Scheme:
    if path is None:
        text = resources.files("plmcite").joinpath("data/zotero.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    d = tomllib.loads(text)
    tags, colls, extra = d.get("tags", {}), d.get("collections", {}), d.get("extra", {})
    return Scheme(
        member=tags.get("member", "plm"),
        section=tags.get("section", "plm:{number}"),
        section_named=tags.get("section_named", ""),
        top_level=str(tags.get("top_level", "0")),
        collection_root=colls.get("root", "plmcite"),
        collection_format=colls.get("name", "{number} {title}"),
        item_types=dict(d.get("item_types", {})),
        extra_citation_key=extra.get("citation_key", "Citation Key: {key}"),
        extra_arxiv=extra.get("arxiv", "arXiv: {arxiv}"),
        extra_created=extra.get("created", "plmcite: created"),
    )
