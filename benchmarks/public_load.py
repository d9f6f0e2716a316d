"""Load benchmark for the public view (public.py): many concurrent viewer sessions on loopback.

Run from the repository root:

    .venv/bin/python benchmarks/public_load.py                   # 50 concurrent sessions
    options: --sessions N (concurrent sessions, default 50), --timeout S (limit for the whole run,
             server start included, default 120 s)

What it does (every figure is printed as a ``name: value`` line):
1. Starts public.py as its own server, as scripts/run-public.sh does (viewer toolbar, no error
   details, no page navigation, XSRF protection on), on a free 127.0.0.1 port, cwd = repository
   root (so .streamlit/config.toml applies), with CAMAU_STATE_DIR = a new temporary directory and
   no DATABASE_URL / DATABASE_URL_RO: there is no published data, so the page shows the reference
   indicators. The server is one process (``python -m streamlit run``); it is stopped by its PID
   at the end, whatever happens. Its RSS (VmRSS in /proc/<pid>/status) is read once it is healthy,
   before any session: ``server_rss_mb_before``.
2. Each viewer session is a websocket "browser" speaking Streamlit 1.67's protocol (see
   ../shared/notes/storage-and-sign-in.md §4.4): GET /_stcore/health for the ``_streamlit_xsrf``
   cookie (done before the session's clock starts, like the page load that precedes the
   websocket), then a websocket to /_stcore/stream with that cookie, the token as the 2nd
   subprotocol and a same-origin ``Origin``; a ``rerun_script`` BackMsg with a query string
   ``ind=<indicator>&c=32005``, the indicator cycling through population_2019, households_2019,
   population_density, area_km2, urban_share_2019. ForwardMsgs are read until ``script_finished``.
   "map data" = the delta whose new element is the ``streamlit_folium.st_folium`` component
   instance (its json_args holds the map). Times are from the call that opens the websocket to
   (a) receiving that delta and (b) receiving ``script_finished``. A session counts as an error
   if it times out (60 s per session, less if the overall limit is closer), raises, receives an
   exception element or an error alert, gets no st_folium delta (or one with empty json_args),
   or finishes with any status other than FINISHED_SUCCESSFULLY. The client sends no cached
   message hashes, so the server sends every message in full.
3. Warm-up (not counted): one session per indicator of the cycle, one after another; the first
   is the server's first script run (imports, reference data, geometry preparation) and is
   shown as ``warmup_first_session_map_data_ms``.
4. Baseline in the same run: 5 sessions one after another (the indicator cycle), each alone on
   the server; ``baseline_single_session_map_data_ms`` is their median.
5. Load: --sessions cookies are fetched, then all websockets are opened at once (asyncio,
   websockets.asyncio.client). Every session stays open, draining messages, until every session
   has its map and ``script_finished`` (or has failed), so all N are connected at the same time;
   then all are closed. The server RSS is sampled every 100 ms by a thread from just before
   the sessions open until they are closed (``server_rss_mb_peak``, the largest sample, also
   counting the RSS read when the last session was done); ``server_rss_mb_before_load`` is read
   after warm-up and baseline, ``server_rss_mb_after`` 2 s after the close (Streamlit keeps a
   disconnected session for server.disconnectedSessionTTL, 120 s by default, so its memory need
   not be returned by then). Printed: min/p50/p95/max of the time to map data, p50 of the time to
   script_finished, the median length of the st_folium json_args, p50(load)/p50(baseline), the
   server's and this client's CPU seconds during the load (the client shares the CPUs with the
   server), and, if any session failed, the most common error causes (``error_kinds``).
   Reading the figures: Streamlit runs every session's script in a thread of the one server
   process, so the load is bound by one core (server CPU seconds ~ load seconds); in the runs so
   far all sessions received their maps within about 0.1 s of each other (each its first
   message only just before its map), so min, p50 and max are close and all grow with N.

Targets (issue: "50 concurrent sessions with zero errors, server RSS at 50 sessions ≤ 600 MB"),
printed under ``targets:`` as PASS/FAIL: zero errors at N sessions, and peak RSS ≤ 600 MB. Both
are judged at whatever --sessions is (the issue's figure is for 50). The exit code is 0 when
the benchmark ran (whether or not the targets passed) and 1 when it could not run (server did
not start, warm-up or baseline failed, or the time limit expired before the load phase).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

import numpy as np
import requests
from servers import emit, free_port, stop_server, upload_limit_args  # benchmarks/servers.py, beside this script
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

REPO = Path(__file__).resolve().parent.parent
INDICATORS = ["population_2019", "households_2019", "population_density", "area_km2", "urban_share_2019"]
COMMUNE = "32005"
COMPONENT = "streamlit_folium.st_folium"
SESSION_TIMEOUT_S = 60.0
BASELINE_RUNS = 5
RSS_SAMPLE_S = 0.1
AFTER_CLOSE_WAIT_S = 2.0
RSS_MAX_MB = 600.0
FINISHED_OK = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


# --- output ------------------------------------------------------------------------------------

def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


# --- the server ----------------------------------------------------------------------------------

def rss_mb(pid: int) -> float | None:
    """VmRSS of one process in MB (1 MB = 1024 kB, as /proc reports kB), None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (its threads included)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            children += [int(p) for p in task.read_text().split()]
    return children


@contextlib.contextmanager
def public_server(state_dir: str, log_path: Path, deadline: float):
    """public.py as scripts/run-public.sh starts it, on a free loopback port; yields (base URL,
    process); always stopped by PID."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "public.py",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
           "--client.showErrorDetails", "none", "--client.showSidebarNavigation", "false",
           "--server.enableXsrfProtection", "true", *upload_limit_args(public=True)]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_URL_RO")}
    env["CAMAU_STATE_DIR"] = state_dir
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"public server exited ({proc.returncode})")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("public server not healthy before the time limit")
            time.sleep(0.25)
        yield base, proc
    finally:
        stop_server(proc)


class RssSampler:
    """Samples one process's RSS every RSS_SAMPLE_S seconds in a thread of its own (independent of
    the event loop, which is busy with the sessions)."""

    def __init__(self, pid: int):
        self.pid, self.samples = pid, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            value = rss_mb(self.pid)
            if value is not None:
                self.samples.append(value)
            if self._stop.wait(RSS_SAMPLE_S):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# --- one viewer session ----------------------------------------------------------------------------

def query_for(index: int) -> str:
    return f"ind={INDICATORS[index % len(INDICATORS)]}&c={COMMUNE}"


def xsrf_cookies(base: str) -> dict[str, str]:
    """What a browser holds after loading the page: the cookies /_stcore/health sets."""
    with requests.Session() as http:
        http.get(f"{base}/_stcore/health", timeout=10).raise_for_status()
        cookies = dict(http.cookies.items())
    if not cookies.get("_streamlit_xsrf"):
        raise RuntimeError("no _streamlit_xsrf cookie from /_stcore/health")
    return cookies


class Session:
    """One viewer: opens the websocket, runs the script, records the times and any error."""

    def __init__(self, base: str, query: str, cookies: dict[str, str]):
        self.base, self.query, self.cookies = base, query, cookies
        self.map_ms: float | None = None
        self.finished_ms: float | None = None
        self.map_bytes = 0
        self.error: str | None = None

    async def run(self, timeout: float, hold: asyncio.Event | None = None,
                  on_done=None) -> Session:
        """Runs the script; with ``hold``, then keeps the websocket open (draining messages) until
        ``hold`` is set. ``on_done`` is called once the run has succeeded or failed."""
        host = self.base.removeprefix("http://")
        cookie_header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        give_up = time.monotonic() + timeout
        reported = False
        try:
            async with connect(f"ws://{host}/_stcore/stream",
                               subprotocols=["streamlit", self.cookies["_streamlit_xsrf"]],
                               origin=self.base,
                               additional_headers={"Cookie": cookie_header},
                               open_timeout=timeout, close_timeout=5, max_size=None, compression=None,
                               ping_interval=None) as ws:
                try:
                    await asyncio.wait_for(self._script(ws, started),
                                           max(give_up - time.monotonic(), 0.01))
                except TimeoutError:
                    self.error = "timeout"
                if on_done:
                    on_done(self)
                    reported = True
                if hold is not None:
                    await self._drain_until(ws, hold)
        except Exception as exc:
            self.error = self.error or f"{type(exc).__name__}: {exc}"[:160]
        if on_done and not reported:
            on_done(self)
        return self

    async def _script(self, ws, started: float) -> None:
        back = BackMsg()
        back.rerun_script.query_string = self.query
        await ws.send(back.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                element_kind = element.WhichOneof("type")
                component = element.component_instance
                if element_kind == "component_instance" and component.component_name == COMPONENT:
                    if self.map_ms is None:
                        self.map_ms = (time.perf_counter() - started) * 1000
                        self.map_bytes = len(component.json_args)
                elif element_kind == "exception":
                    self.error = self.error or f"exception element: {element.exception.type}"
                elif element_kind == "alert" and element.alert.format == element.alert.ERROR:
                    self.error = self.error or f"error alert: {element.alert.body[:80]}"
            elif kind == "script_finished":
                self.finished_ms = (time.perf_counter() - started) * 1000
                if fm.script_finished != FINISHED_OK:
                    self.error = self.error or f"script_finished status {fm.script_finished}"
                elif self.map_ms is None:
                    self.error = self.error or "no st_folium component"
                elif not self.map_bytes:
                    self.error = self.error or "st_folium component with empty json_args"
                return

    @staticmethod
    async def _drain_until(ws, hold: asyncio.Event) -> None:
        """Keeps reading (so nothing backs up) until every session is done."""
        while not hold.is_set():
            recv = asyncio.ensure_future(ws.recv())
            waiter = asyncio.ensure_future(hold.wait())
            done, _ = await asyncio.wait({recv, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if recv not in done:
                recv.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await recv
            else:
                waiter.cancel()
                recv.result()     # a closed connection raises here: an error


async def one_session(base: str, index: int, deadline: float) -> Session:
    cookies = await asyncio.to_thread(xsrf_cookies, base)
    timeout = min(SESSION_TIMEOUT_S, deadline - time.monotonic())
    if timeout <= 0:
        raise RuntimeError("time limit reached")
    return await Session(base, query_for(index), cookies).run(timeout)


async def sequential(base: str, count: int, deadline: float, what: str) -> list[Session]:
    sessions = []
    for index in range(count):
        session = await one_session(base, index, deadline)
        if session.error:
            raise RuntimeError(f"{what} session {index} ({session.query}) failed: {session.error}")
        sessions.append(session)
    return sessions


# --- the load ------------------------------------------------------------------------------------

async def load(base: str, pid: int, count: int, deadline: float) -> dict:
    """``count`` concurrent sessions, all held open until every one is done; RSS sampled."""
    cookies = await asyncio.gather(*[asyncio.to_thread(xsrf_cookies, base) for _ in range(count)])
    timeout = min(SESSION_TIMEOUT_S, deadline - time.monotonic())
    if timeout <= 0:
        raise RuntimeError("time limit reached before the load phase")
    hold = asyncio.Event()
    done = 0
    rss_all_mapped = None

    def on_done(_session: Session) -> None:
        nonlocal done, rss_all_mapped
        done += 1
        if done == count:
            rss_all_mapped = rss_mb(pid)
            hold.set()

    sessions = [Session(base, query_for(i), cookies[i]) for i in range(count)]
    cpu_server, cpu_client = cpu_seconds(pid), time.process_time()
    with RssSampler(pid) as sampler:
        started = time.perf_counter()
        tasks = [asyncio.ensure_future(s.run(timeout, hold, on_done)) for s in sessions]
        # every session gives up by itself after ``timeout``; this is a last guard
        _, pending = await asyncio.wait(tasks, timeout=timeout + 15)
        for task in pending:
            task.cancel()
        for task, session in zip(tasks, sessions):
            if task in pending:
                session.error = session.error or "cancelled (did not stop by itself)"
        load_seconds = time.perf_counter() - started
    cpu_server, cpu_client = cpu_seconds(pid) - cpu_server, time.process_time() - cpu_client
    peak = max([*sampler.samples, *([rss_all_mapped] if rss_all_mapped else [])], default=None)
    await asyncio.sleep(AFTER_CLOSE_WAIT_S)
    return {"sessions": sessions, "rss_peak": peak, "rss_all_mapped": rss_all_mapped,
            "rss_after": rss_mb(pid), "rss_samples": len(sampler.samples), "load_seconds": load_seconds,
            "cpu_server": cpu_server, "cpu_client": cpu_client}


def report(n: int, baseline: list[Session], result: dict, rss_before: float, rss_before_load: float) -> None:
    sessions = result["sessions"]
    errors = [s for s in sessions if s.error]
    maps = [s.map_ms for s in sessions if not s.error]
    finished = [s.finished_ms for s in sessions if not s.error]
    base_ms = float(np.median([s.map_ms for s in baseline]))
    p50 = percentile(maps, 50)
    emit("sessions", n)
    emit("errors", len(errors))
    if errors:
        kinds = collections.Counter(s.error for s in errors)
        emit("error_kinds", "; ".join(f"{k} x{v}" for k, v in kinds.most_common(5)))
    emit("map_data_ms_min", ms(min(maps, default=None)))
    emit("map_data_ms_p50", ms(p50))
    emit("map_data_ms_p95", ms(percentile(maps, 95)))
    emit("map_data_ms_max", ms(max(maps, default=None)))
    emit("script_finished_ms_p50", ms(percentile(finished, 50)))
    sizes = [s.map_bytes for s in sessions if s.map_bytes]
    emit("map_json_args_bytes_median", f"{np.median(sizes):.0f}" if sizes else "n/a")
    emit("baseline_single_session_map_data_ms", f"{ms(base_ms)} (median of {len(baseline)} sessions "
         f"alone: {', '.join(ms(s.map_ms) for s in baseline)})")
    emit("p50_ratio_to_single_session", f"{p50 / base_ms:.1f}" if p50 is not None else "n/a")
    emit("server_rss_mb_before", f"{rss_before:.0f} (healthy server, before any session)")
    emit("server_rss_mb_before_load", f"{rss_before_load:.0f} (after warm-up and baseline)")
    emit("server_rss_mb_peak", f"{result['rss_peak']:.0f} ({result['rss_samples']} samples at "
         f"{RSS_SAMPLE_S * 1000:.0f} ms; {result['rss_all_mapped'] or 0:.0f} when the last session was done)")
    emit("server_rss_mb_after", f"{result['rss_after']:.0f} ({AFTER_CLOSE_WAIT_S:g} s after closing)"
         if result["rss_after"] is not None else "n/a (server gone)")
    emit("load_phase_seconds", f"{result['load_seconds']:.1f}")
    emit("server_cpu_seconds_during_load", f"{result['cpu_server']:.2f}")
    emit("client_cpu_seconds_during_load", f"{result['cpu_client']:.2f}")
    print("targets:", flush=True)
    emit(f"  zero_errors_at_{n}_sessions",
         f"{'PASS' if not errors else 'FAIL'} ({len(errors)} errors of {n})")
    peak = result["rss_peak"]
    emit(f"  server_rss_peak_at_{n}_sessions_le_{RSS_MAX_MB:.0f}_mb",
         f"{'PASS' if peak is not None and peak <= RSS_MAX_MB else 'FAIL'} (peak {peak:.0f} MB)")


async def benchmark(base: str, pid: int, n: int, deadline: float) -> None:
    rss_before = rss_mb(pid)
    emit("server_children", len(child_pids(pid)))
    warm = await sequential(base, len(INDICATORS), deadline, "warm-up")
    emit("warmup_first_session_map_data_ms", ms(warm[0].map_ms))
    baseline = await sequential(base, BASELINE_RUNS, deadline, "baseline")
    rss_before_load = rss_mb(pid)
    result = await load(base, pid, n, deadline)
    report(n, baseline, result, rss_before, rss_before_load)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="limit for the whole run in seconds, server start included (default 120)")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 500:
        parser.error("--sessions must be between 1 and 500")
    if not 10 <= args.timeout <= 1800:
        parser.error("--timeout must be between 10 and 1800 seconds")

    started = time.perf_counter()
    deadline = time.monotonic() + args.timeout
    emit("machine", f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) at start")
    with tempfile.TemporaryDirectory(prefix="camau-public-load-") as workdir:
        log_path = Path(workdir) / "server.log"
        state_dir = Path(workdir) / "state"
        state_dir.mkdir()
        try:
            with public_server(str(state_dir), log_path, deadline) as (base, proc):
                emit("server_start_seconds", f"{time.perf_counter() - started:.1f}")
                asyncio.run(benchmark(base, proc.pid, args.sessions, deadline))
        except Exception:
            traceback.print_exc()
            with contextlib.suppress(OSError):
                print("--- server log (last lines) ---", file=sys.stderr)
                print("\n".join(log_path.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
            print("benchmark failed (see above); no targets were judged", file=sys.stderr)
            return 1
    emit("load_average_at_end", f"{os.getloadavg()[0]:.2f}")
    emit("wall_seconds", f"{time.perf_counter() - started:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
