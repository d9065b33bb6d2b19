"""`plmcite parse` for scripts, and the config discovery every command relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from plmcite.cli import main

from conftest import START


def test_parse_json_shape():
    res = CliRunner().invoke(main, ["parse", "--list", str(START), "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert len(data["entries"]) == 102
    pad = next(e for e in data["entries"] if e["title"].startswith("PAD:"))
    assert pad == {
        "section": "1.4", "line": 83,
        "tag": {"raw": "2025 ICLR", "year": 2025, "venue": "ICLR", "arxiv_month": None},
        "title": "PAD: Personalized Alignment of LLMs at Decoding-Time",
        "links": [{"label": "Paper", "url": "https://arxiv.org/pdf/2410.04070", "target": "paper",
                   "ids": {"arxiv": "2410.04070"}}],
        "ids": {"arxiv": "2410.04070"}, "code": [], "problems": [],
        "dialect": "tagged", "last_line": 83, "name": None, "titled": True,
    }


def test_parse_text_goes_to_stdout_summary_to_stderr():
    res = CliRunner().invoke(main, ["parse", "--list", str(START)])
    assert "[1.4] Training-free Methods" in res.stdout
    assert "102 entries" in res.stderr and "102 entries" not in res.stdout


def test_commands_find_the_config_from_a_subdirectory(tmp_path):
    (tmp_path / "plmcite.toml").write_text('[list]\npath = "lists/my.md"\n')
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "my.md").write_text("## 1 A\n\n+ **\\[2025 ICLR\\]** T. \n")
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    out = subprocess.run([sys.executable, "-m", "plmcite.cli", "lint", "--no-catalog"], cwd=sub,
                         capture_output=True, text=True, env={**os.environ})
    assert out.returncode == 1
    assert "lists/my.md:3: no-link" in out.stdout


def test_missing_list_is_one_clear_line(tmp_path):
    res = CliRunner().invoke(main, ["lint", "--list", str(tmp_path / "nope.md")])
    assert res.exit_code == 1 and "nope.md: list file not found" in res.output
    assert "Traceback" not in res.output
