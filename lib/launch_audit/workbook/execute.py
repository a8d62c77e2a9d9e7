"""papermill, driven from Python (not its CLI: importing it once is most of its cost)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

KERNEL = "python3"
# ipykernel warns on every start that loopback TCP is unencrypted; the kernel is ours and local
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


@dataclass
class NotebookOutcome:
    ok: bool
    error: str = ""          # "ValueError: … (cell 4)" when the notebook broke


def describe_failure(exc: BaseException) -> str:
    """One readable line for run.json and the report banner."""
    try:
        from papermill.exceptions import PapermillExecutionError
    except ImportError:      # pragma: no cover - papermill is a dependency
        PapermillExecutionError = ()  # type: ignore[assignment]
    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"[:500]
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


def execute(source: Path, target: Path, parameters: dict[str, Any], *,
            cell_timeout_s: float, warm: WarmKernel | None = None) -> NotebookOutcome:
    """Run ``source`` into ``target`` with papermill; the executed notebook is written even when a cell fails
    (papermill puts its red banner at the top of it).

    No ``cwd``: papermill implements it with ``os.chdir``, which is process-wide, and
    stages run in threads; a later run then found the process sitting in an earlier
    run's renamed ``.partial`` folder. Notebooks get absolute paths instead, and the
    kernel starts in this process's working directory."""
    import papermill as pm

    target.parent.mkdir(parents=True, exist_ok=True)
    km = warm.take() if warm else None
    extra = {"km": km} if km is not None else {}
    try:
        pm.execute_notebook(str(source), str(target), parameters=parameters, kernel_name=KERNEL,
                            progress_bar=False, log_output=False,
                            execution_timeout=cell_timeout_s, extra_arguments=KERNEL_ARGS, **extra)
    except Exception as exc:  # noqa: BLE001 - a broken notebook is an outcome, not a crash of the run
        return NotebookOutcome(False, describe_failure(exc))
    finally:
        if warm is not None:
            warm.close()
    return NotebookOutcome(True)


class TrackingKernelManager(AsyncKernelManager):
    """Remembers the clients it hands out, so their channels can be closed after the notebook."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        client = super().client(**kwargs)
        self.clients.append(client)
        return client


class WarmKernel:
    """A kernel started ahead of time, with the workbook already imported.

    The run waits for the monitoring window anyway; kernels for the handover stage
    and the reports start during it, so those notebooks begin at once when their
    turn comes. papermill is handed the kernel manager and runs in it as usual.
    """

    # the notebooks' first cell: the workbook, and plotly's renderers (which import nbformat: ~1 s here)
    WARM_UP = ("import launch_audit.workbook, pandas, plotly.io as pio\n"
               "pio.renderers.default = 'plotly_mimetype'")

    def __init__(self) -> None:
        import threading

        self.km = TrackingKernelManager(kernel_name=KERNEL)
        self.error = ""
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._start, daemon=True, name="warm-kernel")
        self._thread.start()

    def _start(self) -> None:
        import asyncio

        from jupyter_client.blocking import BlockingKernelClient

        try:
            asyncio.run(self.km.start_kernel(extra_arguments=KERNEL_ARGS))
            client = BlockingKernelClient(connection_file=self.km.connection_file)
            client.load_connection_file()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
                client.execute(self.WARM_UP, silent=True, store_history=False)
                client.get_shell_msg(timeout=60)      # the reply: imports done
            finally:
                client.stop_channels()
        except Exception as exc:  # noqa: BLE001 - a cold start is the fallback, never a failure
            self.error = describe_failure(exc)
        finally:
            self._ready.set()

    def take(self, timeout: float = 60) -> object | None:
        """The kernel manager if the kernel is up (papermill's ``km``), else None for a cold start."""
        if not self._ready.wait(timeout) or self.error or not self.km.has_kernel:
            return None
        return self.km

    def close(self) -> None:
        import asyncio

        self._ready.wait(60)
        # papermill does not stop the channels of a client on a kernel it did not start; left open, zmq
        # would keep reconnecting them to ports a later kernel may get (its log: "DELIM not in msg_list")
        for client in self.km.clients:
            client.stop_channels()
        self.km.clients.clear()
        if self.km.has_kernel:
            try:
                asyncio.run(self.km.shutdown_kernel(now=True))
            except Exception:  # noqa: BLE001 - best effort: the kernel also exits when we do
                pass
