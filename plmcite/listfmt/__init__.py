"""Reading and writing awesome paper lists, whatever dialect they are written in.

``parse`` gives a lossless :class:`ListDoc` (rendering it unmodified gives the file back byte for
byte) whose entries come from one of the dialects: ``tagged`` (``+ **\\[2025 ICLR\\]** Title.
([Paper](url))``), ``bullet`` (plain and numbered list items), ``table`` (pipe tables with a
header row), ``html`` (``<td>``/``<li>`` links) and ``paragraph`` (``**Title**<br>`` blocks).
One module per dialect; ``parse.py`` drives them, ``model.py`` holds the document model.
"""

from .model import (BULLET, CANONICAL_LABELS, DIALECTS, ENCODING, ERRORS, HTML, LABEL_ROLES, PARAGRAPH, TABLE,
                    TAGGED, Entry, Line, Link, ListDoc, Section, Tag)
from .parse import parse, parse_file, read_text, split_lines
from .tagged import entry_line, parse_entry, parse_tag, render_entry, render_links, with_tag_text

__all__ = [
    "BULLET", "CANONICAL_LABELS", "DIALECTS", "ENCODING", "ERRORS", "HTML", "LABEL_ROLES", "PARAGRAPH", "TABLE",
    "TAGGED", "Entry", "Line", "Link", "ListDoc", "Section", "Tag", "entry_line", "parse", "parse_entry",
    "parse_file", "parse_tag", "read_text", "render_entry", "render_links", "split_lines", "with_tag_text",
]
