"""The park unit's workflow notebook runs from top to bottom on the bundled demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import execute_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "park_unit_workflow.ipynb"


@pytest.mark.slow
def test_park_unit_notebook_executes() -> None:
    outputs = execute_notebook(NOTEBOOK)
    assert "Vokabulär 2026.2" in outputs
    assert "0 fel" in outputs and "Okänd lokal kod" in outputs
    assert "mangdforteckning.csv" in outputs
