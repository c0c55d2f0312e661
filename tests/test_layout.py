"""The layout keeps the data flow visible: packages by stage, imports only downward, no cycles.

The rules live in pyproject.toml ([tool.importlinter]); import-linter checks every import of every
module, those inside functions included (only `if TYPE_CHECKING:` imports are left out)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SHARED_MODULES = {"__init__", "config", "office", "progress_log", "sentences", "textsim"}
PACKAGES = {"retrieval", "answer", "quiz", "faq", "knowledge_base", "web", "cli", "accounts"}
LAYERS_CONTRACT = "Data flows one way"
CYCLES_CONTRACT = "No import cycles"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_import_rules_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{LAYERS_CONTRACT}" in result.stdout and f"{CYCLES_CONTRACT}" in result.stdout
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_and_a_cycle_are_caught(tmp_path):
    """The same check on a copy with two planted faults: retrieval importing the web app (upward),
    and the LLM module importing the answerer inside a function (a cycle inside `answer`)."""
    for name in ("assistant", "ingest"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    routing = tmp_path / "assistant" / "retrieval" / "routing.py"
    routing.write_text(routing.read_text(encoding="utf-8") + "\nimport assistant.web.render  # planted\n",
                       encoding="utf-8")
    llm = tmp_path / "assistant" / "answer" / "llm.py"
    llm.write_text(llm.read_text(encoding="utf-8")
                   + "\n\ndef _planted():\n    from assistant.answer.answerer import Answerer\n\n    return Answerer\n",
                   encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "0 kept, 2 broken" in result.stdout
    assert "assistant.retrieval.routing -> assistant.web.render" in result.stdout
    assert "allowed in assistant.answer." in result.stdout
    assert "- .llm -> .answerer" in result.stdout


def test_the_top_level_holds_packages_and_shared_modules_only():
    top = ROOT / "assistant"
    modules = {p.stem for p in top.glob("*.py")}
    packages = {p.name for p in top.iterdir() if (p / "__init__.py").is_file()}
    assert modules == SHARED_MODULES
    assert packages == PACKAGES


def test_every_package_says_what_it_holds_and_may_import():
    for package in PACKAGES:
        init = ROOT / "assistant" / package / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc and len(doc) > 120, f"{package}/__init__.py needs a docstring: contents and imports"


def test_public_names_still_import():
    """The names the README, the CLI contract and the web app's API promise."""
    code = ("from assistant.answer import Answerer, Conversation, Answer, Citation; "
            "from assistant.retrieval import make_retriever, ensure_search_index, SearchFilters; "
            "from assistant.cli import app; from assistant.web import serve, build_app; "
            "from assistant.quiz import make_quiz; from assistant.faq.run import run_faq; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "ok", result.stderr
