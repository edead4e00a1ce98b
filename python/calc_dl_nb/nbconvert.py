"""Plain `jupyter nbconvert --to notebook --execute` fails on a broken notebook of the evcxr kernel.

evcxr answers `ok` to a cell that panicked or returned an `Err` through `?` (it only prints them on
stderr), so nbconvert's own ExecutePreprocessor exits 0 on them. scripts/setup.sh writes a
`jupyter_nbconvert_config.py` into the venv's `etc/jupyter` (a folder every Jupyter application of
that environment reads) that calls `configure(c)`: nbconvert then executes with
`StrictExecutePreprocessor`, which judges each cell as `make test` does (calc_dl_nb.cells) and
raises nbconvert's CellExecutionError naming the notebook and the cell. The kernel is untouched:
in JupyterLab a panic still keeps the learner's variables.
"""

from __future__ import annotations

from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert.preprocessors import ExecutePreprocessor
from nbformat.v4 import new_output

from .cells import cell_source, check_cell, drain_late_output, first_line, renumber

# nbclient waits forever by default; a cell of the book takes seconds, a cold `:dep` a few minutes.
CELL_TIMEOUT = 900


def strict_failure(client, cell, index: int, notebook: str) -> CellExecutionError | None:
    """After a code cell ran: collect evcxr's late stderr, then the error to raise, if the cell failed."""
    if cell.cell_type != "code" or client.allow_errors:
        return None
    drain_late_output(client, cell)
    failure = check_cell(cell, index + 1)
    if failure is None:
        return None
    summary = f"{notebook}, cell {index + 1} ({failure.kind}): {first_line(cell)}"
    rule = "-" * 18
    report = f"{failure.render(notebook)}\nin this cell:\n{rule}\n{cell_source(cell).rstrip()}\n{rule}"
    # Shown in the executed notebook too, where papermill and a reader look for errors.
    cell.outputs.append(new_output("error", ename=failure.kind, evalue=summary, traceback=report.splitlines()))
    return CellExecutionError(report, failure.kind, summary)


class StrictExecutePreprocessor(ExecutePreprocessor):
    """nbconvert's ExecutePreprocessor that also fails on a panic or a `?` error (stderr only)."""

    def preprocess(self, nb, resources=None, km=None):
        nb, resources = super().preprocess(nb, resources, km)
        renumber(nb)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        notebook = resources.get("metadata", {}).get("name", "notebook") + ".ipynb"
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except CellTimeoutError as e:  # nbclient's own errors say neither the notebook nor the cell
            raise CellTimeoutError(f"{notebook}, cell {index + 1} (timeout): {e}") from None
        except CellExecutionError as e:
            # nbclient's message shows the cell, but evcxr's coloured traceback comes out blank: print ours.
            failure = check_cell(cell, index + 1)
            detail = failure.render(notebook) if failure else str(e)
            raise CellExecutionError(f"{notebook}, cell {index + 1} (error): {first_line(cell)}\n{detail}", e.ename, e.evalue) from None
        error = strict_failure(self, cell, index, notebook)
        if error is not None:
            raise error
        return cell, resources


def configure(c) -> None:
    """Called from the venv's jupyter_nbconvert_config.py: execute with StrictExecutePreprocessor."""
    from nbconvert.exporters import Exporter

    defaults = Exporter.class_traits()["default_preprocessors"].default()
    ours = f"{__name__}.StrictExecutePreprocessor"
    c.Exporter.default_preprocessors = [
        ours if p in ("nbconvert.preprocessors.ExecutePreprocessor", ExecutePreprocessor) else p for p in defaults
    ]
    if "timeout" not in c.ExecutePreprocessor:
        c.ExecutePreprocessor.timeout = CELL_TIMEOUT
