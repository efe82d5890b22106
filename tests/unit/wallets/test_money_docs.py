"""The example at the top of docs/money.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "money.md"


def test_the_docs_example_runs(tmp_path):
    example = re.search(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)
    assert example is not None
    exec(compile(example.group(1), str(DOC), "exec"), {"data_dir": tmp_path / "data"})
    from core.network import Network
    from core.settings import load_settings

    with Network.open(load_settings(tmp_path / "data")) as network:
        assert network.money.check_invariants().ok
