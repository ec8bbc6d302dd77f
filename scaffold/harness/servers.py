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
from .unprivileged import run_as

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
    """The servers of one run; leaving the `with` block ends every one of them.

    ``graceful``: servers are asked to stop (SIGTERM) and given time to;
    otherwise they are killed (SIGKILL) at once, for a run that throws their
    data away: ending gracefully costs each process the interpreter's shut-down
    (about 1 s of CPU for the ten projects of `scaffold smoke`).
    """

    def __init__(self, timeout: float = 30.0, *, graceful: bool = True) -> None:
        self.timeout = timeout
        self.graceful = graceful
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
        self,
        label: str,
        command: Sequence[str],
        cwd: Path,
        env: dict[str, str],
        timeout: float | None = None,
        user: str | None = None,
    ) -> Server:
        """Start ``command`` and wait until it answers HTTP on its port, at
        most ``timeout`` seconds (by default the run's); as ``user`` if one
        is given (scaffold runs as root: unprivileged.py)."""
        if self.cancel.is_set():
            raise Cancelled
        if user is not None:
            command = [*run_as(user), *command]
        name = f"{label}-{uuid.uuid4().hex[:8]}"
        with self._lock:
            self._names.append(name)
        found: dict[str, str] = {}
        harness = self
        # Ctrl-C and SIGTERM wait while the server is spawned and recorded (a
        # KeyboardInterrupt in between would leave it running, known to no
        # one); the readiness check notices them within 0.1 s, the server is
        # stopped, and they are delivered again on the way out.
        interrupted = signals_deferred()
        wait = self.timeout if timeout is None else timeout

        class Starter(ProcessStarter):
            args = tuple(command)
            popen_kwargs: ClassVar = {"cwd": str(cwd)}
            timeout = wait
            terminate_on_interrupt = True

            def startup_check(self) -> bool:
                return harness._ready(name, found, received)

        # xprocess uses it as the whole environment; the run id lets a later run
        # find this server if this one is killed (see leftovers).
        Starter.env = {**env, RUN_VARIABLE: RUN_ID}
        started = time.monotonic()
        log_path = Path(str(self._xprocess.getinfo(name).logpath))
        with interrupted as received:
            try:
                _, log = self._xprocess.ensure(name, Starter, persist_logs=False)
            except TimeoutError:
                self.stop(name)
                raise ServerFailed(
                    f"no HTTP answer within {wait:g} s", tail(log_path)
                ) from None
            except ServerFailed as failure:
                self.stop(name)  # its workers, if the arbiter died first
                failure.log = tail(log_path)
                raise
            except BaseException:
                self.stop(name)
                raise
        seconds = time.monotonic() - started
        return Server(name, found["url"], Path(str(log)), seconds, int(found["pid"]))

    def _ready(self, name: str, found: dict[str, str], signals: list[int]) -> bool:
        """Readiness: the process lives, listens, and answers an HTTP request."""
        if self.cancel.is_set() or signals:
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

    def _popen(self, name: str) -> subprocess.Popen[bytes] | None:
        for resource in self._xprocess.resources:
            if resource.info and resource.info[0].name == name and resource.popen:
                popen: subprocess.Popen[bytes] = resource.popen
                return popen
        return None

    def _exit_code(self, name: str) -> int | None:
        """The server's exit status if it has exited; it is not reaped (see
        end_process_group)."""
        popen = self._popen(name)
        return exit_status(popen.pid) if popen else None

    def stop(self, name: str) -> None:
        """End a server and every process it started, once."""
        with self._lock:
            if name in self._stopped:
                return
            self._stopped.add(name)
        popen = self._popen(name)
        if popen is not None:
            end_process_group(popen, graceful=self.graceful)

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


def exit_status(pid: int) -> int | None:
    """The exit status of our child ``pid`` if it has exited, else None,
    without reaping it: until it is reaped its PID stays ours."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # already reaped
        return -1
    return None if info is None else info.si_status


def end_process_group(
    popen: subprocess.Popen[bytes], timeout: float = 5.0, *, graceful: bool = True
) -> None:
    """End a server started in a process group of its own (xprocess calls
    setpgrp) and every process in that group, then reap it.

    A snapshot of the process tree misses what the server forks after it is
    taken: gunicorn still starting when the signal lands forks its workers
    after, and they outlived a tree kill. The whole group is signalled
    instead, and only while its leader is not reaped: until then the group's
    id is the leader's PID, which no other process can be given, so the
    signals reach this server's processes only (a PID recorded in a file
    gives no such guarantee: PIDs are reused). ``graceful``: SIGTERM first,
    and ``timeout`` seconds to end, before the SIGKILL.
    """
    if popen.returncode is not None:
        return  # reaped already: its group id may be another process's by now
    group = popen.pid
    tree = _tree(group)  # children that left the group (rare), by identity
    if graceful:  # else straight to SIGKILL
        _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while exit_status(group) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    # What is left: a worker forked while the server was being ended, one that
    # ignores SIGTERM, or a server that would not stop.
    _signal_group(group, signal.SIGKILL)
    for process in tree:
        with suppress(psutil.Error):
            process.kill()  # psutil checks it is still the same process
    _wait_until_gone(group, timeout)
    popen.wait()


def _wait_until_gone(group: int, timeout: float) -> None:
    """Wait until no process of ``group`` but its leader is left running.

    killpg returns once the signal is sent, not once it is acted on: on a busy
    machine a worker can still be running for a moment after it. The leader
    is not reaped yet, so the group's id is still this server's.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = []
        for process in psutil.process_iter():
            with suppress(psutil.Error, OSError):
                if (
                    process.pid != group
                    and os.getpgid(process.pid) == group
                    and process.status() != psutil.STATUS_ZOMBIE
                ):
                    left.append(process)
        if not left:
            return
        time.sleep(0.05)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _signal_group(group: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C and SIGTERM for the block (see signals_held), then deliver
    those received to the handlers that were in place before."""
    with signals_held() as received:
        yield received
    for sig in dict.fromkeys(received):
        signal.raise_signal(sig)


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
