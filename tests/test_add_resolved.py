"""`plmcite add` fills title and tag from the resolver (real clients against the fake services)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from plmcite.cli import main
from plmcite.listfile import parse_file
from plmcite.testing import FakeInternet

from conftest import FIXTURES


@pytest.fixture
def net(monkeypatch, tmp_path):
    monkeypatch.setenv("PLMCITE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no plmcite.toml here: no catalog to look in first
    with FakeInternet(FIXTURES / "metadata") as net:
        for name, value in net.env().items():
            monkeypatch.setenv(name, value)
        yield net
        assert net.errors() == []


def _list_without(tmp_path, start_list, needle: str):
    text = "".join(l for l in start_list.read_text().splitlines(True) if needle not in l)
    p = tmp_path / "list.md"
    p.write_text(text)
    return p


def test_add_published_paper_by_anthology_id(net, tmp_path, start_list):
    path = _list_without(tmp_path, start_list, "2024.emnlp-main.85")
    res = CliRunner().invoke(main, ["add", "2024.emnlp-main.85", "--section", "1.4", "--list", str(path)])
    assert res.exit_code == 0, res.output
    added = [e for e in parse_file(path).entries if e.ids.get("acl") == "2024.emnlp-main.85"]
    assert len(added) == 1
    e = added[0]
    assert e.title.startswith("Controllable Preference Optimization")
    assert (e.tag.year, e.tag.venue) == (2024, "EMNLP")
    assert e.section == "1.4"


def test_add_preprint_by_arxiv_id_gets_arxiv_tag(net, tmp_path, start_list):
    path = _list_without(tmp_path, start_list, "2410.03848")
    res = CliRunner().invoke(main, ["add", "arXiv:2410.03848", "--section", "2.3", "--list", str(path), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert res.stdout == ("+ **\\[2024 Arxiv-2410\\]** Using Prompts to Guide Large Language Models in Imitating "
                          "a Real Person's Language Style. ([Paper](https://arxiv.org/pdf/2410.03848))\n")


def test_add_published_preprint_gets_the_venue_tag(net, tmp_path, start_list):
    path = _list_without(tmp_path, start_list, "2502.14289")
    res = CliRunner().invoke(main, ["add", "2502.14289", "--section", "1.4", "--list", str(path), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("+ **\\[2025 EMNLP Findings\\]** Drift: Decoding-time Personalized Alignments")


def test_add_refuses_a_paper_listed_under_another_identifier(net, start_list):
    # the list links PAD by arXiv id; its OpenReview id is only known to the services
    res = CliRunner().invoke(main, ["add", "2405.17977", "--section", "2.3", "--list", str(start_list)])
    assert res.exit_code == 1 and "already in the list" in res.output


def test_add_unknown_identifier_asks_for_a_title(net, start_list):
    res = CliRunner().invoke(main, ["add", "2401.99999", "--section", "2.3", "--list", str(start_list)])
    assert res.exit_code == 1 and "pass --title" in res.output
