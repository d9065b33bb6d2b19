"""Lint: checks of the list (``list_rules``) and, when a catalog exists, of the list against the
resolved metadata (``catalog_rules``). Both register their rules in ``registry``; importing this
package registers them all.
"""

from . import catalog_rules, list_rules  # noqa: F401  (registers the rules)
from .registry import RULES, SEVERITIES, Finding, Rule, all_rules, rule, rules_markdown, run

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "all_rules", "rule", "rules_markdown", "run"]
