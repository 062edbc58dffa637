"""The example notebook py/examples/analyst.ipynb runs headless from top to bottom, so it
cannot rot; its rich outputs include the rubric table and the score's SVG chart."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "analyst.ipynb"


def test_notebook_runs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it without outputs"
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    html = [
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "execute_result" and "text/html" in o.get("data", {})
    ]
    assert any("Volunteer hours per year" in h and "Residents" in h for h in html), "the rubric table"
    assert any("<svg" in h for h in html), "a score with its chart"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
