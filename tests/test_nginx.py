"""The example nginx sites (deploy/nginx): Debian's nginx serving the public static site and, on
another address, in front of the editors' app, on loopback.

Real processes: the editors' app (app.py, with its upload limit as scripts/run-app.sh sets it), a
public site built by publicsite.build, and nginx with both rendered templates.
127.0.0.2 stands for the public address, 127.0.0.3 for the intranet/VPN address of the editors'
site; both apps listen on 127.0.0.1 only, as in production.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
TEMPLATE = REPO / "deploy" / "nginx" / "camau-public.conf.template"
EDITORS_TEMPLATE = REPO / "deploy" / "nginx" / "camau-editors.conf.template"
BASE = "ban-do-cong-khai"
PUBLIC_IP = "127.0.0.2"
INTRANET_IP = "127.0.0.3"
UPLOAD_MB = 2                       # CAMAU_MAX_UPLOAD_MB for the editors' app and its proxy
MB = 1024 * 1024
# Streamlit endpoints that no visitor needs (issue 11: /_stcore/metrics was public).
NOT_FOR_VISITORS = ["_stcore/metrics", "_stcore/script-health-check", "_stcore/agent/openapi.json",
                    "_stcore/agent/mcp", "_stcore/bidi-components/x/index.html", "auth/login", "auth/logout",
                    "oauth2callback"]
FRAME_ANCESTORS = "https://camau.gov.vn https://*.camau.gov.vn"
EXPECTED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                f"frame-ancestors 'self' {FRAME_ANCESTORS}")
ENVSUBST_VARS = ("${CAMAU_PROXY_LISTEN} ${CAMAU_PROXY_SERVER_NAME} ${CAMAU_PUBLIC_DIR} "
                 "${CAMAU_PUBLIC_BASE_PATH} ${CAMAU_FRAME_ANCESTORS}")
IMMUTABLE = "public, max-age=31536000, immutable"

needs_nginx = pytest.mark.skipif(
    not NGINX.is_file(), reason=f"no {NGINX}: install Debian's nginx (as root: apt-get install nginx-light)")


def _load_render():
    spec = importlib.util.spec_from_file_location("camau_nginx_render", REPO / "deploy" / "nginx" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load_render()


def settings(**overrides) -> dict[str, str]:
    values = {"CAMAU_PROXY_LISTEN": f"{PUBLIC_IP}:8080", "CAMAU_PROXY_SERVER_NAME": "_",
              "CAMAU_PUBLIC_DIR": "/var/www/camau-public",
              "CAMAU_PUBLIC_BASE_PATH": BASE, "CAMAU_FRAME_ANCESTORS": FRAME_ANCESTORS}
    return values | overrides


# --- the render step (no nginx needed) ---------------------------------------------------------

def test_render_fills_every_variable_and_keeps_nginx_variables():
    text = render.render(settings())
    assert "${" not in text
    assert f"listen {PUBLIC_IP}:8080;" in text
    assert "alias /var/www/camau-public/current/;" in text and "gzip_static on;" in text
    assert f'add_header Content-Security-Policy "{EXPECTED_CSP}" always;' in text
    assert f"location /{BASE}/ {{" in text and "proxy_pass" not in text     # files only: no application server
    assert "$camau_public_cache" in text and "$uri" in text
    assert "X-Frame-Options \"" not in text          # CSP only (see the template)


def test_render_defaults_match_the_systemd_units():
    text = render.render({"CAMAU_PROXY_LISTEN": "203.0.113.10:80"})
    assert "alias /var/www/camau-public/current/;" in text and "server_name _;" in text
    assert "location /ban-do-cong-khai/ {" in text
    assert "frame-ancestors 'self' \"" in text      # no other site may frame it by default


@pytest.mark.parametrize("name, value", [
    ("CAMAU_FRAME_ANCESTORS", 'https://camau.gov.vn"; add_header X-Evil 1'),
    ("CAMAU_FRAME_ANCESTORS", "https://camau.gov.vn; script-src *"),
    ("CAMAU_FRAME_ANCESTORS", "https://camau.gov.vn, https://x.example"),
    ("CAMAU_FRAME_ANCESTORS", "'none'"),
    ("CAMAU_FRAME_ANCESTORS", "https://camau.gov.vn\nhttps://x.example"),
    ("CAMAU_FRAME_ANCESTORS", "https://$host"),
    ("CAMAU_PROXY_LISTEN", ""),
    ("CAMAU_PROXY_LISTEN", "80; include /etc/passwd"),
    ("CAMAU_PROXY_SERVER_NAME", "a.vn { }"),
    ("CAMAU_PUBLIC_DIR", "var/www/camau-public"),
    ("CAMAU_PUBLIC_DIR", "/var/www/x; include /etc/passwd"),
    ("CAMAU_PUBLIC_DIR", "/var/www/../../etc"),
    ("CAMAU_PUBLIC_DIR", "/var/www/a b"),
    ("CAMAU_PUBLIC_BASE_PATH", "/ban-do-cong-khai/"),
    ("CAMAU_PUBLIC_BASE_PATH", ".."),
    ("CAMAU_PUBLIC_BASE_PATH", "a b"),
])
def test_render_refuses_values_that_would_change_the_configuration(name, value):
    with pytest.raises(render.SettingError):
        render.render(settings(**{name: value}))


def test_render_accepts_csp_sources():
    for value in ["", "'self'", "https:", "*", "https://camau.gov.vn:8443", "https://*.camau.gov.vn",
                  "camau.gov.vn https://cong-thong-tin.camau.gov.vn/nhung/"]:
        render.render(settings(CAMAU_FRAME_ANCESTORS=value))


def test_render_py_cli_reports_a_bad_value():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMAU_")} | settings(
        CAMAU_FRAME_ANCESTORS="https://ok.vn 'unsafe-inline'")
    run = subprocess.run([sys.executable, str(REPO / "deploy" / "nginx" / "render.py")], env=env,
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and run.stdout == ""
    assert "CAMAU_FRAME_ANCESTORS" in run.stderr


@pytest.mark.skipif(not shutil.which("envsubst"), reason="no envsubst (Debian package gettext-base)")
def test_envsubst_renders_the_same_bytes():
    values = settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMAU_")} | values
    run = subprocess.run(["envsubst", ENVSUBST_VARS], input=TEMPLATE.read_text(encoding="utf-8"),
                         env=env, capture_output=True, text=True, timeout=30, check=True)
    assert run.stdout == render.render(values)


def editors_settings(**overrides) -> dict[str, str]:
    return {"CAMAU_EDITORS_LISTEN": f"{INTRANET_IP}:8080", "CAMAU_MAX_UPLOAD_MB": str(UPLOAD_MB)} | overrides


def test_render_editors_site_with_its_limits_and_headers():
    text = render.render(editors_settings(), site="editors")
    assert "${" not in text
    assert f"listen {INTRANET_IP}:8080;" in text and "server 127.0.0.1:8501;" in text
    assert f"client_max_body_size {UPLOAD_MB + 1}m;" in text
    assert 'add_header Content-Security-Policy "frame-ancestors \'self\'" always;' in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "$proxy_add_x_forwarded_for" not in text
    assert render.render({"CAMAU_EDITORS_LISTEN": "10.0.0.5:80"}, site="editors").count(
        "client_max_body_size 11m;") == 1                       # CAMAU_MAX_UPLOAD_MB's default, 10
    assert "client_max_body_size 4m;" in render.render(editors_settings(CAMAU_MAX_UPLOAD_MB="2.5"), site="editors")


@pytest.mark.parametrize("name, value", [
    ("CAMAU_EDITORS_LISTEN", ""),
    ("CAMAU_EDITORS_LISTEN", "80; include /etc/passwd"),
    ("CAMAU_EDITORS_SERVER_NAME", "a.vn { }"),
    ("CAMAU_EDITORS_PORT", "85010"),
    ("CAMAU_EDITORS_ADDRESS", "127.0.0.1:8501;"),
    ("CAMAU_MAX_UPLOAD_MB", "10m"),
    ("CAMAU_MAX_UPLOAD_MB", "0"),
    ("CAMAU_MAX_UPLOAD_MB", "nan"),
])
def test_render_editors_refuses_values_that_would_change_the_configuration(name, value):
    with pytest.raises(render.SettingError):
        render.render(editors_settings(**{name: value}), site="editors")


def test_render_py_cli_renders_the_editors_site_and_refuses_an_unknown_one():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMAU_")} | editors_settings()
    script = str(REPO / "deploy" / "nginx" / "render.py")
    run = subprocess.run([sys.executable, script, "editors"], env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and run.stdout == render.render(editors_settings(), site="editors")
    run = subprocess.run([sys.executable, script, "admin"], env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "public or editors" in run.stderr


# --- the running stack ---------------------------------------------------------------------------

def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start(command: list[str], log: Path, **kwargs) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, **kwargs)


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM (nginx: fast shutdown of master and workers; Streamlit: clean exit), then SIGKILL to
    the process group that this test started."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def wait_ok(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[:4]} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def streamlit_command(script: str, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
            *extra]


def main_conf(prefix: Path, *sites: Path, log_format: str | None = None) -> str:
    """A main nginx.conf with Debian's own http settings, logs, pid and temporary files in ``prefix``;
    the rendered sites are included where Debian includes sites-enabled/*. ``log_format``: the
    access log's format (nginx's default "combined" otherwise)."""
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    access_log = (f"log_format camau {log_format};\n    access_log {prefix / 'access.log'} camau;" if log_format
                  else f"access_log {prefix / 'access.log'};")
    includes = "\n".join(f"    include {site};" for site in sites)
    temp = "\n".join(f"    {kind}_temp_path {prefix / 'temp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} notice;
events {{
    worker_connections 256;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;
    {access_log}
{temp}
{includes}
}}
"""


@pytest.fixture(scope="module")
def stack():
    if not NGINX.is_file():
        pytest.skip(f"no {NGINX}")
    prefix = Path(tempfile.mkdtemp(prefix="camau-nginx-"))
    prefix.chmod(0o755)                  # nginx's workers (www-data) create their temporary files here
    state = prefix / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {
        "CAMAU_STATE_DIR": str(state)}
    editors_port = free_port("127.0.0.1")
    proxy_port, editors_proxy_port = free_port(PUBLIC_IP), free_port(INTRANET_IP)
    processes: list[subprocess.Popen] = []
    try:
        from publicsite.build import build_site
        site_root = prefix / "site"
        build_site(site_root, database_url=f"sqlite:///{prefix / 'no-database.sqlite3'}")
        editors_log = prefix / "editors.log"
        editors = start(streamlit_command("app.py", editors_port, "--server.maxUploadSize", str(UPLOAD_MB)),
                        editors_log, cwd=REPO, env=env | {"CAMAU_MAX_UPLOAD_MB": str(UPLOAD_MB),
                                                          "CAMAU_TRUSTED_PROXIES": "127.0.0.1"})
        processes.append(editors)

        site = prefix / "camau-public.conf"
        rendered = render.render(settings(CAMAU_PROXY_LISTEN=f"{PUBLIC_IP}:{proxy_port}",
                                          CAMAU_PUBLIC_DIR=str(site_root)))
        site.write_text(rendered, encoding="utf-8")
        editors_site = prefix / "camau-editors.conf"
        editors_site.write_text(render.render(editors_settings(CAMAU_EDITORS_LISTEN=f"{INTRANET_IP}:{editors_proxy_port}",
                                                               CAMAU_EDITORS_PORT=str(editors_port)), site="editors"),
                                encoding="utf-8")
        conf = prefix / "nginx.conf"
        conf.write_text(main_conf(prefix, site, editors_site), encoding="utf-8")
        (prefix / "temp").mkdir()
        nginx_log = prefix / "nginx.stderr"
        nginx = start([str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
                       "-g", "daemon off; master_process on;"], nginx_log)
        processes.append(nginx)

        wait_ok(f"http://127.0.0.1:{editors_port}/_stcore/health", editors, editors_log)
        wait_ok(f"http://{PUBLIC_IP}:{proxy_port}/{BASE}/site.json", nginx, prefix / "error.log", timeout=30)
        wait_ok(f"http://{INTRANET_IP}:{editors_proxy_port}/_stcore/health", nginx, prefix / "error.log", timeout=30)
        yield SimpleNamespace(url=f"http://{PUBLIC_IP}:{proxy_port}", host=f"{PUBLIC_IP}:{proxy_port}",
                              proxy_port=proxy_port, editors_port=editors_port, site_root=site_root,
                              editors_url=f"http://{INTRANET_IP}:{editors_proxy_port}",
                              prefix=prefix, conf=conf, rendered=rendered)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(prefix, ignore_errors=True)


@needs_nginx
def test_nginx_accepts_the_rendered_configuration(stack):
    run = subprocess.run([str(NGINX), "-t", "-p", str(stack.prefix), "-c", str(stack.conf),
                          "-e", str(stack.prefix / "error.log")], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr


def first_view(url: str) -> list[str]:
    """The paths (below the site) that the page's first view loads: index.html's scripts and
    styles, the manifest, and the default unit set's geometry and first Vietnamese view."""
    page = requests.get(url, timeout=10).text
    paths = re.findall(r'(?:src|href)="(assets/[^"]+)"', page)
    manifest_path = re.search(r'data-manifest="([^"]+)"', page).group(1)
    manifest = requests.get(url + manifest_path, timeout=10).json()
    units = manifest["units"][manifest["default_units"]]
    return [*paths, manifest_path, *units["geometry"], units["views"]["vi"][units["indicators"][0]]]


@needs_nginx
def test_the_static_site_is_served_under_its_path_with_its_headers(stack):
    response = requests.get(f"{stack.url}/{BASE}/", timeout=10)
    assert response.status_code == 200 and "data-manifest" in response.text
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["Cache-Control"] == "no-cache"          # a new publication shows at the next visit
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Server"] == "nginx"
    site = requests.get(f"{stack.url}/{BASE}/site.json", timeout=10)
    assert site.json()["format"] == 1 and site.headers["Cache-Control"] == "no-cache"
    bare = requests.get(f"{stack.url}/{BASE}", timeout=10, allow_redirects=False)
    assert (bare.status_code, bare.headers["Location"]) == (301, f"/{BASE}/")


@needs_nginx
def test_the_first_view_is_gzipped_cached_forever_and_small(stack):
    paths = first_view(f"{stack.url}/{BASE}/")
    assert any("leaflet" in p for p in paths) and any("choropleth-layer" in p for p in paths)
    total = 0
    for path in paths:
        response = requests.get(f"{stack.url}/{BASE}/{path}", headers={"Accept-Encoding": "gzip"}, timeout=10,
                                stream=True)
        assert response.status_code == 200, path
        assert response.headers["Content-Encoding"] == "gzip", path          # the build's .gz, sent as it is
        assert response.headers["Cache-Control"] == IMMUTABLE, path
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP, path
        total += int(response.headers["Content-Length"])
        response.close()
    index = requests.get(f"{stack.url}/{BASE}/", headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
    total += int(index.headers["Content-Length"])
    assert total <= 120 * 1024, total                                           # issue 16: first view <= 120 KB gzip
    plain = requests.get(f"{stack.url}/{BASE}/{paths[0]}", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers and plain.status_code == 200


@needs_nginx
def test_the_public_site_only_reads_and_serves_nothing_else(stack):
    for method in ("POST", "PUT", "DELETE"):
        assert requests.request(method, f"{stack.url}/{BASE}/", data=b"x", timeout=10).status_code == 403, method
    for path in (f"/{BASE}/releases/", f"/{BASE}/../releases/", f"/{BASE}/assets/", f"/{BASE}/.build.lock",
                 f"/{BASE}/assets/nope.js", f"/{BASE}/_stcore/health"):
        response = requests.get(stack.url + path, timeout=10, allow_redirects=False)
        assert response.status_code in (403, 404), path
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP, path


@needs_nginx
def test_editors_app_is_not_on_the_public_address(stack):
    # The editors' app runs (on its internal address)…
    assert requests.get(f"http://127.0.0.1:{stack.editors_port}/_stcore/health", timeout=10).text == "ok"
    assert stack.editors_port != stack.proxy_port
    assert f":{stack.editors_port}" not in stack.rendered
    # …but nothing on the public address reaches it.
    for path in ["/", "/dang-nhap", "/nhap-du-lieu", "/phien-ban", "/tong-quan", "/_stcore/health",
                 "/_stcore/stream", "/_stcore/host-config", "/_stcore/upload_file/x", "/_stcore/upload_file/s/f",
                 "/static/js/index.js", "/media/x.csv", f"/{BASE}-x/"]:
        response = requests.get(stack.url + path, timeout=10, allow_redirects=False)
        assert response.status_code == 404, path
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP, path
    with pytest.raises(OSError):
        socket.create_connection((PUBLIC_IP, stack.editors_port), timeout=2).close()

    # Nothing below the public path takes an upload: the site is files.
    for method in ("GET", "PUT", "DELETE", "OPTIONS"):
        response = requests.request(method, f"{stack.url}/{BASE}/_stcore/upload_file/s/f", timeout=10,
                                    data=b"x" if method == "PUT" else None)
        assert response.status_code in (403, 404), method



@needs_nginx
def test_streamlit_endpoints_that_visitors_do_not_need_are_closed_on_both_sites(stack):
    """Issue 11: /_stcore/metrics was public through the template (memory, sessions)."""
    # Streamlit itself serves them…
    assert requests.get(f"http://127.0.0.1:{stack.editors_port}/_stcore/metrics", timeout=10).status_code == 200
    # …nginx does not pass them on, on either site.
    for path in NOT_FOR_VISITORS:
        public = requests.get(f"{stack.url}/{BASE}/{path}", timeout=10, allow_redirects=False)
        assert public.status_code == 404, path
        assert public.headers["Content-Security-Policy"] == EXPECTED_CSP, path
        editors = requests.get(f"{stack.editors_url}/{path}", timeout=10, allow_redirects=False)
        assert editors.status_code == 404, path
        assert editors.headers["Content-Security-Policy"] == "frame-ancestors 'self'", path


@needs_nginx
def test_editors_site_cannot_be_framed_by_another_site(stack):
    direct = requests.get(f"http://127.0.0.1:{stack.editors_port}/", timeout=10)
    assert "Content-Security-Policy" not in direct.headers          # Streamlit cannot set it
    for path in ("/", "/dang-nhap", "/_stcore/health", "/nope"):
        response = requests.get(stack.editors_url + path, timeout=10)
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Server"] == "nginx", path
    assert "<title>Streamlit</title>" in requests.get(stack.editors_url + "/", timeout=10).text


@needs_nginx
def test_editors_site_limits_upload_bodies_and_passes_real_uploads(stack):
    from tests.streamlit_session import streamlit_session, upload

    with streamlit_session(stack.editors_url) as (http, xsrf, session_id):
        assert upload(stack.editors_url, http, xsrf, session_id, int(1.5 * MB)) == 204   # through the proxy
        assert upload(stack.editors_url, http, xsrf, session_id, int(2.5 * MB)) == 413   # Streamlit's limit
        # Above client_max_body_size (UPLOAD_MB + 1 MB of framing) nginx answers before the app reads a byte.
        response = http.put(f"{stack.editors_url}/_stcore/upload_file/{session_id}/big",
                            headers={"X-Xsrftoken": xsrf}, data=b"x" * (UPLOAD_MB + 2) * MB, timeout=60)
        assert response.status_code == 413 and "nginx" in response.text
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"


@needs_nginx
@pytest.mark.parametrize("site", ["public", "editors"])
def test_the_map_draws_in_a_browser_through_each_site(stack, site):
    """The closed endpoints are none that Streamlit's page asks for: in Chromium, through the
    proxy, the map draws and no request of the page gets a 4xx."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        pytest.skip(f"{chromium} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS
    from tests.e2e.helpers import wait_map

    origin = stack.url if site == "public" else stack.editors_url
    page_url = f"{origin}/{BASE}/" if site == "public" else f"{origin}/ban-do"
    refused, outside = [], []

    def visit() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(origin)
                           else (outside.append(r.request.url), r.abort()))
                page.on("response", lambda r: r.status >= 400 and refused.append((r.status, r.url)))
                page.goto(page_url)
                if site == "public":
                    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                    page.wait_for_function("document.querySelectorAll('#map path.leaflet-interactive').length == 101")
                else:
                    wait_map(page, timeout=120_000)
            finally:
                browser.close()

    # In its own thread: when the browser tests run in the same session, their Playwright instance
    # owns this thread's event loop, and the sync API refuses a second one there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(visit).result()
    # Opened on /ban-do, Streamlit's page first looks for its server below that path (a base URL
    # path it cannot know) and gets Streamlit's own 404 for /ban-do/_stcore/health and host-config;
    # then it uses /_stcore/. Those two probes are not refusals of the proxy.
    probes = {f"{page_url}/_stcore/health", f"{page_url}/_stcore/host-config"} if site == "editors" else set()
    refused = [(status, url) for status, url in refused if url not in probes]
    assert refused == [] and outside == [], (refused, outside)
