"""The analyst's weekly routing notebook runs from top to bottom on the bundled demo data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "weekly_routing.ipynb"


@pytest.mark.slow
def test_weekly_routing_notebook_executes() -> None:
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
    assert "synthetic data: True" in outputs
    assert "Vecka 47:" in outputs
    assert "'ownership'" in outputs and "'nearest'" in outputs
    assert "safety-walk remarks name another owner" in outputs
    assert "karta:" in outputs
    assert (ROOT / "out" / "notebook-week" / "map.html").exists()
