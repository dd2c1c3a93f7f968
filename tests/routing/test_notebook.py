"""The analyst's weekly routing notebook runs from top to bottom on the bundled demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import execute_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "weekly_routing.ipynb"


@pytest.mark.slow
def test_weekly_routing_notebook_executes() -> None:
    outputs = execute_notebook(NOTEBOOK)
    assert "synthetic data: True" in outputs
    assert "Vecka 47:" in outputs
    assert "'ownership'" in outputs and "'responsibility'" in outputs
    assert "safety-walk remarks name another owner" in outputs
    assert "karta:" in outputs
    assert (ROOT / "out" / "notebook-week" / "map.html").exists()
