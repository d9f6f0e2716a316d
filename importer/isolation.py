"""Read an uploaded file in a child process with a memory and a time limit.

``importer.reader`` bounds the work of every file it knows how to refuse. This is the second
wall, for what nobody foresaw: the file is parsed in a child process whose address space is capped
(``resource.setrlimit(RLIMIT_AS)``: what it holds at start plus ``limits.PARSE_MEMORY_BYTES``),
whose CPU time is capped, and which the caller kills after ``limits.PARSE_TIMEOUT_SECONDS``.
Whatever the file does, the server's own memory does not grow, and the editor gets a message
(``parse_memory``, ``parse_timeout`` or ``parse_failed``) instead of a frozen page.

The app server is multi-threaded, and forking a threaded process can deadlock the child, so
children come from a *forkserver*: a clean single-threaded process started once, with
``importer.reader`` (and openpyxl) imported already, that forks one child per file in a few
milliseconds. At most ``MAX_CONCURRENT_PARSES`` parses run at once; more callers wait their turn.
"""
from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util

from importer import limits
from importer.errors import ImportFileError
from importer.reader import DEFAULT_MAX_BYTES, RawSheet, read_file

MAX_CONCURRENT_PARSES = 2
_PRELOAD = ["importer.reader", "importer.isolation"]

_context_lock = threading.Lock()
_context = None
_slots = threading.BoundedSemaphore(MAX_CONCURRENT_PARSES)


@dataclass
class ParseStats:
    """What one isolated parse cost (for the benchmark and the tests)."""

    seconds: float = 0.0
    child_start_bytes: int = 0      # the child's resident memory when it started
    child_peak_bytes: int = 0       # its peak resident memory (0 if it never answered)
    outcome: str = ""               # ok, refused, memory, timeout, failed


class _Popen(popen_forkserver.Popen):
    """Python's forkserver launch (3.11), except that the child is not told to run the parent's
    main script again: under Streamlit that is Streamlit's command line (a second of imports per
    file), and the child needs nothing from it. Everything it runs is in ``_PRELOAD``."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


class _Context(mp_context.ForkServerContext):
    Process = _Process


def _forkserver() -> _Context:
    global _context
    with _context_lock:
        if _context is None:
            context = _Context()
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def warm_up() -> None:
    """Start the forkserver now (about half a second, once per server process)."""
    _forkserver()
    forkserver.ensure_running()


def read_isolated(data: bytes, file_name: str, max_bytes: int = DEFAULT_MAX_BYTES, *,
                  memory_bytes: int = limits.PARSE_MEMORY_BYTES,
                  timeout: float = limits.PARSE_TIMEOUT_SECONDS,
                  stats: ParseStats | None = None) -> list[RawSheet]:
    """``importer.reader.read_file`` in a bounded child process: the same sheets, or the same
    ``ImportFileError``; ``parse_memory``, ``parse_timeout`` or ``parse_failed`` when the child
    hits its limits or dies."""
    stats = stats if stats is not None else ParseStats()
    if len(data) > max_bytes:   # refused here: a file over the limit is not even copied to a child
        return read_file(data, file_name, max_bytes)
    context = _forkserver()
    started = time.perf_counter()
    with _slots:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(sender, data, file_name, max_bytes, memory_bytes, timeout),
                                  name="camau-import-parse", daemon=True)
        try:
            process.start()
            sender.close()
            reply = _wait(receiver, process, timeout)
        finally:
            if process.is_alive():
                process.kill()
            process.join(5)
            receiver.close()
            if process.exitcode is not None:
                process.close()
    stats.seconds = time.perf_counter() - started
    if reply is None:
        stats.outcome = "timeout"
        raise ImportFileError("parse_timeout", {"file": file_name, "seconds": round(timeout)}, "killed after timeout")
    kind, payload, start_bytes, peak_bytes = reply
    stats.child_start_bytes, stats.child_peak_bytes, stats.outcome = start_bytes, peak_bytes, kind
    if kind == "ok":
        return payload
    if kind == "refused":
        raise payload
    if kind == "memory":
        raise ImportFileError("parse_memory", {"file": file_name, "limit_bytes": memory_bytes}, payload)
    if kind == "timeout":
        raise ImportFileError("parse_timeout", {"file": file_name, "seconds": round(timeout)}, payload)
    raise ImportFileError("parse_failed", {"file": file_name}, payload)


def _wait(receiver, process, timeout: float):
    """The child's reply, or None after ``timeout``; a child that died without one is reported
    by its exit signal."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        if receiver.poll(min(remaining, 0.5)):
            try:
                return receiver.recv()
            except (EOFError, OSError):
                return _death(process)
        if not process.is_alive() and not receiver.poll(0):
            return _death(process)


def _death(process) -> tuple:
    process.join(1)
    code = process.exitcode
    if code == -signal.SIGXCPU:
        return ("timeout", "CPU limit (SIGXCPU)", 0, 0)
    return ("failed", f"child exit code {code}", 0, 0)


# --- in the child --------------------------------------------------------------------------

def _child(sender, data: bytes, file_name: str, max_bytes: int, memory_bytes: int, timeout: float) -> None:
    start = _rss_bytes()
    try:
        address_space = _vm_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        cpu = max(1, int(timeout) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        reply = ("ok", read_file(data, file_name, max_bytes))
    except ImportFileError as error:
        reply = ("refused", error)
    except MemoryError:
        reply = ("memory", "MemoryError")
    except RecursionError as error:
        reply = ("failed", f"RecursionError: {error}")
    except Exception as error:  # the child reports anything; the parent turns it into a message
        reply = ("failed", f"{type(error).__name__}: {error}")
    del data
    try:
        sender.send((*reply, start, _peak_bytes()))
    except (MemoryError, OSError, ValueError):
        with contextlib.suppress(Exception):   # nothing more can be said; the parent sees the exit
            sender.send(("memory" if reply[0] == "memory" else "failed", "reply could not be sent", start,
                         _peak_bytes()))
    finally:
        sender.close()


def _status_field(name: str) -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _vm_bytes() -> int:
    return _status_field("VmSize")


def _rss_bytes() -> int:
    return _status_field("VmRSS")


def _peak_bytes() -> int:
    # VmHWM, from the same /proc file as the start's VmRSS: ru_maxrss is synced lazily and could
    # read below a VmRSS taken earlier, so the peak seemed lower than the start.
    return _status_field("VmHWM")
