"""The codebase keeps its shape, and every bad input or environment problem ends in one line.

The structural checks read the source (no module over 500 lines, no import cycle, one exception
base). The error-path checks run the real CLI on broken catalogs, overrides, configs and disks,
and assert the one-line message, the documented exit code, and that no file changed.
"""

from __future__ import annotations

import ast
import errno
import importlib
import inspect
import json
import os
import pkgutil
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import plmcite
from plmcite.cli import main
from plmcite.errors import EXIT_FAILED, EXIT_USAGE, PlmciteError

PKG = Path(plmcite.__file__).parent
ROOT = PKG.parent
FIXTURE_CATALOG = Path(__file__).parent / "fixtures" / "catalog" / "catalog.json"


# --- the shape of the code ---------------------------------------------------------------------


def runtime_modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "testing" not in p.relative_to(PKG).parts)


def test_no_runtime_module_over_500_lines():
    big = {str(p.relative_to(ROOT)): n for p in runtime_modules() if (n := len(p.read_text().splitlines())) > 500}
    assert not big, f"split these by responsibility: {big}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules of plmcite imported when ``path`` is imported (function-level imports are lazy)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("plmcite")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("plmcite"):
                continue
            if mod != name:  # "from . import x" in a package's __init__ imports x, not itself again
                out.add(mod)
            for a in node.names:  # "from . import x" imports the submodule x
                if importlib.util.find_spec(f"{mod}.{a.name}") if _is_package(mod) else False:
                    out.add(f"{mod}.{a.name}")
    return out


def _is_package(mod: str) -> bool:
    spec = importlib.util.find_spec(mod)
    return spec is not None and spec.submodule_search_locations is not None


def import_graph() -> dict[str, set[str]]:
    return {_module_name(p): _top_level_imports(p) for p in sorted(PKG.rglob("*.py"))}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if m not in graph:
                continue
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_no_module_level_import_cycle():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    graph = import_graph()
    graph["plmcite.model"] = graph["plmcite.model"] | {"plmcite.catalog"}  # catalog imports model
    assert find_cycle(graph) is not None


def test_every_exception_class_shares_the_one_base():
    for info in pkgutil.walk_packages([str(PKG)], "plmcite."):
        if not info.name.endswith("__main__"):  # those run a command when imported
            importlib.import_module(info.name)
    defined = [cls for mod in list(sys.modules.values()) if getattr(mod, "__name__", "").startswith("plmcite")
               for _, cls in inspect.getmembers(mod, inspect.isclass)
               if cls.__module__ == mod.__name__ and issubclass(cls, BaseException)]
    assert len(defined) >= 15
    strays = [f"{c.__module__}.{c.__name__}" for c in defined if not issubclass(c, PlmciteError)]
    assert not strays


# --- bad input ends in one line -------------------------------------------------------------------


def project(tmp_path: Path, catalog_text: str | None = None, overrides: str | None = None,
            config: str | None = None) -> Path:
    """A list repository: plmcite.toml, refs/list.md, refs/catalog.json (the fixture's by default)."""
    (tmp_path / "refs").mkdir()
    (tmp_path / "plmcite.toml").write_text(config if config is not None else
                                           '[list]\npath = "refs/list.md"\n[catalog]\npath = "refs/catalog.json"\n')
    (tmp_path / "refs" / "list.md").write_text("# List\n\n## 1. Papers\n\n+ **\\[2024 Arxiv-2401\\]** A Paper. "
                                               "([Paper](https://arxiv.org/abs/2401.00001))\n")
    (tmp_path / "refs" / "catalog.json").write_text(catalog_text if catalog_text is not None
                                                    else FIXTURE_CATALOG.read_text())
    if overrides is not None:
        (tmp_path / "refs" / "overrides.toml").write_text(overrides)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(root: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter (``prelude`` may inject an environment fault)."""
    code = f"{prelude}\nfrom plmcite.cli import main\nmain()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PLMCITE_DEBUG", None)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=60)


def one_line_error(p: subprocess.CompletedProcess) -> str:
    """The one error line (after any warnings the command printed before it failed)."""
    lines = [l for l in p.stderr.strip().splitlines() if not l.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), p.stderr
    assert p.stderr.rstrip().endswith(lines[0]) and "Traceback" not in p.stderr and p.stdout == ""
    return lines[0]


def test_a_catalog_of_the_wrong_shape_is_one_line(tmp_path):
    root = project(tmp_path, catalog_text='[{"format": "plmcite-catalog/1"}]\n')
    before = snapshot(root)
    p = run_cli(root, "export")
    assert p.returncode == EXIT_FAILED
    line = one_line_error(p)
    assert "refs/catalog.json" in line and "not a plmcite catalog" in line
    assert snapshot(root) == before


@pytest.mark.parametrize("field, value, said", [
    ("year", "abc", "year must be a whole number, not 'abc'"),
    ("authors", [{"name": "x"}], "an author must be"),
    ("kind", "poster", "kind must be one of"),
    ("month", 13, "month must be 1 to 12"),
    ("provenance", [], "provenance must be an object, not []"),
    ("ids", ["arxiv"], "ids must be an object of strings"),
])
def test_a_wrongly_typed_field_names_the_work(tmp_path, field, value, said):
    data = json.loads(FIXTURE_CATALOG.read_text())
    data["works"][3][field] = value
    key = data["works"][3]["key"]
    root = project(tmp_path, catalog_text=json.dumps(data))
    before = snapshot(root)
    r = CliRunner().invoke(main, ["--config", str(root / "plmcite.toml"), "export"])
    assert r.exit_code == EXIT_FAILED and r.stdout == ""
    assert f"work {key!r}" in r.stderr and said in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


def test_resolve_refuses_to_overwrite_a_catalog_it_cannot_read(tmp_path):
    root = project(tmp_path, catalog_text='{"format": "plmcite-catalog/1", "works": {}}')
    before = snapshot(root)
    p = run_cli(root, "resolve", "--offline")
    assert p.returncode == EXIT_FAILED
    line = one_line_error(p)
    assert "refs/catalog.json" in line and "will not overwrite" in line
    assert snapshot(root) == before


def test_a_badly_typed_override_names_the_file_and_table(tmp_path):
    root = project(tmp_path, overrides='[some2024key]\nyear = "2024"\n')
    p = run_cli(root, "export")
    assert p.returncode == EXIT_FAILED
    line = one_line_error(p)
    assert "overrides.toml" in line and "[some2024key]" in line and "year must be a whole number" in line


def test_a_broken_config_is_one_line(tmp_path):
    root = project(tmp_path, config="[list\npath = 1\n")
    p = run_cli(root, "lint")
    assert p.returncode == EXIT_FAILED
    assert "plmcite.toml: not valid TOML" in one_line_error(p)


def test_a_full_disk_changes_no_file(tmp_path):
    root = project(tmp_path)
    (root / "out.bib").write_text("% my old bibliography\n")
    before = snapshot(root)
    full = ("import os, errno\n"
            "def _full(src, dst, **kw):\n"
            "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), dst)\n"
            "os.replace = _full\n")
    p = run_cli(root, "export", "-o", "out.bib", prelude=full)
    assert p.returncode == EXIT_FAILED
    line = one_line_error(p)
    assert "out.bib" in line and "disk is full" in line and "nothing was changed" in line
    assert snapshot(root) == before  # the temporary file is gone too


def test_a_folder_in_the_way_is_one_line(tmp_path):
    root = project(tmp_path)
    (root / "refs" / "bib").write_text("a file where refs/bib/ should be\n")
    before = snapshot(root)
    p = run_cli(root, "bib")
    assert p.returncode == EXIT_FAILED
    line = one_line_error(p)
    assert "refs/bib" in line and "Not a directory" in line
    assert snapshot(root) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads and writes whatever the mode says")
def test_a_read_only_refs_folder_is_one_line(tmp_path):
    root = project(tmp_path)
    before = snapshot(root)
    (root / "refs").chmod(0o555)
    try:
        p = run_cli(root, "export", "-o", "refs/out.bib")
    finally:
        (root / "refs").chmod(0o755)
    assert p.returncode == EXIT_FAILED
    assert "Permission denied" in one_line_error(p)
    assert snapshot(root) == before


def test_debug_shows_the_traceback(tmp_path):
    root = project(tmp_path, catalog_text="[]")
    p = run_cli(root, "--debug", "export")
    assert p.returncode != 0 and "Traceback" in p.stderr and "CatalogError" in p.stderr


def test_a_wrong_command_line_is_exit_2(tmp_path):
    root = project(tmp_path)
    r = CliRunner().invoke(main, ["--config", str(root / "plmcite.toml"), "resolve", "--offline", "--refresh"])
    assert r.exit_code == EXIT_USAGE and "contradict" in r.stderr


def test_an_unknown_section_is_exit_1_and_one_line(tmp_path):
    root = project(tmp_path)
    r = CliRunner().invoke(main, ["--config", str(root / "plmcite.toml"), "export", "--section", "9.9"])
    assert r.exit_code == EXIT_FAILED and r.stderr.startswith("Error: no section '9.9'")


# --- file modes ----------------------------------------------------------------------------------


def test_written_files_get_the_umask_and_state_stays_private(tmp_path):
    from plmcite.atomic import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "refs.bib", "x")
        write_atomic(tmp_path / "state.json", "{}", private=True)
        (tmp_path / "mine.bib").write_text("y")
        (tmp_path / "mine.bib").chmod(0o640)
        write_atomic(tmp_path / "mine.bib", "z")
    finally:
        os.umask(old)
    mode = lambda name: stat.S_IMODE((tmp_path / name).stat().st_mode)  # noqa: E731
    assert mode("refs.bib") == 0o644
    assert mode("state.json") == 0o600
    assert mode("mine.bib") == 0o640  # an existing file keeps the mode its owner chose


def test_export_to_a_new_file_is_readable_by_the_group(tmp_path):
    root = project(tmp_path)
    p = run_cli(root, "export", "-o", "survey.bib", prelude="import os; os.umask(0o002)")
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE((root / "survey.bib").stat().st_mode) == 0o664
    shutil.rmtree(root)
