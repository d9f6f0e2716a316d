"""Running the editors' app as several replicas (issue 16): the systemd units (deploy/systemd),
nginx's sticky upstream for them (deploy/nginx/camau-editors.conf.template), and migrations that
are safe when the replicas start together (storage/db.py's lock), on SQLite and PostgreSQL.

tests/test_replicas.py runs the whole thing: two real app.py replicas behind nginx, in Chromium.
"""
from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.test_nginx import NGINX, main_conf, render, start, stop

REPO = Path(__file__).resolve().parents[1]
SYSTEMD = REPO / "deploy" / "systemd"
UNITS = ["camau-editors@.service", "camau-editors.target"]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
SYSTEM_UNITS = next((p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()), None)
INTRANET_IP = "127.0.0.3"
AFFINITY = "camau_affinity"

needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None or SYSTEM_UNITS is None,
    reason="no systemd-analyze or no systemd unit directory (Debian package systemd)")
needs_nginx = pytest.mark.skipif(
    not NGINX.is_file(), reason=f"no {NGINX}: install Debian's nginx (as root: apt-get install nginx-light)")
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"), reason="DATABASE_URL names no PostgreSQL")


# --- systemd ---------------------------------------------------------------------------------------

def unit_directives(name: str) -> list[tuple[str, str]]:
    lines = (SYSTEMD / name).read_text(encoding="utf-8").splitlines()
    return [tuple(part.strip() for part in line.split("=", 1)) for line in lines
            if "=" in line and not line.lstrip().startswith(("#", ";"))]


@pytest.fixture(scope="module")
def systemd_root(tmp_path_factory):
    """A file-system root for ``systemd-analyze --root``: the system's own units (sysinit.target
    and the rest that a service depends on), ours in /etc/systemd/system, and an empty executable
    at every absolute path that ours run (verify refuses a command that does not exist; the app is
    installed at /opt/camau on the server, not here)."""
    root = tmp_path_factory.mktemp("systemd-root")
    (root / "usr" / "lib" / "systemd").mkdir(parents=True)
    shutil.copytree(SYSTEM_UNITS, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    (root / "etc" / "systemd" / "system").mkdir(parents=True)
    for name in UNITS:
        shutil.copy(SYSTEMD / name, root / "etc" / "systemd" / "system" / name)
        for key, value in unit_directives(name):
            if key.startswith("Exec"):
                executable = root / value.lstrip("-@:+!").split()[0].lstrip("/")
                executable.parent.mkdir(parents=True, exist_ok=True)
                executable.write_text("#!/bin/sh\n")
                executable.chmod(0o755)
    return root


@needs_systemd_analyze
def test_systemd_units_verify_without_a_warning(systemd_root):
    run = subprocess.run([SYSTEMD_ANALYZE, "verify", f"--root={systemd_root}", "camau-editors@8601.service",
                          "camau-editors@8602.service", "camau-editors.target"],
                         capture_output=True, text=True, timeout=120)
    # verify exits 0 even for an unknown key or a bad value ("..., ignoring"): any output is a failure.
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stdout + run.stderr


@needs_systemd_analyze
def test_systemd_unit_is_sandboxed(systemd_root):
    run = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=true", f"--root={systemd_root}",
                          "--threshold=20", "camau-editors@8601.service"], capture_output=True, text=True, timeout=120)
    if "--offline" in run.stderr and run.returncode != 0:
        pytest.skip(f"this systemd-analyze has no offline security check: {run.stderr.strip()}")
    score = re.search(r"Overall exposure level for camau-editors@8601\.service: ([\d.]+)", run.stdout)
    assert score, run.stdout[-2000:] + run.stderr
    assert float(score.group(1)) <= 2.0, run.stdout          # systemd's scale: 0 (locked down) to 10
    print(f"\nsystemd-analyze security: exposure {score.group(1)}")


def test_systemd_unit_runs_the_app_as_the_scripts_do():
    directives = unit_directives("camau-editors@.service")
    values = {}
    for key, value in directives:
        values.setdefault(key, []).append(value)
    assert values["ExecStart"] == ["/bin/bash /opt/camau/scripts/run-app.sh"]
    assert (REPO / "scripts" / "run-app.sh").is_file()
    assert values["ExecStartPre"] == ["/opt/camau/.venv/bin/python -m storage.db upgrade"]
    assert "CAMAU_PORT=%i" in values["Environment"][0] and "CAMAU_ADDRESS=127.0.0.1" in values["Environment"][0]
    assert "CAMAU_SKIP_SETUP=1" in values["Environment"][0]          # .venv is read-only under ProtectSystem
    assert values["User"] == ["camau"] and values["Restart"] == ["always"]
    assert values["EnvironmentFile"] == ["/etc/camau/camau.env"]
    assert values["ProtectSystem"] == ["strict"] and values["NoNewPrivileges"] == ["true"]
    assert values["PrivateTmp"] == ["true"] and values["StateDirectory"] == ["camau"]
    writable = values["ReadWritePaths"][0].split()
    assert writable == ["/opt/camau/static", "/var/www/camau-public"]
    assert values["WantedBy"] == ["camau-editors.target"] and values["PartOf"] == ["camau-editors.target"]


def test_python_m_storage_db_upgrade_migrates_the_configured_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {"CAMAU_STATE_DIR": str(tmp_path)}
    for _ in range(2):                                                 # the second run changes nothing
        run = subprocess.run([sys.executable, "-m", "storage.db", "upgrade"], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    from storage.db import is_current, make_engine
    engine = make_engine(f"sqlite:///{tmp_path / 'camau.sqlite3'}")
    assert is_current(engine)
    engine.dispose()
    bad = subprocess.run([sys.executable, "-m", "storage.db"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "usage" in bad.stderr


# --- nginx: the sticky upstream --------------------------------------------------------------------

def editors_settings(**overrides) -> dict[str, str]:
    return {"CAMAU_EDITORS_LISTEN": f"{INTRANET_IP}:8080", "CAMAU_MAX_UPLOAD_MB": "2"} | overrides


def test_render_gives_each_replica_a_group_with_the_others_as_backups():
    text = render.render(editors_settings(CAMAU_EDITORS_UPSTREAMS="127.0.0.1:8601 127.0.0.1:8602  [::1]:8603"),
                         site="editors")

    def block(head: str) -> list[str]:
        body = re.search(re.escape(head) + r" \{(.*?)\n\}", text, re.S).group(1)
        return [line.strip() for line in body.strip().splitlines() if not line.strip().startswith("#")]
    assert block("upstream camau_editors_app") == [
        "server 127.0.0.1:8601;", "server 127.0.0.1:8602;", "server [::1]:8603;", "keepalive 4;"]
    assert block("upstream camau_editors_2") == [
        "server 127.0.0.1:8602;", "server 127.0.0.1:8601 backup;", "server [::1]:8603 backup;", "keepalive 4;"]
    assert block("map $cookie_camau_affinity $camau_editors_upstream") == [
        "default camau_editors_app;", "1 camau_editors_1;", "2 camau_editors_2;", "3 camau_editors_3;"]
    assert block("map $upstream_addr $camau_affinity_served") == [
        'default "";', r'"~(^|, )127\.0\.0\.1:8601$" 1;', r'"~(^|, )127\.0\.0\.1:8602$" 2;',
        r'"~(^|, )\[::1\]:8603$" 3;']
    assert text.count("proxy_pass http://$camau_editors_upstream;") == 3 and "proxy_pass http://camau_editors_app" not in text
    assert "add_header Set-Cookie $camau_affinity_set_cookie always;" in text
    assert "proxy_next_upstream error timeout;" in text
    # Without the list: the one app of CAMAU_EDITORS_ADDRESS/PORT, as before.
    single = render.render(editors_settings(CAMAU_EDITORS_PORT="8701"), site="editors")
    assert "upstream camau_editors_app {\n    server 127.0.0.1:8701;\n    keepalive 4;\n}" in single
    assert "upstream camau_editors_1 {\n    server 127.0.0.1:8701;\n    keepalive 4;\n}" in single


@pytest.mark.parametrize("value", ["127.0.0.1", "127.0.0.1:8601;", "127.0.0.1:0", "127.0.0.1:99999",
                                   "127.0.0.1:8601 127.0.0.1:8601", "127.0.0.1:8601 backup",
                                   "127.0.0.1:8601; server evil:80"])
def test_render_refuses_a_bad_replica_list(value):
    with pytest.raises(render.SettingError, match="CAMAU_EDITORS_UPSTREAMS"):
        render.render(editors_settings(CAMAU_EDITORS_UPSTREAMS=value), site="editors")


class _Backend(http.server.BaseHTTPRequestHandler):
    """Answers every GET with its own name (the server's ``name`` attribute)."""

    def do_GET(self):
        body = self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def backends(count: int):
    """``count`` HTTP servers on free loopback ports, each answering with its name ("b0", "b1", ...)."""
    servers = []
    try:
        for index in range(count):
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
            server.name = f"b{index}"
            serve(server)
            servers.append(server)
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@contextlib.contextmanager
def nginx_in_front(upstreams: list[str]):
    """nginx with the rendered editors' site in front of ``upstreams``; yields (base URL, prefix)."""
    from tests.test_nginx import free_port

    prefix = Path(tempfile.mkdtemp(prefix="camau-deploy-nginx-"))
    prefix.chmod(0o755)
    (prefix / "temp").mkdir()
    port = free_port(INTRANET_IP)
    site = prefix / "camau-editors.conf"
    site.write_text(render.render(editors_settings(CAMAU_EDITORS_LISTEN=f"{INTRANET_IP}:{port}",
                                                   CAMAU_EDITORS_UPSTREAMS=" ".join(upstreams)), site="editors"))
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, site))
    nginx = start([str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
                   "-g", "daemon off; master_process on;"], prefix / "nginx.stderr")
    try:
        base = f"http://{INTRANET_IP}:{port}"
        deadline = time.monotonic() + 30
        while True:                                   # until nginx answers (whatever its upstreams say)
            with contextlib.suppress(requests.ConnectionError):
                requests.get(base + "/_stcore/metrics", timeout=2)    # nginx's own 404
                break
            if nginx.poll() is not None or time.monotonic() > deadline:
                pytest.fail("nginx did not start: " + (prefix / "error.log").read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield base, prefix
    finally:
        stop(nginx)
        shutil.rmtree(prefix, ignore_errors=True)


def serve(server: http.server.ThreadingHTTPServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@needs_nginx
def test_nginx_keeps_each_browser_on_one_replica_and_moves_it_for_good_when_that_one_dies():
    with backends(2) as servers, nginx_in_front([f"127.0.0.1:{s.server_address[1]}" for s in servers]) as (base, _):
        # A new browser goes to any replica and gets the cookie naming it, on the first response.
        first = requests.get(base + "/", timeout=10)
        assert first.cookies.get(AFFINITY) == {"b0": "1", "b1": "2"}[first.text], first.headers
        set_cookie = first.headers["Set-Cookie"]
        assert "Path=/" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        assert "Secure" not in set_cookie                                     # plain http here
        # nginx's own answers (a closed endpoint) name no replica and set nothing.
        assert "Set-Cookie" not in requests.get(base + "/_stcore/metrics", timeout=10).headers

        # With the cookie, every request of a browser reaches its replica, and the cookie is not
        # sent again...
        browsers = []
        for _ in range(8):
            session = requests.Session()
            name = session.get(base + "/", timeout=10).text
            for i in range(5):
                response = session.get(base + f"/p{i}", timeout=10)
                assert response.text == name and "Set-Cookie" not in response.headers
            browsers.append((session, name))
        # ...and new browsers are spread over both replicas.
        assert {name for _, name in browsers} == {"b0", "b1"}
        # A value that names no replica is replaced by the one that answered.
        forged = requests.get(base + "/", cookies={AFFINITY: "9"}, timeout=10)
        assert forged.cookies.get(AFFINITY) == {"b0": "1", "b1": "2"}[forged.text]

        # One replica dies: its browsers reach the other at once, without an error, and their
        # cookie moves them there; the other browsers stay where they were.
        port = servers[0].server_address[1]
        servers[0].shutdown()
        servers[0].server_close()
        for session, name in browsers:
            response = session.get(base + "/", timeout=10)
            assert response.status_code == 200 and response.text == "b1"
            assert ("Set-Cookie" in response.headers) == (name == "b0")
            assert session.cookies.get(AFFINITY) == "2"

        # The dead replica comes back (systemd restarts it): the browsers that moved stay on the
        # replica that holds their new sessions; new browsers reach both again.
        revived = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Backend)
        revived.name = "b0"
        serve(revived)
        servers[0] = revived
        time.sleep(11)                       # past fail_timeout (10 s): nginx tries b0 again
        for session, _ in browsers:
            assert session.get(base + "/", timeout=10).text == "b1"
        assert {requests.get(base + "/", timeout=10).text for _ in range(4)} == {"b0", "b1"}


@needs_nginx
def test_nginx_accepts_the_rendered_editors_site_with_replicas(tmp_path):
    with nginx_in_front(["127.0.0.1:1", "127.0.0.1:2"]) as (_, prefix):
        run = subprocess.run([str(NGINX), "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                              "-e", str(prefix / "error.log")], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and "test is successful" in run.stderr, run.stderr


# --- migrations when replicas start together ---------------------------------------------------------

@contextlib.contextmanager
def own_postgres_schema(url: str, read_only_url: str | None = None):
    """A new, empty schema in the PostgreSQL database of ``url`` (its owner may create schemas; it
    may not create databases), dropped after; yields (url, read-only url or None) whose connections
    use only that schema (``options=-csearch_path=...``). The SELECT-only role of ``read_only_url``
    may read what the owner creates there, as scripts/test-postgres.sh sets up for ``public``."""
    name = f"camau_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    read_only_role = sa.make_url(read_only_url).username if read_only_url else None
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        if read_only_role:
            connection.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{name}" TO "{read_only_role}"')
            connection.exec_driver_sql(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{name}" GRANT SELECT ON TABLES '
                                       f'TO "{read_only_role}"')

    def in_schema(value: str) -> str:
        return sa.make_url(value).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
            hide_password=False)
    try:
        yield in_schema(url), in_schema(read_only_url) if read_only_url else None
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


# One replica's start: its engine and first data ready, it waits for the go file, then migrates
# and seeds version 0 as the app does (ui/streamlit_support.engine). Alembic logs "Running upgrade"
# for each migration it applies.
WORKER = r"""
import logging, sys, time
from pathlib import Path
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(name)s: %(message)s")
logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from storage.db import make_engine, upgrade
url, go = sys.argv[1], Path(sys.argv[2])
engine = make_engine(url)
engine.connect().close()
sample, catalogue = read_sample_csv(), load_catalogue()
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
started = time.monotonic()
upgrade(engine, seed=lambda migrated: ensure_sample_version(migrated, sample, catalogue))
print(f"done in {time.monotonic() - started:.2f} s", flush=True)
"""
REPLICAS = 4


def start_together(url: str, tmp_path: Path, count: int = REPLICAS) -> list[str]:
    """``count`` processes migrate ``url`` at the same moment; returns each one's output."""
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {"CAMAU_STATE_DIR": str(tmp_path)}
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(go)], cwd=REPO, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(count)]
    outputs = []
    try:
        for process in processes:
            seen = []
            while not seen or seen[-1] not in ("ready\n", ""):      # "" is the end: the process exited
                seen.append(process.stdout.readline())
            assert seen[-1] == "ready\n", "".join(seen)
        go.touch()
        for process in processes:
            out, _ = process.communicate(timeout=180)
            outputs.append(out)
            assert process.returncode == 0, out
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


def assert_migrated_once(url: str, outputs: list[str]) -> None:
    from alembic.script import ScriptDirectory

    from storage.db import _alembic_config, make_engine
    from storage.schema import publications, versions

    migrations = len(list(ScriptDirectory.from_config(_alembic_config("sqlite://")).walk_revisions()))
    applied = [out.count("Running upgrade") for out in outputs]
    assert sorted(applied) == [0] * (len(outputs) - 1) + [migrations], outputs     # one process migrated
    assert all("done in" in out for out in outputs)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            head = ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()
            assert heads == [head]
            assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == 1
            assert connection.execute(sa.select(sa.func.count()).select_from(publications)).scalar() == 1
    finally:
        engine.dispose()


@needs_postgres
def test_replicas_starting_together_migrate_postgresql_once(tmp_path):
    with own_postgres_schema(os.environ["DATABASE_URL"]) as (url, _):
        outputs = start_together(url, tmp_path)
        assert_migrated_once(url, outputs)


def test_replicas_starting_together_migrate_sqlite_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'state' / 'camau.sqlite3'}"
    outputs = start_together(url, tmp_path)
    assert_migrated_once(url, outputs)
    assert (tmp_path / "state" / "camau.sqlite3.lock").is_file()


@needs_postgres
def test_schema_lock_is_held_by_one_process_at_a_time():
    """While one engine holds the lock, another's ``upgrade`` waits; it proceeds once released."""
    from storage.db import schema_lock, upgrade

    with own_postgres_schema(os.environ["DATABASE_URL"]) as (url, _):
        first, second = sa.create_engine(url), sa.create_engine(url)
        finished = threading.Event()
        worker = threading.Thread(target=lambda: (upgrade(second), finished.set()), daemon=True)
        try:
            with schema_lock(first):
                worker.start()
                assert not finished.wait(1.5)                      # blocked on pg_advisory_lock
            assert finished.wait(60)
            worker.join(10)
        finally:
            first.dispose()
            second.dispose()
