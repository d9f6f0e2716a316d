"""Two replicas of the editors' app behind nginx, on one PostgreSQL database (issue 16).

Real processes, as in production: two ``app.py`` servers started by scripts/run-app.sh on
loopback ports, each after ``python -m storage.db upgrade`` (camau-editors@.service's
ExecStartPre; both run at once on an empty schema), and Debian's nginx with the rendered editors'
template (CAMAU_EDITORS_UPSTREAMS lists both) on 127.0.0.3, which stands for the intranet address.
The database is a schema of its own in the throwaway PostgreSQL of scripts/test-postgres.sh
(DATABASE_URL, and DATABASE_URL_RO for the public site's build); the public static site is built
into a temporary CAMAU_PUBLIC_DIR.

In Debian's Chromium, through the proxy only (every other request is aborted and recorded): an
editor signs in, imports the provincial report and publishes it; the public static site is rebuilt
for that version. The browser's camau_affinity cookie names the replica that holds its session,
and nginx's access log (which names the replica of every request) shows that all of its requests
went there. That replica is killed (SIGKILL). A new browser through the proxy reaches the other
replica: the page loads, sign-in works, the versions page shows the published version; the first
browser, reloaded, is still signed in (its session is in the database) and its cookie now names
the survivor; and the database holds every version and publication it held before the kill.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa

from tests.test_deploy import AFFINITY, INTRANET_IP, needs_nginx, needs_postgres, own_postgres_schema
from tests.test_nginx import NGINX, free_port, main_conf, render, start, stop

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
USER, PASSWORD = "bien_tap_ban_sao", "mat-khau-ban-sao-2468"
START_TIMEOUT = 120
SITE_TIMEOUT = 180                 # the public site's build after a publish takes seconds, more when busy
BROWSERS = {"first": "Mozilla/5.0 (X11; Linux x86_64) Chromium camau-test-first",
            "second": "Mozilla/5.0 (X11; Linux x86_64) Chromium camau-test-second"}
LOG_FORMAT = "'$request_method $uri $status \"$upstream_addr\" \"$cookie_camau_affinity\" \"$http_user_agent\"'"

pytestmark = [
    needs_nginx, needs_postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL_RO"),
                       reason="DATABASE_URL_RO names no read-only role (the public site is built through it)"),
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)),
                       reason=f"{CHROMIUM} not installed (apt-get install chromium); never `playwright install`"),
]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).text == "ok":
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} not healthy after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def database_rows(url: str) -> dict[str, list[tuple]]:
    from storage.schema import publications, versions

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                "versions": [tuple(row) for row in connection.execute(
                    sa.select(versions.c.id, versions.c.number, versions.c.period, versions.c.file_sha256)
                    .order_by(versions.c.id))],
                "publications": [tuple(row) for row in connection.execute(
                    sa.select(publications.c.id, publications.c.version_id, publications.c.action, publications.c.by)
                    .order_by(publications.c.id))],
            }
    finally:
        engine.dispose()


def access_log(prefix: Path) -> list[SimpleNamespace]:
    """nginx's access log: method, path, status, the replica that answered (the last one tried),
    the affinity cookie sent and which test browser sent the request (by its user agent)."""
    browsers = {agent: name for name, agent in BROWSERS.items()}
    entries = []
    for line in (prefix / "access.log").read_text(errors="replace").splitlines():
        match = re.fullmatch(r'(\S+) (\S+) (\d+) "([^"]*)" "([^"]*)" "([^"]*)"', line)
        if match:
            method, path, status, upstream, cookie, agent = match.groups()
            entries.append(SimpleNamespace(method=method, path=path, status=int(status), cookie=cookie,
                                           browser=browsers.get(agent),
                                           upstream=upstream.split(", ")[-1] if upstream not in ("", "-") else None))
    return entries


@pytest.fixture(scope="module")
def cluster():
    prefix = Path(tempfile.mkdtemp(prefix="camau-replicas-"))
    prefix.chmod(0o755)                   # nginx's workers (www-data) create their temporary files here
    (prefix / "temp").mkdir()
    processes: list[subprocess.Popen] = []
    with own_postgres_schema(os.environ["DATABASE_URL"], os.environ["DATABASE_URL_RO"]) as (url, read_only_url):
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "STREAMLIT_"))} | {
                "DATABASE_URL": url, "DATABASE_URL_RO": read_only_url, "CAMAU_STATE_DIR": str(prefix / "state"),
                "CAMAU_PUBLIC_DIR": str(prefix / "public-site"), "CAMAU_TRUSTED_PROXIES": "127.0.0.1",
                "CAMAU_SKIP_SETUP": "1", "CAMAU_ADDRESS": "127.0.0.1"}
            ports = [free_port("127.0.0.1"), free_port("127.0.0.1")]
            while ports[0] == ports[1]:
                ports[1] = free_port("127.0.0.1")

            # ExecStartPre of both units at once, on the empty schema.
            migrations = [subprocess.Popen([sys.executable, "-m", "storage.db", "upgrade"], cwd=REPO, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                          for _ in ports]
            for migration in migrations:
                out, _ = migration.communicate(timeout=120)
                assert migration.returncode == 0, out

            replicas = {}

            def start_replica(port: int) -> SimpleNamespace:
                """(Re)start the replica on ``port``, as systemd's Restart=always does."""
                log = prefix / f"replica-{port}-start{len(processes) + 1}.log"
                replica = SimpleNamespace(port=port, log=log, process=start(
                    ["bash", "scripts/run-app.sh"], log, cwd=REPO, env=env | {"CAMAU_PORT": str(port)}))
                replicas[f"127.0.0.1:{port}"] = replica
                processes.append(replica.process)
                return replica

            for port in ports:
                start_replica(port)

            proxy_port = free_port(INTRANET_IP)
            site = prefix / "camau-editors.conf"
            site.write_text(render.render({"CAMAU_EDITORS_LISTEN": f"{INTRANET_IP}:{proxy_port}",
                                           "CAMAU_EDITORS_UPSTREAMS": " ".join(replicas)}, site="editors"))
            conf = prefix / "nginx.conf"
            conf.write_text(main_conf(prefix, site, log_format=LOG_FORMAT))
            nginx = start([str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
                           "-g", "daemon off; master_process on;"], prefix / "nginx.stderr")
            processes.append(nginx)
            for address, replica in replicas.items():
                wait_healthy(f"http://{address}/_stcore/health", replica.process, replica.log)
            base = f"http://{INTRANET_IP}:{proxy_port}"
            wait_healthy(base + "/_stcore/health", nginx, prefix / "error.log", timeout=30)

            created = subprocess.run([sys.executable, "manage.py", "create-editor", USER], cwd=REPO, env=env,
                                     input=PASSWORD + "\n", capture_output=True, text=True, timeout=180)
            assert created.returncode == 0, created.stdout + created.stderr
            # Each replica's first script run (imports, reference data, geometry): the main page, over
            # the websocket of the replica itself, so that the browser's first page is not a cold start.
            from tests.streamlit_session import script_run
            for address in replicas:
                with script_run(f"http://{address}"):
                    pass
            yield SimpleNamespace(url=base, prefix=prefix, replicas=replicas, database_url=url,
                                  public_dir=prefix / "public-site", start_replica=start_replica)
        finally:
            for process in reversed(processes):
                stop(process)
                # A replica killed by the test may leave its importer's helper process behind, in
                # the process group that start() made for it.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
            for name in sorted(prefix.glob("*.log")):
                print(f"\n--- {name.name} (last lines)\n" + "\n".join(name.read_text(errors="replace").splitlines()[-15:]))
            shutil.rmtree(prefix, ignore_errors=True)


def published_site_version(public_dir: Path, want: int, timeout: float = SITE_TIMEOUT) -> int | None:
    """``version`` of $CAMAU_PUBLIC_DIR/current/site.json once it is ``want`` (or the last seen)."""
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            seen = json.loads((public_dir / "current" / "site.json").read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            seen = None
        if seen == want:
            return seen
        time.sleep(0.5)
    return seen


def test_a_replica_dies_and_nothing_published_is_lost(cluster, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    import tests.corpus as corpus
    from geo.reference import load_reference
    from tests.e2e.conftest import CHROMIUM_ARGS
    from tests.e2e.test_import_browser import nav_link

    report = corpus.write_corpus(tmp_path, load_reference().units)["bao_cao_tinh.xlsx"]
    origin = cluster.url
    outside: list[str] = []
    timings: dict[str, float] = {}

    def new_context(browser, name: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, user_agent=BROWSERS[name])
        context.set_default_timeout(60_000)

        def route(r):
            parts = urlsplit(r.request.url)
            if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == origin:
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort("internetdisconnected")
        context.route("**/*", route)
        return context

    def sign_in(page) -> None:
        page.goto(origin + "/dang-nhap")
        form = page.locator('[data-testid="stForm"]')
        form.get_by_label("Tên đăng nhập", exact=True).fill(USER)
        form.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        form.get_by_role("button", name="Đăng nhập").click()
        expect(nav_link(page, "Nhập dữ liệu")).to_be_visible(timeout=60_000)

    def affinity(context) -> str:
        return next(c["value"] for c in context.cookies() if c["name"] == AFFINITY)

    def browse() -> SimpleNamespace:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                started = time.perf_counter()
                # --- 1. sign in, import the provincial report and publish it, through the proxy
                first = new_context(browser, "first")
                page = first.new_page()
                sign_in(page)
                page.wait_for_function("() => document.cookie.includes('camau_editor_session=')")
                nav_link(page, "Nhập dữ liệu").click()
                uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Tệp số liệu (.xlsx, .csv)")
                uploader.locator('input[type="file"]').set_input_files(report)
                expect(page.get_by_text("Bảng hợp lệ: có thể lưu thành phiên bản mới.")).to_be_visible(timeout=90_000)
                save = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Lưu và công bố"))
                save.get_by_role("button", name="Lưu và công bố", exact=True).click()
                saved = page.get_by_text(re.compile(r"^Đã lưu và công bố phiên bản \d+\. Bản đồ đã dùng số liệu mới\.$"))
                expect(saved).to_be_visible(timeout=90_000)
                number = int(re.search(r"phiên bản (\d+)", saved.inner_text()).group(1))
                timings["sign-in, import and publish"] = time.perf_counter() - started
                cookie = affinity(first)

                # --- 2. the public static site follows (checked here, before anything is killed)
                version_id = next(v[0] for v in database_rows(cluster.database_url)["versions"] if v[1] == number)
                site_version = published_site_version(cluster.public_dir, version_id)
                timings["site.json shows it"] = time.perf_counter() - started

                # --- 3. the replica that holds this browser's session: its cookie names it (1, 2 in
                # the order of CAMAU_EDITORS_UPSTREAMS), and nginx's log shows that every request of
                # this browser went there (the upload included).
                answered = [e for e in access_log(cluster.prefix) if e.browser == "first" and e.upstream]
                serving = {e.upstream for e in answered}
                uploads = [e for e in answered if e.path.startswith("/_stcore/upload_file/")]
                before = database_rows(cluster.database_url)
                dead = list(cluster.replicas.values())[int(cookie) - 1]
                os.kill(dead.process.pid, signal.SIGKILL)
                dead.process.wait(timeout=30)
                killed = time.perf_counter()

                # --- 4. a new browser through the proxy reaches the other replica and works
                second = new_context(browser, "second")
                other = second.new_page()
                other.goto(origin + "/")
                sign_in(other)
                nav_link(other, "Phiên bản dữ liệu").click()
                expect(other.get_by_text(re.compile(rf"^Đang công bố: phiên bản {number} \("))).to_be_visible(
                    timeout=60_000)
                timings["new browser signed in, versions page (after the kill)"] = time.perf_counter() - killed
                second_cookie = affinity(second)

                # --- 5. the first browser, reloaded: on the other replica, still signed in
                page.reload()
                expect(nav_link(page, "Nhập dữ liệu")).to_be_visible(timeout=60_000)
                nav_link(page, "Phiên bản dữ liệu").click()
                expect(page.get_by_text(re.compile(rf"^Đang công bố: phiên bản {number} \("))).to_be_visible(
                    timeout=60_000)
                timings["first browser reloaded, still signed in"] = time.perf_counter() - killed

                # --- 6. the dead replica is back (systemd restarts it). The first browser's session
                # is on the survivor now, and so are its uploads: the cookie keeps it there.
                revived = cluster.start_replica(dead.port)
                wait_healthy(f"http://127.0.0.1:{dead.port}/_stcore/health", revived.process, revived.log)
                time.sleep(11)                  # past nginx's fail_timeout: the replica counts as up again
                upload_after_revival = len(access_log(cluster.prefix))
                nav_link(page, "Nhập dữ liệu").click()
                uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Tệp số liệu (.xlsx, .csv)")
                uploader.locator('input[type="file"]').set_input_files(report)
                expect(page.get_by_text("Bảng hợp lệ: có thể lưu thành phiên bản mới.")).to_be_visible(timeout=90_000)
                timings["replica restarted, the first browser uploads again"] = time.perf_counter() - killed
                return SimpleNamespace(number=number, version_id=version_id, site_version=site_version,
                                       serving=serving, uploads=uploads, before=before, dead=dead, cookie=cookie,
                                       second_cookie=second_cookie, moved_cookie=affinity(first),
                                       late_uploads=[e for e in access_log(cluster.prefix)[upload_after_revival:]
                                                     if e.path.startswith("/_stcore/upload_file/")],
                                       after=database_rows(cluster.database_url))
            finally:
                browser.close()

    # In its own thread: a Playwright instance of other browser tests in this session may own this
    # thread's event loop (see tests/test_nginx.py).
    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(browse).result()
    print("\n" + ", ".join(f"{what}: {seconds:.1f} s" for what, seconds in timings.items()))

    dead_address = f"127.0.0.1:{seen.dead.port}"
    survivor = next(address for address in cluster.replicas if address != dead_address)
    number_of = {address: str(number) for number, address in enumerate(cluster.replicas, 1)}
    assert seen.serving == {dead_address}, f"one browser's requests reached several replicas: {seen.serving}"
    assert seen.uploads and all(e.status == 204 for e in seen.uploads), seen.uploads
    assert outside == [], f"the pages tried to reach outside the proxy: {outside}"

    # After the kill, nginx passed every request on to the survivor: the new browser's, and the first
    # browser's, whose cookie now names the survivor (its later requests go there directly).
    log = access_log(cluster.prefix)
    second = [e for e in log if e.browser == "second" and e.upstream]
    assert second and {e.upstream for e in second} == {survivor}
    assert seen.second_cookie == seen.moved_cookie == number_of[survivor]
    moved = [e for e in log if e.browser == "first" and e.upstream == survivor]
    assert any(e.path == "/_stcore/stream" and e.status == 101 for e in moved), [vars(e) for e in moved]
    assert any(e.cookie == number_of[survivor] for e in moved)
    # Once the dead replica was back, the first browser's upload still went to the survivor.
    assert seen.late_uploads and {(e.upstream, e.status) for e in seen.late_uploads} == {(survivor, 204)}, [
        vars(e) for e in seen.late_uploads]
    failed = [vars(e) for e in log if e.browser and e.status >= 500]
    assert not failed, failed
    served = [e for e in log if e.browser == "first" and e.upstream == dead_address]
    print(f"replica {number_of[dead_address]} ({dead_address}) served the first browser's {len(served)} requests "
          f"and was killed; then {len(moved)} of its requests went to replica {number_of[survivor]}")

    # Nothing committed was lost: the versions and the publication log are as before the kill.
    assert seen.after == seen.before
    assert seen.before["publications"][-1][1] == seen.version_id
    assert [v[1] for v in seen.before["versions"]] == [0, seen.number]

    # The public static site was rebuilt for the published version.
    assert seen.site_version == seen.version_id, (
        f"$CAMAU_PUBLIC_DIR/current/site.json names version {seen.site_version}, not {seen.version_id}")
