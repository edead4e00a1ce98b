"""`papermill --engine calc_dl in.ipynb out.ipynb`: papermill that fails on a panic or a `?` error.

Papermill reads no Jupyter configuration, so nbconvert's hook does not reach it; an engine does
(registered by this package's entry point `papermill.engine`). Its client judges each cell as
`make test` does; a failed cell is marked in the output notebook and papermill exits 1.
"""

from __future__ import annotations

from pathlib import Path

from nbclient.exceptions import CellExecutionError, CellTimeoutError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from .nbconvert import CELL_TIMEOUT, strict_failure


class StrictClient(PapermillNotebookClient):
    def execute_cell(self, cell, cell_index, *args, **kwargs):
        name = Path(self.nb_man.nb.metadata.get("papermill", {}).get("input_path", "notebook")).name
        where = f"{name}, cell {cell_index + 1}"
        try:
            cell = super().execute_cell(cell, cell_index, *args, **kwargs)
        except CellTimeoutError as e:
            raise CellTimeoutError(f"{where} (timeout): {e}") from None
        except CellExecutionError:
            for out in cell.outputs:  # papermill reports the error outputs: say where they are
                if out.output_type == "error":
                    out.traceback = [f"{where} (error):", *out.get("traceback", [])]
            raise
        error = strict_failure(self, cell, cell_index, name)
        if error is not None:
            raise error
        return cell


class StrictEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, start_timeout=60, execution_timeout=None, **kwargs):
        # As papermill's own NBClientEngine, with StrictClient and a cell timeout by default; the rest
        # (log_output, stdout_file, stderr_file) reaches the client as papermill passed it.
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout or CELL_TIMEOUT,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
        )
        return StrictClient(nb_man, **final_kwargs).execute()

