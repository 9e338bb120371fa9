"""Notebooks: paired with py:percent files, committed without outputs, free of analysis logic,
and each one runs top to bottom (headless, with nbclient) on the shipped corpus."""

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from mediaframes import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = ["01_corpus", "02_naming_and_lexicons", "03_keyness", "04_classifiers", "05_events_and_time"]


def test_the_five_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_its_paired_script(path: Path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{path.name} has no paired py:percent file; run: jupytext --set-formats ipynb,py:percent {path}"
    from_script = jupytext.read(script)
    notebook = nbformat.read(path, as_version=4)
    assert [(c.cell_type, c.source) for c in from_script.cells] == [(c.cell_type, c.source) for c in notebook.cells], \
        f"{path.name} and {script.name} differ; run: jupytext --sync {script}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} carries stale outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_holds_no_analysis_logic(path: Path):
    """Notebooks call the package: no function or class definitions of their own."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(cell.source)):
                assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), \
                    f"{path.name} defines code; move it into the mediaframes package"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, embedded_store, monkeypatch):
    # the kernel inherits the environment: point it at the session's store (already built)
    monkeypatch.setenv("MEDIAFRAMES_STORE", embedded_store.path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
