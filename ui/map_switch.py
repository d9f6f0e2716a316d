"""Writes the map's switch files (views/map/switch.py) into ./static/switch, served at
/app/static/switch, beside the script run that names them.

A file's name is known at once (a hash of its key and of this process), so the run sends the URL
without waiting; one background thread writes the file, and the map's script fetches it with a
few retries. Built once per key and process; the directory keeps the newest files only.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from geo.web_geometry import STATIC_DIR, write_atomic
from ui.settings import static_url

SWITCH_DIR = STATIC_DIR / "switch"
KEEP_FILES = 400          # ~40–80 KB each: at most ~30 MB, whatever the traffic
_REMEMBERED_JOBS = 512
# Another process (a restart with other code, another replica) never serves this one's names.
_PROCESS = secrets.token_hex(8)
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camau-map-switch")
_jobs: OrderedDict[str, Future] = OrderedDict()
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def switch_url(key: tuple, make: Callable[[], dict], directory: Path = SWITCH_DIR) -> str:
    """The URL of the file ``make()`` writes for ``key`` (a repr-stable tuple); the file is written
    in the background the first time this process sees ``key``."""
    name = "switch-" + hashlib.sha256(repr((key, _PROCESS)).encode("utf-8")).hexdigest()[:24] + ".json"
    with _lock:
        if name in _jobs:
            _jobs.move_to_end(name)
        else:
            _jobs[name] = _pool.submit(_write, directory / name, make, directory)
            while len(_jobs) > _REMEMBERED_JOBS:
                _jobs.popitem(last=False)
    return f"{static_url()}/switch/{name}"


def wait_for_switch_files(timeout: float = 30) -> None:
    """Until every file asked for so far is written (tests, benchmarks)."""
    with _lock:
        jobs = list(_jobs.values())
    for job in jobs:
        job.result(timeout=timeout)


def _write(target: Path, make: Callable[[], dict], directory: Path) -> None:
    if target.exists():
        return
    try:
        write_atomic(target, json.dumps(make(), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        _prune(directory)
    except Exception:       # the map then simply waits for the server, as it did before
        _log.exception("could not write the map's switch file %s", target.name)


def _prune(directory: Path) -> None:
    files = []
    for path in directory.glob("switch-*.json"):
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:        # pruned by another replica meanwhile
            continue
    for _, path in sorted(files)[:-KEEP_FILES]:
        path.unlink(missing_ok=True)
