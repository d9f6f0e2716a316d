"""Load benchmark for the editors' app as run in production: concurrent editor sessions on two
(or more) app.py replicas behind nginx with sticky sessions (issue 16).

Run from the repository root (needs Debian's nginx at /usr/sbin/nginx):

    .venv/bin/python benchmarks/editors_load.py                  # 20 sessions on 2 replicas
    options: --sessions N (default 20), --replicas R (default 2), --reruns K (map reruns per
             session, default 3), --timeout S (limit for the whole run, default 900 s)

What it does (every figure is printed as a ``name: value`` line):
1. The database: with DATABASE_URL naming PostgreSQL (e.g. after ``source scripts/test-postgres.sh;
   start_test_postgres``), a new schema of its own in that database (dropped at the end; the
   SELECT-only role of DATABASE_URL_RO, when set, may read it, for the public site's build);
   otherwise one SQLite file shared by the replicas. ``python -m storage.db upgrade`` is run by
   every replica at the same moment, as camau-editors@.service's ExecStartPre does; then one
   editor account per session is created (services.editing.create_editor).
2. R replicas, each ``bash scripts/run-app.sh`` (CAMAU_SKIP_SETUP=1, CAMAU_PORT = a free loopback
   port, CAMAU_TRUSTED_PROXIES=127.0.0.1), CAMAU_PUBLIC_DIR a temporary directory (each replica
   builds the public static site once at its start; "off" without a read-only PostgreSQL role).
   nginx runs deploy/nginx/camau-editors.conf.template rendered by render.py with
   CAMAU_EDITORS_UPSTREAMS naming all replicas, on a free 127.0.0.1 port, with an access log that
   names the replica of each request. Every process is stopped by its PID at the end.
3. Warm-up, not counted: one session per replica, directly on its port, renders the map page
   (imports, reference data, geometry). RSS per replica (VmRSS of /proc/<pid>/status, or psutil's
   rss when installed) is read after it: ``rss_mb_before_load``.
4. Load: N sessions at once, through nginx only. Each is a browser as Streamlit 1.67's frontend
   speaks to the server: GET /_stcore/health (the ``_streamlit_xsrf`` cookie and nginx's
   ``camau_affinity`` cookie, sent on every later request), then one websocket on which it
   (a) loads the app (the default page), (b) opens the sign-in page, (c) signs in with its own
   account by submitting the form (the widget states the browser would send), which succeeds
   when the navigation then lists the import page, (d) reruns the map page K times, each with
   another indicator. Each step's time runs from sending the BackMsg to the ``script_finished``
   that ends it (a sign-in's rerun included). A session counts as an error if a step times out,
   raises, shows an exception or an error alert, finishes other than successfully, the sign-in
   does not take, or a map rerun draws no map (st_folium component). All sessions stay open until
   every one is done, so all N are connected at once. RSS per replica is sampled every 100 ms.
5. Printed: load average at start and end (os.getloadavg), errors, p50/p95/max of every step and
   per step kind, sessions per replica (from nginx's log of the websockets), RSS per replica
   (before the load, peak, after), and the CPU seconds of each replica during the load.

Reading the figures: a sign-in is an argon2id check (64 MB, 3 passes, auth/accounts.py), CPU- and
memory-bound by design, so 20 at once take seconds on 2 CPUs and lift each replica's RSS by some
60 MB per concurrent sign-in for a moment; the map reruns share the CPUs with them. In the run of
2026-12-05 (2 CPUs, load average 0.81 at the start, PostgreSQL): 0 errors, every step p50 375 ms /
p95 2541 ms, sign-in p50 2394 / p95 2660 ms, map rerun p50 428 / p95 798 ms, 10 websockets on each
replica, RSS per replica 440 and 382 MB before the load, peaks 985 and 952 MB, 416 and 460 MB after.

Target (issue 16): zero errors at 20 sessions on two replicas. The exit code is 0 when the
benchmark ran (whether or not the target passed) and 1 when it could not run.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import requests
from servers import emit, free_port  # benchmarks/servers.py, beside this script
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
NGINX = Path("/usr/sbin/nginx")
INDICATORS = ["hamlet_teams", "vneid_dossiers", "population_density", "households_2019", "team_members"]
MAP_COMPONENT = "streamlit_folium.st_folium"
SIGN_IN_PAGE, MAP_PAGE, IMPORT_PATH = "dang-nhap", "ban-do", "nhap-du-lieu"
STEP_TIMEOUT_S = 120.0
RSS_SAMPLE_S = 0.1
PASSWORD = "mat-khau-tai-thu-13579"
FINISHED_OK = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FINISHED_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)"


# --- processes and memory ----------------------------------------------------------------------------

def rss_mb(pid: int) -> float | None:
    """Resident memory of one process in MB: psutil when installed, else VmRSS from /proc."""
    try:
        import psutil
    except ImportError:
        psutil = None
    try:
        if psutil is not None:
            return psutil.Process(pid).memory_info().rss / 1024 / 1024
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except Exception:          # gone (psutil.NoSuchProcess, FileNotFoundError, ...)
        return None
    return None


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Samples the RSS of several processes every RSS_SAMPLE_S seconds in a thread of its own."""

    def __init__(self, pids: dict[str, int]):
        self.pids, self.samples = pids, {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                value = rss_mb(pid)
                if value is not None:
                    self.samples[name].append(value)
            if self._stop.wait(RSS_SAMPLE_S):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the process group that start_process made for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait(timeout=10)


def start_process(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_healthy(url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited ({process.returncode}):\n{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy before the time limit")
        time.sleep(0.25)


def load_render():
    spec = importlib.util.spec_from_file_location("camau_nginx_render", REPO / "deploy" / "nginx" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nginx_conf(prefix: Path, site: Path) -> str:
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {prefix / 'temp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes auto;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format camau_replicas '$request_method $uri $status "$upstream_addr" "$cookie_camau_affinity"';
    access_log {prefix / 'access.log'} camau_replicas;
{temp}
    include {site};
}}
"""


# --- the database --------------------------------------------------------------------------------------

@contextlib.contextmanager
def database(workdir: Path):
    """(env additions, URL): a PostgreSQL schema of its own under DATABASE_URL, else a SQLite file."""
    import sqlalchemy as sa

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith("postgresql"):
        yield {"CAMAU_STATE_DIR": str(workdir / "state")}, f"sqlite:///{workdir / 'state' / 'camau.sqlite3'}"
        return
    read_only = os.environ.get("DATABASE_URL_RO", "").strip()
    schema = f"camau_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        if read_only:
            role = sa.make_url(read_only).username
            connection.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
            connection.exec_driver_sql(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT ON TABLES TO "{role}"')

    def in_schema(value: str) -> str:
        return sa.make_url(value).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    env = {"CAMAU_STATE_DIR": str(workdir / "state"), "DATABASE_URL": in_schema(url)}
    if read_only:
        env["DATABASE_URL_RO"] = in_schema(read_only)
    try:
        yield env, env["DATABASE_URL"]
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def create_editors(url: str, count: int) -> list[str]:
    from services.editing import create_editor
    from storage.db import make_engine

    engine = make_engine(url)
    names = [f"tai_thu_{index:02d}" for index in range(count)]
    for name in names:
        create_editor(engine, name, PASSWORD)
    engine.dispose()
    return names


# --- one editor session ----------------------------------------------------------------------------------

def browser_cookies(base: str) -> dict[str, str]:
    """What a browser holds after loading the page: Streamlit's XSRF cookie and nginx's affinity key."""
    with requests.Session() as http:
        http.get(f"{base}/_stcore/health", timeout=30).raise_for_status()
        cookies = dict(http.cookies.items())
    if not cookies.get("_streamlit_xsrf"):
        raise RuntimeError("no _streamlit_xsrf cookie from /_stcore/health")
    return cookies


class Run:
    """What one script run sent back."""

    def __init__(self):
        self.elements: list = []
        self.pages: list[str] = []
        self.error: str | None = None


class EditorSession:
    def __init__(self, base: str, user: str, index: int, reruns: int):
        self.base, self.user, self.index, self.reruns = base, user, index, reruns
        self.steps: list[tuple[str, float]] = []        # (kind, ms)
        self.error: str | None = None
        self.affinity: str | None = None

    async def run(self, hold: asyncio.Event | None = None, on_done=None) -> EditorSession:
        reported = False
        try:
            cookies = await asyncio.to_thread(browser_cookies, self.base)
            self.affinity = cookies.get("camau_affinity")
            host = self.base.removeprefix("http://")
            async with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", cookies["_streamlit_xsrf"]],
                               origin=self.base,
                               additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                               open_timeout=STEP_TIMEOUT_S, close_timeout=5, max_size=None, compression=None,
                               ping_interval=None) as ws:
                await self._script(ws)
                if on_done:
                    on_done(self)
                    reported = True
                if hold is not None:
                    await drain_until(ws, hold)
        except Exception as exc:
            self.error = self.error or f"{type(exc).__name__}: {exc}"[:200]
        if on_done and not reported:
            on_done(self)
        return self

    async def _script(self, ws) -> None:
        await self._step(ws, "load", page="")
        form = await self._step(ws, "sign_in_page", page=SIGN_IN_PAGE)
        inputs = [e.text_input.id for e in form.elements if e.WhichOneof("type") == "text_input"]
        submit = [e.button.id for e in form.elements if e.WhichOneof("type") == "button" and e.button.is_form_submitter]
        if len(inputs) != 2 or len(submit) != 1:
            raise RuntimeError(f"sign-in form not found ({len(inputs)} text inputs, {len(submit)} submit buttons)")
        states = [WidgetState(id=inputs[0], string_value=self.user), WidgetState(id=inputs[1], string_value=PASSWORD),
                  WidgetState(id=submit[0], trigger_value=True)]
        signed_in = await self._step(ws, "sign_in", page=SIGN_IN_PAGE, widgets=states)
        if IMPORT_PATH not in signed_in.pages:
            raise RuntimeError(f"sign-in did not take (pages: {signed_in.pages})")
        for rerun in range(self.reruns):
            indicator = INDICATORS[(self.index + rerun) % len(INDICATORS)]
            drawn = await self._step(ws, "map_rerun", page=MAP_PAGE, query=f"ind={indicator}")
            if not any(e.WhichOneof("type") == "component_instance" and e.component_instance.component_name == MAP_COMPONENT
                       for e in drawn.elements):
                raise RuntimeError("map rerun without the map")

    async def _step(self, ws, kind: str, page: str, query: str = "", widgets: list[WidgetState] = ()) -> Run:
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_name = page
        back.rerun_script.widget_states.widgets.extend(widgets)
        started = time.perf_counter()
        await ws.send(back.SerializeToString())
        run = await asyncio.wait_for(self._until_finished(ws), STEP_TIMEOUT_S)
        self.steps.append((kind, (time.perf_counter() - started) * 1000))
        if run.error:
            raise RuntimeError(f"{kind}: {run.error}")
        return run

    @staticmethod
    async def _until_finished(ws) -> Run:
        """Messages until the run finishes successfully (a run that ends for a rerun, as a sign-in's
        st.rerun() does, goes on to the next)."""
        run = Run()
        while True:
            message = ForwardMsg()
            message.ParseFromString(await ws.recv())
            kind = message.WhichOneof("type")
            if kind == "navigation":
                run.pages = [page.url_pathname for page in message.navigation.app_pages]
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                run.elements.append(element)
                if element.WhichOneof("type") == "exception":
                    run.error = run.error or f"exception element: {element.exception.type}: {element.exception.message[:80]}"
                elif element.WhichOneof("type") == "alert" and element.alert.format == element.alert.ERROR:
                    run.error = run.error or f"error alert: {element.alert.body[:80]}"
            elif kind == "script_finished":
                if message.script_finished == FINISHED_FOR_RERUN:
                    continue
                if message.script_finished != FINISHED_OK:
                    run.error = run.error or f"script_finished status {message.script_finished}"
                return run


async def drain_until(ws, hold: asyncio.Event) -> None:
    while not hold.is_set():
        receive = asyncio.ensure_future(ws.recv())
        waiter = asyncio.ensure_future(hold.wait())
        done, _ = await asyncio.wait({receive, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if receive not in done:
            receive.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receive
        else:
            waiter.cancel()
            receive.result()


async def warm_up(address: str) -> None:
    """The map page once, directly on one replica (no sign-in)."""
    host = address
    cookies = await asyncio.to_thread(browser_cookies, f"http://{host}")
    async with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", cookies["_streamlit_xsrf"]],
                       origin=f"http://{host}", additional_headers={"Cookie": f"_streamlit_xsrf={cookies['_streamlit_xsrf']}"},
                       open_timeout=60, max_size=None, compression=None, ping_interval=None) as ws:
        session = EditorSession(f"http://{host}", "", 0, 0)
        await session._step(ws, "warm_up", page=MAP_PAGE)


async def load(base: str, users: list[str], reruns: int, pids: dict[str, int]) -> dict:
    hold = asyncio.Event()
    done = 0

    def on_done(_session) -> None:
        nonlocal done
        done += 1
        if done == len(users):
            hold.set()

    sessions = [EditorSession(base, user, index, reruns) for index, user in enumerate(users)]
    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    with RssSampler(pids) as sampler:
        started = time.perf_counter()
        tasks = [asyncio.ensure_future(s.run(hold, on_done)) for s in sessions]
        limit = STEP_TIMEOUT_S * (3 + reruns) + 30
        _, pending = await asyncio.wait(tasks, timeout=limit)
        for task in pending:
            task.cancel()
        for task, session in zip(tasks, sessions):
            if task in pending:
                session.error = session.error or "cancelled (did not stop by itself)"
        seconds = time.perf_counter() - started
    cpu = {name: cpu_seconds(pid) - before for (name, pid), before in zip(pids.items(), cpu.values())}
    await asyncio.sleep(2)
    return {"sessions": sessions, "samples": sampler.samples, "seconds": seconds, "cpu": cpu,
            "rss_after": {name: rss_mb(pid) for name, pid in pids.items()}}


def replica_of_sessions(prefix: Path) -> collections.Counter:
    """Websockets per replica, from nginx's access log (written when each websocket closes)."""
    counts = collections.Counter()
    for line in (prefix / "access.log").read_text(errors="replace").splitlines():
        match = re.fullmatch(r'GET /_stcore/stream 101 "([^"]*)" "[^"]*"', line)
        if match:
            counts[match.group(1).split(", ")[-1]] += 1
    return counts


def report(result: dict, rss_before: dict[str, float], prefix: Path, n: int, replicas: int) -> None:
    sessions = result["sessions"]
    errors = [s for s in sessions if s.error]
    emit("sessions", n)
    emit("replicas", replicas)
    emit("errors", len(errors))
    if errors:
        kinds = collections.Counter(re.sub(r"\d+", "N", s.error) for s in errors)
        emit("error_kinds", "; ".join(f"{k} x{v}" for k, v in kinds.most_common(5)))
    steps = [(kind, value) for s in sessions for kind, value in s.steps]
    every = [value for _, value in steps]
    emit("step_ms_all", f"p50 {ms(percentile(every, 50))}, p95 {ms(percentile(every, 95))}, "
         f"max {ms(max(every, default=None))} ({len(every)} steps)")
    for kind in ("load", "sign_in_page", "sign_in", "map_rerun"):
        values = [value for k, value in steps if k == kind]
        emit(f"step_ms_{kind}", f"p50 {ms(percentile(values, 50))}, p95 {ms(percentile(values, 95))}, "
             f"max {ms(max(values, default=None))} ({len(values)})")
    emit("load_phase_seconds", f"{result['seconds']:.1f}")
    emit("websockets_per_replica", dict(replica_of_sessions(prefix)) or "n/a")
    for name in rss_before:
        samples = result["samples"][name]
        peak = max(samples, default=None)
        after = result["rss_after"][name]
        emit(f"rss_mb_{name}", f"before load {rss_before[name]:.0f}, peak {peak:.0f}, "
             f"after {'n/a' if after is None else f'{after:.0f}'} ({len(samples)} samples)"
             if peak is not None else "n/a")
        emit(f"cpu_seconds_{name}", f"{result['cpu'][name]:.1f}")
    print("targets:", flush=True)
    emit(f"  zero_errors_at_{n}_sessions_on_{replicas}_replicas",
         f"{'PASS' if not errors else 'FAIL'} ({len(errors)} errors of {n})")


async def benchmark(args, base: str, prefix: Path, replicas: dict[str, subprocess.Popen], users: list[str]) -> None:
    for address in replicas:
        started = time.perf_counter()
        await warm_up(address)
        emit(f"warmup_ms_{address}", ms((time.perf_counter() - started) * 1000))
    pids = {address: process.pid for address, process in replicas.items()}
    rss_before = {name: rss_mb(pid) for name, pid in pids.items()}
    result = await load(base, users, args.reruns, pids)
    report(result, rss_before, prefix, len(users), len(replicas))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    emit("load_average_start", load_average())
    if not NGINX.is_file():
        print(f"no {NGINX}: install Debian's nginx", file=sys.stderr)
        return 1
    prefix = Path(tempfile.mkdtemp(prefix="camau-editors-load-"))
    prefix.chmod(0o755)
    (prefix / "temp").mkdir()
    processes: list[subprocess.Popen] = []
    try:
        with database(prefix) as (db_env, url):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "STREAMLIT_"))} | db_env | {
                "CAMAU_SKIP_SETUP": "1", "CAMAU_ADDRESS": "127.0.0.1", "CAMAU_TRUSTED_PROXIES": "127.0.0.1",
                "CAMAU_PUBLIC_DIR": str(prefix / "public-site") if (url.startswith("sqlite") or "DATABASE_URL_RO" in db_env)
                else "off"}
            emit("database", "PostgreSQL (own schema)" if url.startswith("postgresql") else "SQLite (one file)")
            migrations = [subprocess.Popen([sys.executable, "-m", "storage.db", "upgrade"], cwd=REPO, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                          for _ in range(args.replicas)]
            for migration in migrations:
                out, _ = migration.communicate(timeout=300)
                if migration.returncode != 0:
                    raise RuntimeError(f"python -m storage.db upgrade failed:\n{out}")
            users = create_editors(url, args.sessions)
            replicas = {}
            for _ in range(args.replicas):
                port = free_port()
                replicas[f"127.0.0.1:{port}"] = start_process(["bash", "scripts/run-app.sh"], prefix / f"replica-{port}.log",
                                                              env | {"CAMAU_PORT": str(port)})
                processes.append(replicas[f"127.0.0.1:{port}"])
            proxy_port = free_port()
            site = prefix / "camau-editors.conf"
            site.write_text(load_render().render({"CAMAU_EDITORS_LISTEN": f"127.0.0.1:{proxy_port}",
                                                  "CAMAU_EDITORS_UPSTREAMS": " ".join(replicas)}, site="editors"))
            (prefix / "nginx.conf").write_text(nginx_conf(prefix, site))
            nginx = start_process([str(NGINX), "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                                   str(prefix / "error.log"), "-g", "daemon off; master_process on;"],
                                  prefix / "nginx.stderr", env)
            processes.append(nginx)
            for address, process in replicas.items():
                wait_healthy(f"http://{address}/_stcore/health", process, prefix / f"replica-{address.split(':')[1]}.log",
                             deadline)
            base = f"http://127.0.0.1:{proxy_port}"
            wait_healthy(base + "/_stcore/health", nginx, prefix / "error.log", deadline)
            asyncio.run(asyncio.wait_for(benchmark(args, base, prefix, replicas, users),
                                         max(deadline - time.monotonic(), 1)))
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        for process in reversed(processes):
            stop_process(process)
        emit("load_average_end", load_average())
        shutil.rmtree(prefix, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
