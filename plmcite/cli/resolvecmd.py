"""``plmcite resolve``: list entries -> works with identifiers and metadata in refs/catalog.json."""

from __future__ import annotations

import json
import sys

import click

from ..errors import EXIT_FAILED

from .common import catalog_option, echo_err, get_config, is_tty, list_option, read_list
from .common import catalog_path as cat_file


@click.command("resolve")
@list_option
@catalog_option
@click.option("--section", "sections", multiple=True, metavar="S",
              help="Resolve only entries in section S (\"1\" includes 1.x); repeatable. Other works are kept as they are.")
@click.option("--refresh", is_flag=True, help="Ask the services again instead of using the cache.")
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--rekey", is_flag=True, help="Recompute every citation key (keys are otherwise pinned once written).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary and unresolved entries as JSON on stdout.")
def resolve_cmd(list_path, catalog_path, sections, refresh, offline, rekey, as_json):
    """Resolve list entries to works (identifiers, venue, year, pages, DOI) in the catalog.

    Identifiers in links come first (arXiv, OpenReview, ACL Anthology, DOI), then title search
    (DBLP, Crossref, OpenReview) above a confidence threshold; the published version wins, the
    arXiv id stays attached. Answers are cached, so a second run makes no request.
    """
    from pathlib import Path

    from .. import catalog as catmod
    from .. import match
    from ..atomic import ConcurrentModificationError
    from ..resolve import catalog_from, count_requests, entry_infos, open_sources, run_claims

    if refresh and offline:
        raise click.UsageError("--refresh and --offline contradict each other")
    config = get_config()
    doc, _ = read_list(list_path)
    path = doc.path
    cat_path = cat_file(catalog_path)
    try:
        snapshot, previous = catmod.read_for_update(cat_path)
    except catmod.CatalogError as e:
        raise catmod.CatalogError(f"{e} (plmcite will not overwrite a catalog it cannot read)") from None
    reserved: set[str] = set()
    if config.overrides_path.exists():
        pins = catmod.load_overrides(config.overrides_path)
        reserved = {str(t["key"]) for t in pins.values() if "key" in t}
    # the catalog names its list relative to plmcite.toml, so it reads the same on every machine
    try:
        rel = Path(path).resolve().relative_to(config.root).as_posix()
    except ValueError:
        rel = str(Path(path).resolve())

    with open_sources(config, offline=offline, refresh=refresh) as sources:
        section_filter = list(sections) or None
        todo, carried = entry_infos(doc, section_filter)
        bar = None
        if is_tty() and not as_json:
            bar = click.progressbar(length=len(todo), label="Resolving", file=sys.stderr)
            bar.__enter__()
        last = [0]

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(done - last[0])
                last[0] = done

        try:
            outcomes = run_claims(todo, sources, match.TitleWeights(e.title for e in doc.entries), progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        http = sources.http
    # compare-and-swap: when another run rewrote the catalog meanwhile, build again over what it
    # wrote (no network needed) so that neither run's results are lost
    merged = 0
    while True:
        cat, summary = catalog_from(doc, outcomes, carried, previous=previous, rekey=rekey,
                                    reserved_keys=reserved, list_path=rel)
        try:
            summary.changed = catmod.save(cat, cat_path, expect=snapshot)
            break
        except ConcurrentModificationError:
            merged += 1
            if merged > 10:
                raise ConcurrentModificationError(
                    f"{cat_path}: other runs keep rewriting it; nothing written by this run (run it again)") from None
            snapshot, previous = catmod.read_for_update(cat_path)
    count_requests(summary, http)
    refusals = dict(http.refusals)
    if merged:
        echo_err(f"{cat_path}: another run wrote it while this one ran; its results were kept and this run's merged in")

    if as_json:
        out = summary.to_json()
        out["catalog"] = str(cat_path)
        out["unresolved_entries"] = [u.to_json() for u in cat.unresolved]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        _fail_if_unchecked(summary, offline)
        return
    total_req = sum(summary.requests.values())
    echo_err(f"{summary.entries} entries -> {summary.works} works ({summary.resolved_entries} entries resolved, "
             f"{summary.published} published, {summary.upgraded} upgraded from preprint to published), "
             f"{summary.unresolved} unresolved")
    for name, n in summary.refused.items():
        echo_err(f"{name} refused {n} lookup(s): {refusals.get(name, 'refused')}; "
                 f"those entries were looked up through the other services")
    req = ", ".join(f"{k} {v}" for k, v in summary.requests.items()) or "none"
    echo_err(f"requests: {total_req} ({req}); cache hits: {sum(summary.cache_hits.values())}"
             + (f"; retries: {sum(summary.retries.values())}" if summary.retries else ""))
    for u in cat.unresolved:
        echo_err(f"  unresolved: {doc.path or path}:{u.line or '?'}: {u.title[:70]}: {u.reason}")
    for c in summary.name_conflicts:
        echo_err(f"  names: {c}")
    echo_err(f"{cat_path}: {'updated' if summary.changed else 'unchanged'}")
    _fail_if_unchecked(summary, offline)


def _fail_if_unchecked(summary, offline: bool) -> None:
    """Exit 1 when entries could not be checked (a service failed, or --offline and not cached):
    they keep their previous records, and the run says which services and how many entries."""
    if not summary.unchecked:
        return
    by = ", ".join(f"{name}: {n}" for name, n in sorted(summary.unchecked_by_service.items()))
    if offline:
        echo_err(f"error: {summary.unchecked} entries could not be checked: their answers are not in the cache and "
                 f"--offline forbids the network ({by}); they keep their previous records. Run without --offline.")
    else:
        echo_err(f"error: {summary.unchecked} entries could not be checked because a service failed ({by}); "
                 f"they keep their previous records. Run `plmcite resolve` again later.")
    raise SystemExit(EXIT_FAILED)
