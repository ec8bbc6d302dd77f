"""Start and stop project servers with pytest-xprocess.

One `Servers` object owns the servers of one run. Its xprocess state (pid files
and logs) lives in a fresh temporary folder, so nothing from an earlier run,
or from a run going on at the same time, is ever mistaken for this one's.
Servers listen on port 0: the system picks a free port, and the harness reads
it back from the process, so two runs never race for a port.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import ClassVar

import psutil
import py  # pytest's py.path, the path type xprocess works with
import requests
from xprocess import ProcessStarter, XProcess

from ..errors import HarnessFailure
from ..leftovers import RUN_ID, RUN_VARIABLE, make_folder
from .environments import Cancelled

LOG_TAIL_LINES = 20


class ServerFailed(HarnessFailure):
    """A server exited, or did not answer in time; ``log`` is what it printed."""


@dataclass(frozen=True)
class Server:
    """A running server: its address, log file and start-up time."""

    name: str
    url: str
    log_path: Path
    seconds: float  # from start to the first HTTP answer
    pid: int  # the server's main process

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    text = read_end(path)
    kept = [line for line in text.splitlines() if "@@__xproc_block" not in line]
    return "\n".join(kept[-lines:])


def read_end(path: Path, limit: int = 64 * 1024) -> str:
    """The last ``limit`` bytes of a log, as text; "" unless it is a regular
    file (the server could swap its log for a FIFO or a /dev/zero link)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        with os.fdopen(os.open(path, flags), "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return ""
            file.seek(max(0, info.st_size - limit))
            return file.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _listening_port(pid: int) -> int | None:
    """The TCP port the process, or one of its children, listens on."""
    try:
        root = psutil.Process(pid)
        for process in (root, *root.children(recursive=True)):
            for connection in process.net_connections(kind="tcp"):
                if connection.status == psutil.CONN_LISTEN:
                    return connection.laddr.port
    except psutil.Error:
        return None
    return None


class _Quiet:
    """xprocess prints its progress; the harness writes its own report."""

    def debug(self, message: str, *args: object) -> None:
        pass


class Servers:
    """The servers of one run; leaving the `with` block ends every one of them."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.cancel = threading.Event()
        self._state = make_folder("scaffold-servers-")  # marked: see leftovers
        # XProcess wants a pytest config (for its log-file registry) and a path.
        self._xprocess = XProcess(
            SimpleNamespace(), py.path.local(self._state), log=_Quiet()
        )
        self._names: list[str] = []
        self._stopped: set[str] = set()
        self._lock = threading.Lock()

    def __enter__(self) -> Servers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(
        self, label: str, command: Sequence[str], cwd: Path, env: dict[str, str]
    ) -> Server:
        """Start ``command`` and wait until it answers HTTP on its port."""
        if self.cancel.is_set():
            raise Cancelled
        name = f"{label}-{uuid.uuid4().hex[:8]}"
        with self._lock:
            self._names.append(name)
        found: dict[str, str] = {}
        harness = self

        class Starter(ProcessStarter):
            args = tuple(command)
            popen_kwargs: ClassVar = {"cwd": str(cwd)}
            timeout = self.timeout
            terminate_on_interrupt = True

            def startup_check(self) -> bool:
                return harness._ready(name, found)

        # xprocess uses it as the whole environment; the run id lets a later run
        # find this server if this one is killed (see leftovers).
        Starter.env = {**env, RUN_VARIABLE: RUN_ID}
        started = time.monotonic()
        log_path = Path(str(self._xprocess.getinfo(name).logpath))
        try:
            _, log = self._xprocess.ensure(name, Starter, persist_logs=False)
        except TimeoutError:
            self.stop(name)
            raise ServerFailed(
                f"no HTTP answer within {self.timeout:g} s", tail(log_path)
            ) from None
        except ServerFailed as failure:
            failure.log = tail(log_path)
            raise
        except BaseException:
            self.stop(name)
            raise
        seconds = time.monotonic() - started
        return Server(name, found["url"], Path(str(log)), seconds, int(found["pid"]))

    def _ready(self, name: str, found: dict[str, str]) -> bool:
        """Readiness: the process lives, listens, and answers an HTTP request."""
        if self.cancel.is_set():
            raise Cancelled
        if (code := self._exit_code(name)) is not None:
            raise ServerFailed(f"server exited with status {code} before answering", "")
        info = self._xprocess.getinfo(name)
        port = _listening_port(info.pid) if info.pid else None
        if port is None:
            return False
        url = f"http://127.0.0.1:{port}"
        try:
            requests.get(f"{url}/", timeout=2, allow_redirects=False)
        except requests.RequestException:
            return False
        found["url"], found["pid"] = url, str(info.pid)
        return True

    def _exit_code(self, name: str) -> int | None:
        for resource in self._xprocess.resources:
            if resource.info and resource.info[0].name == name and resource.popen:
                return resource.popen.poll()
        return None

    def stop(self, name: str) -> None:
        """End a server and every process it started, once: xprocess finds a
        server by the PID it recorded, which may belong to another process by
        the time of a second call (PIDs are reused)."""
        with self._lock:
            if name in self._stopped:
                return
            self._stopped.add(name)
        self._xprocess.getinfo(name).terminate(timeout=5)

    def close(self) -> None:
        """End every server of this run and forget its state."""
        self.cancel.set()
        with signals_held():
            for name in self._names:
                self.stop(name)
            for resource in self._xprocess.resources:
                if resource.popen is not None:
                    with suppress(subprocess.TimeoutExpired):
                        resource.popen.wait(timeout=10)  # reap: leave no zombie
                resource.release()  # close xprocess's log file handles
            shutil.rmtree(self._state, ignore_errors=True)


@contextmanager
def signals_held() -> Iterator[list[int]]:
    """Record Ctrl-C and SIGTERM instead of raising KeyboardInterrupt.

    Yields the list of signals received, for the caller to act on at a safe
    point. A KeyboardInterrupt raised at a random point can stop a thread
    while it holds a lock that another thread then waits for forever; and it
    must not cut a cleanup short.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # only the main thread can handle signals
        return
    previous = {
        sig: signal.signal(sig, lambda number, frame: received.append(number))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
