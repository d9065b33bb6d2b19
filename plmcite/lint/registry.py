"""The lint rule registry: rules, findings, and running them.

A rule is a function ``(doc, catalog) -> Iterable[Finding | (line, message)]`` registered with
:func:`rule`, which gives it a stable id, a severity and a rationale (shown by ``plmcite lint
--rules`` and in docs/list-and-lint.md). The rule modules (``list_rules``, ``catalog_rules``)
import this one; the package imports both, so every rule is registered once ``plmcite.lint`` is.

Severities: ``error`` (the list is wrong; ``lint`` exits 1), ``warning`` (probably wrong),
``info`` (style). ``fixable`` rules are repaired by ``plmcite fix``.

A rule about the tagged template (``+ **\\[Year Venue\\]** Title. ([Paper](url))``) says so with
``dialects=("tagged",)`` and sees only the entries written in it; format-neutral rules
(duplicates, wrong links, tags against the catalog) see every entry, whatever its dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from ..listfmt import ListDoc

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    rule: str
    severity: str
    message: str

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "rule": self.rule, "severity": self.severity,
                "message": self.message}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    doc: str
    func: Callable
    needs_catalog: bool = False
    fixable: bool = False
    dialects: tuple[str, ...] | None = None  # the entry dialects the rule is about (None: all)


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, doc: str, needs_catalog: bool = False, fixable: bool = False,
         dialects: tuple[str, ...] | None = None):
    """Register a lint rule. ``func(doc, catalog)`` yields ``(line, message)`` or Findings."""
    assert severity in SEVERITIES, severity

    def deco(func):
        RULES[id] = Rule(id, severity, doc, func, needs_catalog, fixable, dialects)
        return func

    return deco


def run(doc: ListDoc, catalog=None, select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None) -> list[Finding]:
    """Run every applicable rule; findings sorted by line, then rule id."""
    select = set(select or [])
    ignore = set(ignore or [])
    path = doc.path or "<list>"
    findings: list[Finding] = []
    views: dict[tuple[str, ...], ListDoc] = {}
    for r in all_rules():
        if select and r.id not in select or r.id in ignore:
            continue
        if r.needs_catalog and catalog is None:
            continue
        seen = doc
        if r.dialects is not None:
            seen = views.get(r.dialects)
            if seen is None:
                seen = views[r.dialects] = replace(doc, entries=[e for e in doc.entries if e.dialect in r.dialects])
        for item in r.func(seen, catalog):
            if isinstance(item, Finding):
                findings.append(item)
            else:
                line, message = item
                findings.append(Finding(path, line, r.id, r.severity, message))
    findings.sort(key=lambda f: (f.line, f.rule, f.message))
    return findings


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by id."""
    return sorted(RULES.values(), key=lambda r: r.id)


def rules_markdown() -> str:
    """The rule table of docs/list-and-lint.md (a test keeps the doc in sync with the code)."""
    rows = ["| rule | severity | fixed by `plmcite fix` | needs the catalog | entries | why |",
            "|---|---|---|---|---|---|"]
    for r in all_rules():
        which = ", ".join(r.dialects) if r.dialects else "all"
        rows.append(f"| `{r.id}` | {r.severity} | {'yes' if r.fixable else ''} | {'yes' if r.needs_catalog else ''} "
                    f"| {which} | {r.doc} |")
    return "\n".join(rows) + "\n"
