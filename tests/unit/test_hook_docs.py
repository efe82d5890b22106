"""docs/plugins.md documents every hook of core.hookspecs with its exact signature and mode."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core.plugins import PluginManager

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def _hooks() -> dict[str, object]:
    pm = PluginManager(load_entry_points=False).pm
    return {
        name: caller
        for name, caller in vars(pm.hook).items()
        if not name.startswith("_") and getattr(caller, "spec", None) is not None
    }


def signature_of(name: str) -> str:
    """The signature as written in the docs: ``name(arg: Type, ...) -> Return``."""
    caller = _hooks()[name]
    function = caller.spec.function  # type: ignore[attr-defined]
    sig = inspect.signature(function)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def mode_of(name: str) -> str:
    opts = _hooks()[name].spec.opts  # type: ignore[attr-defined]
    if opts.get("firstresult"):
        return "firstresult"
    if opts.get("historic"):
        return "historic"
    return "all results"


def _sections() -> dict[str, str]:
    text = DOCS.read_text("utf-8")
    parts = re.split(r"^### `([a-z_]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_there_are_hooks_to_document():
    assert "register_routes" in _hooks()


@pytest.mark.parametrize("name", sorted(_hooks()))
def test_each_hook_is_documented_with_its_signature_mode_and_example(name):
    sections = _sections()
    assert name in sections, f"docs/plugins.md has no '### `{name}`' section"
    body = sections[name]
    assert signature_of(name) in body, f"signature of {name} differs from core.hookspecs"
    assert f"Calling mode: {mode_of(name)}" in body
    assert "@hookimpl" in body, f"the {name} section needs an example"


def test_docs_do_not_describe_hooks_that_do_not_exist():
    assert set(_sections()) <= set(_hooks())
