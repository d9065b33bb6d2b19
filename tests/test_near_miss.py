"""Never a wrong answer: a near-miss corpus of real titles through the real resolver.

Three sets of link-less entries, resolved by title search against the fake services:

* **real pairs** (``fixtures/nearmiss/pairs.toml``): distinct real papers whose titles differ in
  a word or two (LaMP / LongLaMP / LaMP-QA, several "... of Large Language Models: A Survey",
  DeepSeek-R1 / R1-Searcher ...). Only one side of each pair is served; the other side's title
  must stay unresolved, never resolve to its neighbour.
* **mutations** of the 96 real titles of the starting list: one content word changed (Large ->
  Small, Survey -> Benchmark, Preference -> Privacy, Learning -> Unlearning, Alignment ->
  Evaluation, Image -> Video, a number or version mark changed or dropped). The real paper is
  served; the mutated title must stay unresolved, naming the real paper as the nearest candidate.
* **restyled** copies of the same real titles (case, punctuation, hyphenation, & for and,
  British spelling, LLMs for Large Language Models, a subtitle dropped where the tag confirms
  year and venue): each must resolve to its own paper.

Pinned: zero wrong matches over all three sets, and the recall on the restyled set.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from plmcite import match
from plmcite.http import Cache, Http, HttpSettings
from plmcite.listfile import parse
from plmcite.resolve import Sources, resolve_list
from plmcite.testing.fakes import FakeInternet
from plmcite.testing.records import load_records, parse_record

FIXTURES = Path(__file__).parent / "fixtures"
PAIR_DATA = tomllib.loads((FIXTURES / "nearmiss" / "pairs.toml").read_text(encoding="utf-8"))
PAPERS = load_records(FIXTURES / "metadata")

#: one content word for another: each makes a title that names a different paper
SWAPS = [("Large", "Small"), ("Survey", "Benchmark"), ("Preference", "Privacy"), ("Learning", "Unlearning"),
         ("Alignment", "Evaluation"), ("Image", "Video"), ("Video", "Image"), ("Personalized", "Generalized"),
         ("Multimodal", "Multilingual"), ("Generation", "Retrieval"), ("Text", "Speech"), ("Reward", "Risk"),
         ("Memory", "Attention"), ("Agents", "Robots"), ("Benchmark", "Dataset"), ("Users", "Experts")]
#: British spellings a person might type
BRITISH = [("Personalized", "Personalised"), ("Personalization", "Personalisation"), ("Optimization", "Optimisation"),
           ("Modeling", "Modelling"), ("Behavior", "Behaviour")]


def paper_title(p) -> str:
    return p.title


def tag_of(p) -> str:
    if p.published:  # the list's convention: "2024 EMNLP Findings", "2024 NeurIPS", "2025 ICLR"
        venue = re.sub(r"\(.*?\)", "", p.published.venue_short).replace(str(p.published.year), "").strip()
        m = re.match(r"Findings of (\w+)", venue)
        return f"{p.published.year} {m.group(1) + ' Findings' if m else venue}"
    yymm = p.arxiv.id[:4]
    return f"20{yymm[:2]} Arxiv-{yymm}"


def mutations(title: str) -> list[str]:
    """Titles one content word away (whole-word swaps), and version marks or numbers changed."""
    out = []
    for old, new in SWAPS:
        pat = re.compile(rf"\b{old}\b")
        if pat.search(title):
            out.append(pat.sub(new, title, count=1))
    if "++" in title:
        out.append(title.replace("++", ""))
    m = re.search(r"\b(\d)\b", title)
    if m:
        out.append(title[:m.start()] + str(int(m.group(1)) + 1) + title[m.end():])
    return [t for t in dict.fromkeys(out) if not match.same_form(t, title)][:2]


def restyles(p) -> list[tuple[str, str]]:
    """(title, how) forms of a real title that must still find it."""
    t = p.title
    out = [(t.lower(), "lower case"), (t.upper(), "upper case"),
           (re.sub(r"[:,.?!]", "", t).replace("-", " "), "no punctuation, hyphens as spaces"),
           (t.replace("-", ""), "hyphens dropped"),
           (t.replace(" and ", " & ") if " and " in t else None, "& for and"),
           (re.sub(r"\bLarge Language Models\b", "LLMs", t) if "Large Language Models" in t else None, "LLMs"),
           (re.sub(r"\bLLMs\b", "Large Language Models", t) if "LLMs" in t else None, "written out")]
    for us, gb in BRITISH:
        if re.search(rf"\b{us}\b", t):
            out.append((re.sub(rf"\b{us}\b", gb, t), "British spelling"))
            break
    head = match.main_title(t)
    if head and len(match.form_words(head)) >= 1 and p.published and ":" in t:
        out.append((head, "subtitle dropped (tag confirms year and venue)"))
    return [(s, how) for s, how in out if s and s != t]


def build_corpus():
    """(list text, expectations by line, papers served): an expectation is ("match", arXiv id or
    title, how) or ("no", the nearest real title, how)."""
    lines = ["# Near misses", "", "## 1. Corpus", ""]
    expect: dict[int, tuple[str, str, str]] = {}

    def add(title: str, tag: str, want: tuple[str, str, str]) -> None:
        lines.append(f"+ **\\[{tag}\\]** {title.rstrip('.')}.")
        expect[len(lines)] = want
        lines.append("")

    for p in PAPERS:
        for t in mutations(p.title):
            add(t, tag_of(p), ("no", p.title, "mutation"))
        for t, how in restyles(p):
            add(t, tag_of(p), ("match", p.arxiv.id if p.arxiv else p.published.title, how))
    served = list(PAPERS)
    by_id = {p.arxiv.id: p.title for p in PAPERS if p.arxiv}
    for q in PAIR_DATA["paper"]:
        by_id[q["arxiv"]] = q["title"]
        if q.get("authors"):
            served.append(parse_record({"arxiv": {"id": q["arxiv"], "title": q["title"], "authors": q["authors"]},
                                        "published": None}, f"pairs.toml {q['arxiv']}"))
    served_ids = {p.arxiv.id for p in served if p.arxiv}
    for a, b in PAIR_DATA["pairs"]:
        for mine, other in ((a, b), (b, a)):
            tag = f"20{mine[:2]} Arxiv-{mine[:4]}"
            if mine in served_ids:
                add(by_id[mine], tag, ("match", mine, "real pair, both served"))
            elif other in served_ids:
                add(by_id[mine], tag, ("no", by_id[other], "real pair"))
    return "\n".join(lines) + "\n", expect, served


TEXT, EXPECT, SERVED = build_corpus()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    doc = parse(TEXT, "near-misses.md")
    with FakeInternet(papers=SERVED) as net:
        s = HttpSettings(contact="t@example.org", timeout=2, retries=2, backoff=0.01, max_backoff=0.05, min_interval={})
        http = Http(s, cache=Cache(tmp_path_factory.mktemp("cache")), today=lambda: date(2026, 1, 15))
        urls = {n: net.urls[n] if n != "arxiv" else net.env()["PLMCITE_ARXIV_URL"]
                for n in net.urls}
        cat, summary, outs = resolve_list(doc, Sources(http, urls))
        http.close()
    return {o.entry.line: o for o in outs}, cat


def matched_id(o) -> str | None:
    if not o.ok:
        return None
    for role in ("arxiv", "dblp-corr"):
        if role in o.records and o.records[role].ids.get("arxiv"):
            return o.records[role].ids["arxiv"]
    return next(iter(o.records.values())).title


def test_the_corpus_is_big_enough():
    kinds = [w[2] for w in EXPECT.values()]
    assert kinds.count("mutation") >= 80 and kinds.count("real pair") >= 3
    assert kinds.count("real pair, both served") >= 15
    assert sum(1 for w in EXPECT.values() if w[0] == "match") >= 250


def test_no_wrong_match(outcomes):
    outs, _ = outcomes
    wrong = []
    for line, (want, value, how) in EXPECT.items():
        got = matched_id(outs[line])
        if want == "no" and got is not None:
            wrong.append(f"line {line} ({how}): {outs[line].entry.title!r} -> {got}")
        if want == "match" and got is not None and got != value:
            wrong.append(f"line {line} ({how}): {outs[line].entry.title!r} -> {got}, not {value}")
    assert wrong == []


def test_near_misses_name_the_nearest_paper(outcomes):
    outs, cat = outcomes
    named = [line for line, (want, value, how) in EXPECT.items()
             if want == "no" and outs[line].nearest is not None and outs[line].nearest.record.title == value]
    misses = [line for line, w in EXPECT.items() if w[0] == "no"]
    # measured: 88 of 133. The rest are short titles whose changed word is in every query DBLP is
    # sent (it wants all words), and papers no other service can search (arXiv-only preprints)
    assert len(named) >= NEAREST_NAMED * len(misses)
    # the catalog keeps the candidate for lint's "did you mean"
    near = {u.line: u.nearest for u in cat.unresolved if u.nearest}
    assert all(line in near for line in named)


#: measured 0.991 (462 of 466; 0.953 before batch-first resolve, whose DBLP tables of contents and
#: Semantic Scholar search find more spellings; the similarity rule it replaced made 70 wrong
#: matches on this corpus, tests/test_near_miss.py with the old rule patched in). The four misses:
#: three titles with hyphens dropped ("MaxMinRLHF", "MultiLLM", "ContextAugmented": no service
#: splits the run-together word) and a dropped subtitle whose tag names a venue the venue table
#: does not know (so nothing confirms it)
RESTYLED_RECALL = 0.98
NEAREST_NAMED = 0.65


def test_real_neighbours_served_together_each_find_themselves(outcomes):
    outs, _ = outcomes
    both = {line: w for line, w in EXPECT.items() if w[2] == "real pair, both served"}
    assert [line for line, w in both.items() if matched_id(outs[line]) != w[1]] == []


def test_restyled_titles_still_find_their_paper(outcomes):
    outs, _ = outcomes
    wanted = {line: w for line, w in EXPECT.items() if w[0] == "match" and not w[2].startswith("real pair")}
    found = [line for line, w in wanted.items() if matched_id(outs[line]) == w[1]]
    missed = sorted({w[2] for line, w in wanted.items() if line not in found})
    recall = len(found) / len(wanted)
    assert recall >= RESTYLED_RECALL, f"recall {recall:.3f}; missed kinds: {missed}"

