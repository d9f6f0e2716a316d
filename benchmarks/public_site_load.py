"""Load benchmark for the public static site (nginx), with the old Streamlit public view beside it.

Run from the repository root, with the project's virtualenv:

    .venv/bin/python benchmarks/public_site_load.py              # ~3 min: static site, then Streamlit
    options: --duration S (static load, default 30), --clients N (concurrent connections, default
             1000), --skip-streamlit, --streamlit-rev REV (default: the newest commit that still has
             public.py), --streamlit-timeout S (limit of each Streamlit run, default 300)

Needs Debian's nginx (/usr/sbin/nginx) and wrk (``apt-get install -y nginx wrk``). Every figure is
printed as a ``name: value`` line. What it does:
1. Builds the static site, as the editors' app does after a publication: ``manage.py versions``
   (creates a SQLite database in a new temporary CAMAU_STATE_DIR with the sample version 0
   published), then ``manage.py build-public --out DIR`` with CAMAU_PUBLIC_SHOW_ILLUSTRATIVE=1, so
   the sample's illustrative indicators are on the site too (DATABASE_URL / DATABASE_URL_RO and
   CAMAU_PUBLIC_DIR are removed from the environment; CAMAU_REFERENCE_DIR is kept, or set to the
   repository's default ../shared/reference, so that the Streamlit runs of step 4 use the same).
2. Starts Debian's nginx (its own -p prefix, pid and error log in the temporary directory,
   ``daemon off``, stopped by its PID at the end) with deploy/nginx/camau-public.conf.template
   rendered by plain ``${NAME}`` replacement (listen 127.0.0.1:<free port>, server_name _, the
   default base path ban-do-cong-khai, no other frame ancestors) inside an http{} block with
   ``worker_processes auto; worker_rlimit_nofile 8192; events { worker_connections 4096; }``,
   ``access_log off`` and ``sendfile on``.
3. First view: the files a browser loads to show the map the first time, found as the page finds
   them: index.html (the base path), the stylesheets and scripts it names (Leaflet's css and js,
   the site's css, the choropleth layer's js, the site's js), the manifest (``data-manifest``),
   and from the manifest the default unit set's two geometry files and the view of its first
   indicator in Vietnamese. Each is fetched once with ``Accept-Encoding: gzip``; its size is the
   Content-Length nginx sends (the pre-compressed .gz; headers not counted). Target: the sum
   ≤ 120 KB (122,880 bytes).
4. Load: wrk (closed loop: each connection sends its next request as soon as the previous answer
   has arrived, no think time, keep-alive) with --clients connections on 2 threads for --duration
   seconds, every request ``Accept-Encoding: gzip``, the paths of step 3 in turn (a Lua
   ``request`` function; each of wrk's threads cycles through them). p50/p90/p99 are read from
   wrk's ``--latency`` output, p95 from a Lua ``done`` function (``latency:percentile(95)``).
   Errors = socket errors (connect, read, write, timeout: no answer within wrk's --timeout 2 s)
   + responses with a status ≥ 400 (wrk's "Non-2xx or 3xx responses"; step 3 has checked that
   every path answers 200, so no 3xx can occur). ``first_views_per_second`` = requests/s ÷ the
   number of files of the first view. Targets: 0 errors, p95 ≤ 100 ms. wrk and nginx share this
   machine's CPUs (the CPU seconds of each are printed).
5. Streamlit, side by side: the old public view (public.py, now retired from the working tree)
   from a git revision that still has it (``git log -1 --format=%H -- public.py``, or its parent
   when that commit deleted the file), checked out with ``git worktree add --detach`` into the
   temporary directory and removed at the end. That revision's own benchmarks/public_load.py is
   run there (with this interpreter, cwd = the worktree) at 50 and then 100 concurrent websocket
   sessions; its figures are read from its output: time to map data p50/p95, errors, server RSS
   peak. Its run is a process group of its own, ended by its id if it outlives its time limit.
6. A final table (static site vs Streamlit at 50 and 100 sessions) and the headline ratio:
   Streamlit p95 at 100 sessions ÷ static p95 at --clients connections.

Exit status: 0 when every target is met, 1 when one is not met, 2 when a step could not run (the
site could not be built or served, wrk is missing, a Streamlit run failed). Streamlit's own
targets (printed by public_load.py) are shown for reference and do not change the exit status.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from servers import emit, free_port  # benchmarks/servers.py, beside this script

REPO = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
TEMPLATE = REPO / "deploy" / "nginx" / "camau-public.conf.template"
BASE_PATH = "ban-do-cong-khai"
FIRST_VIEW_MAX_BYTES = 120 * 1024
P95_MAX_MS = 100.0
WRK_THREADS = 2
WRK_TIMEOUT = "2s"
STREAMLIT_SESSIONS = (50, 100)
DROPPED_ENV = ("DATABASE_URL", "DATABASE_URL_RO", "CAMAU_PUBLIC_DIR")


class BenchmarkError(RuntimeError):
    """A step could not run (what and why in the message)."""


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


def kb(size: float) -> str:
    return f"{size / 1024:.1f}"


def met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BenchmarkError(f"{' '.join(cmd)} failed ({result.returncode}): "
                             f"{(result.stderr or result.stdout).strip()[-600:]}")
    return result


# --- 1. the site ---------------------------------------------------------------------------------

def reference_dir() -> str:
    return os.environ.get("CAMAU_REFERENCE_DIR", "").strip() or str(REPO.parent / "shared" / "reference")


def build_site(workdir: Path) -> Path:
    """The sample version 0 published, built with its illustrative indicators; returns the site root."""
    state, root = workdir / "state", workdir / "site"
    state.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(CAMAU_STATE_DIR=str(state), CAMAU_PUBLIC_SHOW_ILLUSTRATIVE="1",
               CAMAU_REFERENCE_DIR=reference_dir())
    started = time.perf_counter()
    run([sys.executable, "manage.py", "versions"], cwd=REPO, env=env)
    built = run([sys.executable, "manage.py", "build-public", "--out", str(root)], cwd=REPO, env=env)
    emit("site_build", f"{built.stdout.strip()} (with manage.py versions: {time.perf_counter() - started:.1f} s)")
    site = json.loads((root / "current" / "site.json").read_text(encoding="utf-8"))
    if site.get("version_number") != 0:
        raise BenchmarkError(f"the site shows version {site.get('version_number')!r}, not the sample version 0")
    emit("site_version", f"{site['version_number']} (period {site.get('period')}, unit sets {', '.join(site['units'])})")
    return root


# --- 2. nginx --------------------------------------------------------------------------------------

def render_site_conf(port: int, site_root: Path) -> str:
    values = {
        "CAMAU_PROXY_LISTEN": f"127.0.0.1:{port}",
        "CAMAU_PROXY_SERVER_NAME": "_",
        "CAMAU_PUBLIC_DIR": str(site_root),
        "CAMAU_PUBLIC_BASE_PATH": BASE_PATH,
        "CAMAU_FRAME_ANCESTORS": "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    left = re.search(r"\$\{[^}]*\}", text)
    if left:
        raise BenchmarkError(f"{TEMPLATE.name} names a variable this benchmark does not set: {left.group(0)}")
    return text


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One GET with ``Accept-Encoding: gzip``; the body as sent (not decompressed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def decoded(headers: dict[str, str], body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def descendant_pids(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                found += [int(child), *descendant_pids(int(child))]
    return found


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def nginx_server(prefix: Path, site_root: Path):
    """nginx in the foreground (``daemon off``) on a free loopback port; yields (port, process);
    always stopped by its PID."""
    (prefix / "logs").mkdir(parents=True)
    port = free_port()
    (prefix / "site.conf").write_text(render_site_conf(port, site_root), encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(
        "worker_processes auto;\n"
        "worker_rlimit_nofile 8192;\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log off; sendfile on; include {prefix}/site.conf; }}\n", encoding="utf-8")
    base = [NGINX, "-p", f"{prefix}/", "-e", f"{prefix}/logs/error.log", "-c", str(conf)]
    run([*base, "-t", "-q"])
    with open(prefix / "logs" / "stdout.log", "wb") as log:
        proc = subprocess.Popen([*base, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
    try:
        give_up = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                raise BenchmarkError(f"nginx exited ({proc.returncode}): "
                                     + (prefix / "logs" / "error.log").read_text(errors="replace")[-600:])
            with contextlib.suppress(OSError):
                if http_get(port, f"/{BASE_PATH}/", timeout=2)[0] == 200:
                    break
            if time.monotonic() > give_up:
                raise BenchmarkError("nginx did not answer within 15 s")
            time.sleep(0.1)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()                 # SIGTERM: nginx's fast shutdown, workers included
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# --- 3. the first view ---------------------------------------------------------------------------

class PageAssets(HTMLParser):
    """The stylesheets, scripts and manifest that index.html names, in page order."""

    def __init__(self):
        super().__init__()
        self.files: list[str] = []
        self.manifest: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.files.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.files.append(attrs["src"])
        elif tag == "body" and attrs.get("data-manifest"):
            self.manifest = attrs["data-manifest"]


def first_view(port: int) -> list[dict]:
    """Every file of the first view: path, status, Content-Encoding, Content-Length, decoded size."""
    page = f"/{BASE_PATH}/"
    files = []

    def get(path: str) -> bytes:
        status, headers, body = http_get(port, path)
        if status != 200:
            raise BenchmarkError(f"GET {path}: HTTP {status}")
        length = headers.get("content-length")
        plain = decoded(headers, body)
        files.append({"path": path, "encoding": headers.get("content-encoding", "identity"),
                      "bytes": int(length) if length is not None else len(body),
                      "length_header": length is not None, "plain_bytes": len(plain)})
        return plain

    parser = PageAssets()
    parser.feed(get(page).decode("utf-8"))
    if not parser.manifest or len(parser.files) != 5:
        raise BenchmarkError(f"index.html names {len(parser.files)} stylesheets/scripts (5 expected) "
                             f"and manifest {parser.manifest!r}")
    for href in parser.files:
        get(urljoin(page, href))
    manifest = json.loads(get(urljoin(page, parser.manifest)))
    units = manifest["units"][manifest["default_units"]]
    if units.get("refused"):
        raise BenchmarkError(f"the default unit set {manifest['default_units']} shows no map")
    for href in units["geometry"]:
        get(urljoin(page, href))
    indicator = units["indicators"][0]
    view = json.loads(get(urljoin(page, units["views"]["vi"][indicator])))
    emit("first_view_map", f"unit set {manifest['default_units']}, indicator {indicator} "
         f"({view['title']}), {len(view['layer'].get('values', {}))} communes with a value, "
         f"{len(view['layer'].get('colours', []))} classes")
    return files


# --- 4. wrk ----------------------------------------------------------------------------------------

WRK_SCRIPT = """\
local paths = {%(paths)s}
local prepared = {}
local counter = 0
wrk.headers["Accept-Encoding"] = "gzip"

function init(args)
  for i, path in ipairs(paths) do prepared[i] = wrk.format("GET", path) end
end

function request()
  counter = counter %% #prepared + 1
  return prepared[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "CAMAU_WRK p50_us=%%.0f p90_us=%%.0f p95_us=%%.0f p99_us=%%.0f max_us=%%.0f mean_us=%%.1f "
    .. "requests=%%.0f bytes=%%.0f duration_us=%%.0f connect=%%d read=%%d write=%%d status=%%d timeout=%%d\\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, summary.requests, summary.bytes, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 6e7}


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise BenchmarkError(f"wrk printed a time wrk_load cannot read: {text!r}")
    return float(match.group(1)) * UNITS_US[match.group(2)] / 1000


def parse_wrk(output: str) -> dict:
    figures: dict = {"distribution_ms": {}}
    for pct, value in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M):
        figures["distribution_ms"][int(pct)] = duration_ms(value)
    lua = re.search(r"^CAMAU_WRK (.*)$", output, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not lua or not rps or not {50, 90, 99} <= set(figures["distribution_ms"]):
        raise BenchmarkError("wrk's output lacks the latency distribution, the Lua summary or Requests/sec:\n"
                             + output[-1500:])
    done = {k: float(v) for k, v in (item.split("=") for item in lua.group(1).split())}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures.update(
        p50_ms=figures["distribution_ms"][50], p90_ms=figures["distribution_ms"][90],
        p99_ms=figures["distribution_ms"][99], p95_ms=done["p95_us"] / 1000, max_ms=done["max_us"] / 1000,
        mean_ms=done["mean_us"] / 1000, requests=int(done["requests"]), bytes=int(done["bytes"]),
        seconds=done["duration_us"] / 1e6, rps=float(rps.group(1)),
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
        non2xx=int(non2xx.group(1)) if non2xx else 0,
        lua_errors=int(done["connect"] + done["read"] + done["write"] + done["timeout"]),
        lua_status=int(done["status"]))
    figures["errors"] = max(figures["socket_errors"], figures["lua_errors"]) + max(figures["non2xx"],
                                                                                   figures["lua_status"])
    return figures


def wrk_load(port: int, paths: list[str], clients: int, duration: int, workdir: Path, nginx_pid: int) -> dict:
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchmarkError("wrk is not installed (apt-get install -y wrk)")
    script = workdir / "first-view.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)}, encoding="utf-8")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < clients + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(clients + 256, 4096)), hard))
    workers = descendant_pids(nginx_pid)
    emit("nginx_workers", len(workers))
    cpu_nginx = sum(cpu_seconds(pid) for pid in [nginx_pid, *workers])
    cpu_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [wrk, f"-t{WRK_THREADS}", f"-c{clients}", f"-d{duration}s", "--timeout", WRK_TIMEOUT, "--latency",
           "-s", str(script), f"http://127.0.0.1:{port}/{BASE_PATH}/"]
    emit("wrk_command", " ".join(cmd))
    emit("load_average_before_static_load", loadavg())
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError("wrk did not finish within --duration + 60 s") from exc
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise BenchmarkError(f"wrk failed ({result.returncode}): {(result.stderr or result.stdout)[-800:]}")
    figures = parse_wrk(result.stdout)
    figures["cpu_nginx"] = sum(cpu_seconds(pid) for pid in [nginx_pid, *workers]) - cpu_nginx
    figures["cpu_wrk"] = (after.ru_utime - cpu_children.ru_utime) + (after.ru_stime - cpu_children.ru_stime)
    figures["output"] = result.stdout
    return figures


# --- 5. Streamlit --------------------------------------------------------------------------------

def git(*args: str) -> str:
    for attempt in range(10):
        result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.strip()
        if "lock" not in result.stderr or attempt == 9:
            raise BenchmarkError(f"git {' '.join(args)} failed: {result.stderr.strip()[-400:]}")
        time.sleep(3)                # another agent's git command holds a lock: wait and retry
    raise AssertionError("unreachable")


def has_file(rev: str, path: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{rev}:{path}"], cwd=REPO,
                          capture_output=True).returncode == 0


def streamlit_rev(requested: str | None) -> str:
    if requested:
        rev = git("rev-parse", "--verify", f"{requested}^{{commit}}")
    else:
        last = git("log", "-1", "--format=%H", "--", "public.py")
        if not last:
            raise BenchmarkError("no commit in this history touches public.py")
        rev = last if has_file(last, "public.py") else git("rev-parse", f"{last}^")
    for needed in ("public.py", "benchmarks/public_load.py"):
        if not has_file(rev, needed):
            raise BenchmarkError(f"revision {rev[:12]} has no {needed}")
    return rev


@contextlib.contextmanager
def worktree(rev: str, path: Path):
    git("worktree", "add", "--detach", "--quiet", str(path), rev)
    try:
        yield path
    finally:
        try:
            git("worktree", "remove", "--force", str(path))
        finally:
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(BenchmarkError):
                git("worktree", "prune")


def end_group(pgid: int) -> None:
    """Ends what is left of one process group that this benchmark started (by its id)."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        give_up = time.monotonic() + wait
        while time.monotonic() < give_up:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def streamlit_load(tree: Path, sessions: int, timeout: float) -> dict:
    """The revision's benchmarks/public_load.py at ``sessions`` sessions; its ``name: value`` lines."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["CAMAU_REFERENCE_DIR"] = reference_dir()
    cmd = [sys.executable, str(tree / "benchmarks" / "public_load.py"), "--sessions", str(sessions),
           "--timeout", f"{timeout:g}"]
    emit(f"streamlit_{sessions}_load_average_before", loadavg())
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        end_group(proc.pid)
        output, _ = proc.communicate()
        raise BenchmarkError(f"public_load.py --sessions {sessions} outlived its limit; last lines:\n"
                             + "\n".join(output.splitlines()[-10:])) from None
    finally:
        end_group(proc.pid)              # its Streamlit server, should it have been left behind
    for line in output.splitlines():
        print(f"  [streamlit {sessions}] {line}", flush=True)
    if proc.returncode != 0:
        raise BenchmarkError(f"public_load.py --sessions {sessions} could not run (exit {proc.returncode})")
    values = {}
    for line in output.splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_]+): (.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)

    def number(name: str) -> float | None:
        found = re.match(r"[\d.]+", values.get(name, ""))
        return float(found.group(0)) if found else None

    return {"sessions": sessions, "p50_ms": number("map_data_ms_p50"), "p95_ms": number("map_data_ms_p95"),
            "errors": int(number("errors") or 0), "rss_peak_mb": number("server_rss_mb_peak"),
            "load_seconds": number("load_phase_seconds"), "json_args_bytes": number("map_json_args_bytes_median"),
            "own_targets": {k.strip(): v for k, v in values.items() if k.startswith(("zero_errors", "server_rss_peak"))}}


# --- 6. the report -------------------------------------------------------------------------------

def fmt(value, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def table(static: dict | None, view_bytes: int | None, files: int, streamlit: list[dict], clients: int) -> None:
    rows = [("", "p50 ms", "p95 ms", "errors", "requests/s", "views/s", "first view KB", "peak RSS MB")]
    if static:
        rows.append((f"static site (nginx), {clients} clients", fmt(static["p50_ms"], ".2f"),
                     fmt(static["p95_ms"], ".2f"), str(static["errors"]), fmt(static["rps"], ".0f"),
                     fmt(static["rps"] / files, ".0f"), kb(view_bytes) if view_bytes else "n/a", "n/a"))
    for result in streamlit:
        views = (result["sessions"] / result["load_seconds"]) if result.get("load_seconds") else None
        rows.append((f"Streamlit public.py, {result['sessions']} sessions", fmt(result.get("p50_ms"), ".0f"),
                     fmt(result.get("p95_ms"), ".0f"), fmt(result.get("errors"), "d"), "n/a",
                     fmt(views, ".1f"), "n/a", fmt(result.get("rss_peak_mb"), ".0f")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print("summary:", flush=True)
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))), flush=True)
    print("  (static p50/p95: wrk's per-request latency over the first view's files; Streamlit: time from "
          "opening the websocket to the map data, public_load.py; views/s: static = requests/s ÷ "
          f"{files} files, Streamlit = sessions ÷ the load phase's seconds)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds of static load (default 30)")
    parser.add_argument("--clients", type=int, default=1000, help="concurrent connections (default 1000)")
    parser.add_argument("--skip-streamlit", action="store_true", help="measure the static site only")
    parser.add_argument("--streamlit-rev", default=None,
                        help="git revision with public.py (default: the newest commit that has it)")
    parser.add_argument("--streamlit-timeout", type=float, default=300.0,
                        help="limit of each Streamlit run in seconds (default 300)")
    args = parser.parse_args()
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not WRK_THREADS <= args.clients <= 5000:
        parser.error(f"--clients must be between {WRK_THREADS} and 5000")
    if not 30 <= args.streamlit_timeout <= 1800:
        parser.error("--streamlit-timeout must be between 30 and 1800 seconds")

    started = time.perf_counter()
    emit("machine", f"{os.cpu_count()} CPUs; wrk, nginx and (later) Streamlit and its client all share them")
    emit("load_average_at_start", loadavg())
    targets: dict[str, bool] = {}
    failures: list[str] = []
    static, view_bytes, files, streamlit = None, None, 0, []
    with tempfile.TemporaryDirectory(prefix="camau-public-site-load-") as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)          # nginx's workers (user nobody) read the site from here
        try:
            site_root = build_site(workdir)
            with nginx_server(workdir / "nginx", site_root) as (port, proc):
                view = first_view(port)
                files = len(view)
                view_bytes = sum(f["bytes"] for f in view)
                for f in view:
                    emit(f"  {f['path']}", f"{f['bytes']} bytes as sent ({f['encoding']}"
                         f"{'' if f['length_header'] else ', no Content-Length: body length'}), "
                         f"{f['plain_bytes']} bytes uncompressed")
                emit("first_view_files", files)
                emit("first_view_bytes_as_sent", f"{view_bytes} ({kb(view_bytes)} KB; uncompressed "
                     f"{kb(sum(f['plain_bytes'] for f in view))} KB)")
                not_gzip = [f["path"] for f in view if f["encoding"] != "gzip"]
                if not_gzip:
                    emit("first_view_not_gzip", ", ".join(not_gzip))
                targets[f"first view ≤ {FIRST_VIEW_MAX_BYTES:,} bytes ({kb(view_bytes)} KB)"] = (
                    view_bytes <= FIRST_VIEW_MAX_BYTES)

                static = wrk_load(port, [f["path"] for f in view], args.clients, args.duration, workdir, proc.pid)
                print(static.pop("output").rstrip(), flush=True)
                for name in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms"):
                    emit(f"static_latency_{name}", f"{static[name]:.2f}")
                emit("static_requests", f"{static['requests']} in {static['seconds']:.1f} s")
                emit("static_requests_per_second", f"{static['rps']:.0f}")
                emit("static_first_views_per_second", f"{static['rps'] / files:.0f} (requests/s ÷ {files} files)")
                emit("static_bytes_per_response", f"{static['bytes'] / max(static['requests'], 1):.0f} "
                     f"(headers included; the first view's files average {view_bytes / files:.0f} bytes of body)")
                emit("static_errors", f"{static['errors']} (socket errors {static['socket_errors']}, "
                     f"status ≥ 400 {static['non2xx']})")
                emit("static_cpu_seconds", f"nginx {static['cpu_nginx']:.1f}, wrk {static['cpu_wrk']:.1f} "
                     f"(of {os.cpu_count() * static['seconds']:.0f} CPU seconds in the run)")
                emit("load_average_after_static_load", loadavg())
                targets[f"static: 0 errors at {args.clients} clients ({static['errors']})"] = static["errors"] == 0
                targets[f"static: p95 ≤ {P95_MAX_MS:.0f} ms at {args.clients} clients "
                        f"({static['p95_ms']:.2f} ms)"] = static["p95_ms"] <= P95_MAX_MS
        except BenchmarkError as error:
            failures.append(f"static site: {error}")
            print(f"static site: could not run: {error}", file=sys.stderr, flush=True)
        except Exception:
            traceback.print_exc()
            failures.append("static site: unexpected error (see above)")

        if not args.skip_streamlit:
            try:
                rev = streamlit_rev(args.streamlit_rev)
                emit("streamlit_rev", f"{rev} ({git('log', '-1', '--format=%s', rev)[:90]})")
                with worktree(rev, workdir / "streamlit-rev") as tree:
                    for sessions in STREAMLIT_SESSIONS:
                        try:
                            streamlit.append(streamlit_load(tree, sessions, args.streamlit_timeout))
                        except BenchmarkError as error:
                            failures.append(f"Streamlit at {sessions} sessions: {error}")
                            print(f"Streamlit at {sessions} sessions: could not run: {error}",
                                  file=sys.stderr, flush=True)
            except BenchmarkError as error:
                failures.append(f"Streamlit: {error}")
                print(f"Streamlit: could not run: {error}", file=sys.stderr, flush=True)

    table(static, view_bytes, files, streamlit, args.clients)
    at_100 = next((r for r in streamlit if r["sessions"] == 100 and r.get("p95_ms")), None)
    if static and at_100 and static["p95_ms"] > 0:
        emit("headline_ratio", f"{at_100['p95_ms'] / static['p95_ms']:.0f}x (Streamlit p95 to map data at 100 "
             f"sessions {at_100['p95_ms']:.0f} ms ÷ static p95 at {args.clients} clients {static['p95_ms']:.2f} ms)")
    else:
        emit("headline_ratio", "n/a (a part was skipped or did not run)")
    for result in streamlit:
        for name, value in result["own_targets"].items():
            emit(f"streamlit_own_target ({name}, not judged here)", value)
    print("targets:", flush=True)
    for name, ok in targets.items():
        emit(f"  {name}", met(ok))
    for failure in failures:
        emit("  could not run", failure)
    emit("load_average_at_end", loadavg())
    emit("wall_seconds", f"{time.perf_counter() - started:.0f}")
    if failures or not targets:
        return 2
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
