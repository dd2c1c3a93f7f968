"""The park unit's workflow notebook runs from top to bottom on the bundled demo data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "park_unit_workflow.ipynb"


@pytest.mark.slow
def test_park_unit_notebook_executes() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
    )
    assert "Vokabulär 2026.1" in outputs
    assert "0 fel" in outputs and "Okänd lokal kod" in outputs
    assert "mangdforteckning.csv" in outputs
