"""Quality gates run with the suite: lint, format, the import contract, types of the core."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "core": {"plugins", "hosts", "litestar"},
    "plugins": {"hosts"},
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:  # pragma: no cover - the dev group installs them
        pytest.fail(f"{name} is not installed in the test environment")
    return path


def test_ruff_lint_is_clean():
    result = _run(_tool("ruff"), "check", "--quiet", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(_tool("ruff"), "format", "--check", "--quiet", ".")
    assert result.returncode == 0, "run `uv run ruff format`:\n" + result.stdout + result.stderr


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_contract(package):
    """core never imports plugins, hosts or litestar; plugins never import hosts."""
    broken = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for lineno, module in _imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                broken.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert broken == []


#: The bottom of the core knows nothing above it: the ledger only accounts and transfers.
LOWER_LAYERS = {
    "core/ledger": ("core.ledger", "core.store", "core.lmdbpages"),
    "core/lmdbpages": ("core.lmdbpages",),
}


@pytest.mark.parametrize("folder", sorted(LOWER_LAYERS))
def test_lower_layers_import_nothing_above_them(folder):
    """core/ledger imports only itself, the store and the page readers (never wallets,
    analytics or anything built on it); core/lmdbpages only itself."""
    allowed = LOWER_LAYERS[folder]
    broken = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for lineno, module in _imported_modules(path):
            inside = module == "core" or module.startswith("core.")
            if inside and not any(module == a or module.startswith(a + ".") for a in allowed):
                broken.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert broken == []


def test_import_contract_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from litestar import Litestar\n    import hosts.web\n")
    assert [m for _, m in _imported_modules(bad)] == ["litestar", "hosts.web"]


def test_mypy_on_core():
    result = _run(_tool("mypy"), "--no-error-summary")
    assert result.returncode == 0, result.stdout + result.stderr
