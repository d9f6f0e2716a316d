"""Real-browser fixtures: one Streamlit server per session, Debian Chromium through Playwright.

* Never run ``playwright install`` (it downloads a browser from a CDN this machine cannot reach);
  the tests launch the system Chromium at /usr/bin/chromium (override with $CHROMIUM) and are
  skipped with a clear reason when it is missing.
* Every browser context aborts each request that does not go to the app server's own origin and
  records it, which models the offline box and catches a newly added CDN link.
* The public view (public.py) runs as a server of its own, started the way scripts/run-public.sh
  starts it; its port is chosen before the editors' server starts, whose embed code points at it
  through CAMAU_PUBLIC_URL.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
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


# The public server's hardening flags, as scripts/run-public.sh passes them.
PUBLIC_ARGS = ["--client.toolbarMode", "viewer", "--client.showErrorDetails", "none",
               "--client.showSidebarNavigation", "false", "--server.enableXsrfProtection", "true",
               "--server.maxUploadSize", "1"]


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
    """The port of the public view's server, chosen before the editors' server starts."""
    return _free_port()


@pytest.fixture(scope="session")
def server_url(server_state_dir, public_port):
    """Start ``streamlit run app.py`` on a free loopback port; stop it after the session."""
    # The server keeps its own throwaway SQLite state: other tests reset the PostgreSQL database
    # that DATABASE_URL may name while this server is still running.
    env = _state_env(server_state_dir)
    # As scripts/run-app.sh: Streamlit's upload limit is CAMAU_MAX_UPLOAD_MB.
    env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"] = str(streamlit_upload_mb())
    # The map page's embed code points at the public server of this session.
    env["CAMAU_PUBLIC_URL"] = f"http://127.0.0.1:{public_port}/"
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


@pytest.fixture(scope="session")
def public_servers(browser):
    """``start(state_dir, reference_dir=None, port=None) -> url``: start a public server
    (``streamlit run public.py`` with run-public.sh's flags, no DATABASE_URL, CAMAU_STATE_DIR =
    ``state_dir``, CAMAU_REFERENCE_DIR = ``reference_dir`` if given) on a free loopback port,
    warmed up. All are stopped at the end of the session."""
    with ExitStack() as stack:
        def start(state_dir: Path, reference_dir: Path | None = None, port: int | None = None) -> str:
            env = _state_env(state_dir)
            if reference_dir is not None:
                env["CAMAU_REFERENCE_DIR"] = str(reference_dir)
            url = stack.enter_context(streamlit_server("public.py", port or _free_port(), env, PUBLIC_ARGS))
            _warm_up(browser, url, "/")
            return url
        yield start


@pytest.fixture(scope="session")
def public_url(app_url, public_servers, public_port, server_state_dir):
    """The public view's server on ``public_port`` (the URL the editors' embed code names), on the
    editors' own state dir. It starts after the editors' server has served a page, so the
    database (created on the first page load) and its published sample exist: the public view
    opens it read-only and never creates it."""
    assert (server_state_dir / "camau.sqlite3").is_file()
    return public_servers(server_state_dir, port=public_port)


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
