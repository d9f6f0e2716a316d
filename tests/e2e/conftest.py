"""Real-browser fixtures: one Streamlit server per session, Debian Chromium through Playwright.

* Never run ``playwright install`` (it downloads a browser from a CDN this machine cannot reach);
  the tests launch the system Chromium at /usr/bin/chromium (override with $CHROMIUM) and are
  skipped with a clear reason when it is missing.
* Every browser context aborts each request that does not go to the app server's own origin and
  records it, which models the offline box and catches a newly added CDN link.
* The public map is the static site that the editors' server builds into its CAMAU_PUBLIC_DIR
  when it starts (and after every publish), served as plain files from loopback; its port is
  chosen before the editors' server starts, whose embed code points at it through CAMAU_PUBLIC_URL.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from storage.settings import streamlit_upload_mb

from .helpers import MAP_PAGE, wait_map

APP_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 60
FIRST_MAP_TIMEOUT_MS = 90_000      # cold start: imports geopandas, folium, mapclassify, scipy

# A rerun takes ~0.5 s here; the 5 s default of expect() is too tight for a slow CI machine.
expect.set_options(timeout=20_000)


def _free_port(exclude: Iterable[int] = ()) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in set(exclude):
            return port


def _log_tail(path: str, lines: int = 40) -> str:
    try:
        return "".join(Path(path).read_text(errors="replace").splitlines(keepends=True)[-lines:])
    except OSError:
        return "(no log)"


def _state_env(state_dir: Path) -> dict[str, str]:
    """The environment of the server and of ``manage.py`` runs against its database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_URL")}
    env["CAMAU_STATE_DIR"] = str(state_dir)
    return env


@pytest.fixture(scope="session")
def server_state_dir():
    """The server's CAMAU_STATE_DIR: its SQLite database is ``<dir>/camau.sqlite3``."""
    path = Path(tempfile.mkdtemp(prefix="e2e-state-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def manage(server_state_dir):
    """``manage(*args, stdin="")``: run ``python manage.py ARGS`` against the server's database
    (same state dir, no DATABASE_URL); returns the CompletedProcess (text, not checked)."""
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=APP_DIR, env=_state_env(server_state_dir),
                              input=stdin, capture_output=True, text=True, timeout=120)
    return run


@contextmanager
def streamlit_server(script: str, port: int, env: dict[str, str], extra_args: Iterable[str] = ()) -> Iterator[str]:
    """``streamlit run SCRIPT`` on 127.0.0.1:PORT until healthy; yields its URL, stops it after."""
    log_fd, log_path = tempfile.mkstemp(prefix=f"e2e-streamlit-{Path(script).stem}-", suffix=".log")
    log = os.fdopen(log_fd, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script,
         # 127.0.0.1: binds loopback only and skips the external-IP lookup for the banner
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *extra_args],
        cwd=APP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early (code {proc.returncode}); log {log_path}:\n"
                                   + _log_tail(log_path))
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy after {SERVER_START_TIMEOUT} s; log {log_path}:\n"
                                   + _log_tail(log_path))
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        print(f"\nstreamlit log ({script}): {log_path}")


@pytest.fixture(scope="session")
def public_port() -> int:
    """The port of the public site's file server, chosen before the editors' server starts."""
    return _free_port()


@pytest.fixture(scope="session")
def public_site_dir(server_state_dir) -> Path:
    """The editors' server's CAMAU_PUBLIC_DIR: the public static site it builds."""
    return server_state_dir / "public-site"


@pytest.fixture(scope="session")
def server_url(server_state_dir, public_port, public_site_dir):
    """Start ``streamlit run app.py`` on a free loopback port; stop it after the session."""
    # The server keeps its own throwaway SQLite state: other tests reset the PostgreSQL database
    # that DATABASE_URL may name while this server is still running.
    env = _state_env(server_state_dir)
    # As scripts/run-app.sh: Streamlit's upload limit is CAMAU_MAX_UPLOAD_MB.
    env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"] = str(streamlit_upload_mb())
    # The map page's embed code points at the public server of this session.
    env["CAMAU_PUBLIC_URL"] = f"http://127.0.0.1:{public_port}/"
    env["CAMAU_PUBLIC_DIR"] = str(public_site_dir)
    with streamlit_server("app.py", _free_port(exclude=[public_port]), env) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); "
                    "never `playwright install`, it needs the internet")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _new_context(browser, origin: str | Iterable[str], blocked: list[str], viewport: dict | None = None, **options):
    """A context that lets through only requests to ``origin`` (one origin or several), and
    aborts and records every other one in ``blocked``."""
    origins = {origin} if isinstance(origin, str) else set(origin)
    ctx = browser.new_context(viewport=viewport or VIEWPORT, **options)

    def route(r):
        url = r.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" in origins:
            r.continue_()
        else:
            blocked.append(url)
            r.abort("internetdisconnected")

    ctx.route("**/*", route)
    return ctx


@pytest.fixture(scope="session")
def app_url(browser, server_url):
    """The server, warmed up once.

    Streamlit 1.67 bug (streamlit/streamlit#9992): the very first browser session after the
    server starts, when opened on a non-default page URL such as /ban-do, shows a "Page not found"
    modal over the (correct) page. Opening the map page once in a throwaway context absorbs it,
    and it also pays the cold first script run (heavy imports, geometry publishing) outside the
    timed tests.
    """
    _warm_up(browser, server_url, MAP_PAGE)
    return server_url


def _warm_up(browser, url: str, path: str) -> None:
    """Open ``path`` once in a throwaway context until the map is drawn (see ``app_url``)."""
    blocked: list[str] = []
    ctx = _new_context(browser, url, blocked)
    try:
        pg = ctx.new_page()
        pg.goto(url + path)
        wait_map(pg, timeout=FIRST_MAP_TIMEOUT_MS)
    finally:
        ctx.close()
    assert not blocked, f"warm-up tried to reach outside the app server: {blocked}"


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def file_server(directory: Path, port: int = 0) -> Iterator[str]:
    """Plain files from ``directory`` on 127.0.0.1 (the path is resolved per request, so a site's
    ``current`` symlink switched by a rebuild is followed); yields the origin."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_QuietFiles, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def wait_for_site(root: Path, timeout: float = 120) -> dict:
    """The site.json of ``root/current`` once a build has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return json.loads((root / "current" / "site.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            time.sleep(0.2)
    raise RuntimeError(f"no public site was built in {root} within {timeout} s")


@pytest.fixture(scope="session")
def public_url(app_url, public_port, public_site_dir):
    """The public static site that the editors' server built when it started, served on
    ``public_port`` (the URL the editors' embed code names)."""
    wait_for_site(public_site_dir)
    with file_server(public_site_dir / "current", public_port) as url:
        yield url


@pytest.fixture(scope="session")
def build_public_site(tmp_path_factory):
    """``build(state_dir, reference_dir=None) -> url``: ``manage.py build-public`` for the database
    in ``state_dir`` (CAMAU_REFERENCE_DIR = ``reference_dir`` if given), served on a free port."""
    with ExitStack() as stack:
        def build(state_dir: Path, reference_dir: Path | None = None) -> str:
            env = _state_env(state_dir)
            if reference_dir is not None:
                env["CAMAU_REFERENCE_DIR"] = str(reference_dir)
            root = tmp_path_factory.mktemp("built-site")
            subprocess.run([sys.executable, "manage.py", "build-public", "--out", str(root)], cwd=APP_DIR, env=env,
                           check=True, capture_output=True, text=True, timeout=300)
            return stack.enter_context(file_server(root / "current"))
        yield build


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to load from anywhere but the app server (all aborted)."""
    return []


@pytest.fixture
def context(browser, app_url, blocked_requests):
    ctx = _new_context(browser, app_url, blocked_requests)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def make_context(browser, blocked_requests):
    """``make_context(origins, viewport=None, **options)``: a context that lets through only the
    given origins (aborting and recording every other request in ``blocked_requests``), closed
    after the test."""
    made = []

    def make(origins: str | Iterable[str], viewport: dict | None = None, **options):
        ctx = _new_context(browser, origins, blocked_requests, viewport, **options)
        ctx.set_default_timeout(30_000)
        made.append(ctx)
        return ctx
    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    yield pg
    pg.close()


def assert_no_outside_requests(blocked: list[str]) -> None:
    assert blocked == [], f"the page tried to reach outside the app server: {blocked}"


@pytest.fixture
def no_outside_requests(blocked_requests):
    """Call it at the end of a test: asserts zero outside requests were attempted so far."""
    return lambda: assert_no_outside_requests(blocked_requests)
