"""The public static site (publicsite/): what a build writes, that it switches atomically, that
publish and rollback rebuild it, that a failed build keeps the old site, and that nothing typed
by an editor reaches the page unescaped."""
from __future__ import annotations

import datetime as dt
import html
import html.parser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from publicsite import build as site_build
from publicsite.build import SiteError, build_site, current_site
from services import editing
from storage import datasets
from storage.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_SOURCE = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A SQLite database of this test's own with the sample (version 0, illustrative) published,
    and the site root at ``tmp_path / "site"`` (CAMAU_PUBLIC_DIR)."""
    url = f"sqlite:///{tmp_path / 'camau.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAMAU_PUBLIC_DIR", str(tmp_path / "site"))
    engine = make_engine(url)
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), load_catalogue())
    yield engine
    engine.dispose()


def add_version(engine, *, units="2023", source="Sở Thông tin và Truyền thông", publish=True) -> datasets.VersionInfo:
    """A reported table: VNeID dossiers and hamlet teams for every unit of ``units``."""
    from geo.reference import load_reference
    from geo.units2025 import load_reference_2025
    reference = load_reference()
    codes = list((load_reference_2025(reference).units if units == "2025" else reference.units)["gso_code"])
    figures = [(code, "vneid_dossiers", float(1000 + int(code) % 500)) for code in codes]
    figures += [(code, "hamlet_teams", float(int(code) % 7 + 1)) for code in codes]
    with engine.begin() as connection:
        version = datasets.create_version(
            connection, period="2025" if units == "2025" else "2023", as_of=dt.date(2025, 9, 30), source=source,
            illustrative=False, created_by="editor", file_name="bao_cao.xlsx", file_sha256="c" * 64, sheet="Sheet1",
            rows_read=len(codes), rows_matched=len(codes), rows_rejected=0, note="", figures=figures, report=[],
            units=units)
    if publish:
        return editing.publish_version(engine, version.number, "editor")
    return version


class _Scripts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.inline, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self.lasttag == "script" and data.strip():
            self.inline.append(data)


def read_json(release: Path, relative: str) -> dict:
    return json.loads((release / relative).read_text(encoding="utf-8"))


def test_a_build_writes_a_self_contained_site_with_hashed_assets_and_no_inline_script(database, tmp_path):
    version = add_version(database)
    site = current_site(tmp_path / "site")
    assert site["version"] == version.id and site["version_number"] == version.number
    release = (tmp_path / "site" / "current").resolve()
    page = (release / "index.html").read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(page)
    assert parser.inline == [] and len(parser.scripts) == 3 and all(s.get("src") for s in parser.scripts)
    assert "script-src 'self';" in html.unescape(page) and "unsafe" not in html.unescape(page).split("style-src")[0]
    named = [s["src"] for s in parser.scripts] + parser.links
    for path in named:
        assert (release / path).is_file(), path
        # leaflet-<hash>.js, choropleth-layer-<hash>.js, site-<hash>.js/.css: content-hashed names
        assert re.search(r"-[0-9a-f]{12}\.(js|css)$", path), path
        assert (release / (path + ".gz")).is_file()
    # The layer script is the app's own file, not a copy that could drift.
    layer = next(release / s["src"] for s in parser.scripts if "choropleth-layer" in s["src"])
    assert layer.read_bytes() == (ROOT / "geo" / "choropleth_layer.js").read_bytes()
    manifest = read_json(release, re.search(r'data-manifest="([^"]+)"', page).group(1))
    assert manifest["default_units"] == "2023" and set(manifest["units"]) == {"2023", "2025"}
    units_2023 = manifest["units"]["2023"]
    assert "vneid_dossiers" in units_2023["indicators"]
    assert len(units_2023["communes"]) == 101 and len(manifest["units"]["2025"]["communes"]) == 64
    assert set(units_2023["districts"]) and manifest["units"]["2025"]["districts"] == {}
    for lang in ("vi", "en"):
        view = read_json(release, units_2023["views"][lang]["vneid_dossiers"])
        assert len(view["layer"]["styles"]) == 101
        assert view["layer"]["communes_url"] == units_2023["geometry"][0]
        assert "vneid_dossiers" in view["csv_name"] and (release / view["csv"]).is_file()
        table = (release / view["table"]).read_text(encoding="utf-8")
        assert table.count("<tr>") == 102                               # header + 101 units
    vi = read_json(release, units_2023["views"]["vi"]["vneid_dossiers"])
    en = read_json(release, units_2023["views"]["en"]["vneid_dossiers"])
    assert "Nguồn" in vi["caption"] and "Source" in en["caption"]
    assert "Mẫu số" in vi["caption"] and "Denominator" in en["caption"]


def test_illustrative_indicators_only_with_the_setting_and_then_marked(database, tmp_path, monkeypatch):
    build_site()
    release = (tmp_path / "site" / "current").resolve()
    page = (release / "index.html").read_text(encoding="utf-8")
    manifest = read_json(release, re.search(r'data-manifest="([^"]+)"', page).group(1))
    assert "pilot_status" not in manifest["units"]["2023"]["indicators"]
    monkeypatch.setenv("CAMAU_PUBLIC_SHOW_ILLUSTRATIVE", "1")
    build_site()
    release = (tmp_path / "site" / "current").resolve()
    page = (release / "index.html").read_text(encoding="utf-8")
    manifest = read_json(release, re.search(r'data-manifest="([^"]+)"', page).group(1))
    illustrative = [i for i in manifest["units"]["2023"]["indicators"]
                    if "minh họa" in read_json(release, manifest["units"]["2023"]["views"]["vi"][i])["title"]]
    assert illustrative, "the sample's indicators are shown, marked as illustrative"


def test_publish_and_rollback_rebuild_the_site_and_the_switch_is_one_symlink(database, tmp_path):
    root = tmp_path / "site"
    first = add_version(database)
    first_release = (root / "current").resolve()
    assert current_site(root)["version"] == first.id
    second = add_version(database, source="UBND tỉnh")
    assert current_site(root)["version"] == second.id
    assert (root / "current").is_symlink() and (root / "current").resolve() != first_release
    # A page loaded from the first release still finds its files in the new one.
    for path in (first_release / "assets").rglob("*"):
        if path.is_file():
            assert ((root / "current" / "assets") / path.relative_to(first_release / "assets")).is_file()
    editing.rollback(database, "editor")
    assert current_site(root)["version"] == first.id
    editing.publish_version(database, second.number, "editor")
    releases = [p for p in (root / "releases").iterdir() if not p.name.startswith(".")]
    assert len(releases) == site_build.KEEP_RELEASES
    assert not list((root / "releases").glob(".*"))           # no half-written release left


def test_a_2025_publication_defaults_to_the_2025_units_and_refuses_the_2023_view(database, tmp_path):
    add_version(database, units="2025")
    release = (tmp_path / "site" / "current").resolve()
    page = (release / "index.html").read_text(encoding="utf-8")
    manifest = read_json(release, re.search(r'data-manifest="([^"]+)"', page).group(1))
    assert manifest["default_units"] == "2025"
    assert manifest["units"]["2023"] == {"refused": True}
    view = read_json(release, manifest["units"]["2025"]["views"]["vi"]["hamlet_teams"])
    assert len(view["layer"]["styles"]) == 64 and "01/07/2025" in view["caption"]


def test_a_failed_build_keeps_the_site_that_was_there(database, tmp_path, monkeypatch):
    version = add_version(database)
    before = (tmp_path / "site" / "current").resolve()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(site_build, "_compress", broken)
    with pytest.raises(OSError):
        build_site()
    assert (tmp_path / "site" / "current").resolve() == before and current_site(tmp_path / "site")["version"] == version.id
    assert not list((tmp_path / "site" / "releases").glob(".*"))
    # Through the service, a failed rebuild never undoes the publication.
    newer = add_version(database)
    with database.connect() as connection:
        assert datasets.published_version(connection).id == newer.id
    assert current_site(tmp_path / "site")["version"] == version.id      # the site lags; the versions page says so


def test_text_typed_by_an_editor_is_escaped_in_every_fragment(database, tmp_path):
    add_version(database, source=HOSTILE_SOURCE)
    release = (tmp_path / "site" / "current").resolve()
    for path in (release / "assets" / "data").glob("*"):
        if path.suffix in (".html", ".json"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".html":
                assert "<script" not in text and "<img" not in text, path.name
            else:
                view = json.loads(text)
                assert "<img" not in view["legend"] and "<img" not in view["layer"]["footer"], path.name
    # The caption is set with textContent by the page script: it keeps the raw words.
    page = (release / "index.html").read_text(encoding="utf-8")
    manifest = read_json(release, re.search(r'data-manifest="([^"]+)"', page).group(1))
    view = read_json(release, manifest["units"]["2023"]["views"]["vi"]["vneid_dossiers"])
    assert "&lt;img" in view["layer"]["footer"]


def test_without_a_database_the_site_shows_the_reference_indicators(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    built = build_site(tmp_path / "site")
    assert built.version_id is None and built.views > 0
    assert current_site(tmp_path / "site")["version"] is None


def test_postgresql_without_a_read_only_role_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/camau")
    monkeypatch.delenv("DATABASE_URL_RO", raising=False)
    with pytest.raises(SiteError, match="DATABASE_URL_RO"):
        build_site(tmp_path / "site")
    assert not (tmp_path / "site" / "current").exists()


def test_manage_py_build_public(database, tmp_path):
    env = {**os.environ, "DATABASE_URL": str(database.url)}
    run = subprocess.run([sys.executable, "manage.py", "build-public", "--out", str(tmp_path / "out")], cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "phiên bản 0" in run.stdout and current_site(tmp_path / "out")["version_number"] == 0
    off = subprocess.run([sys.executable, "manage.py", "build-public"], cwd=ROOT, capture_output=True, text=True,
                         env={**env, "CAMAU_PUBLIC_DIR": "off"}, timeout=300)
    assert off.returncode == 2 and "CAMAU_PUBLIC_DIR=off" in off.stderr


@pytest.mark.parametrize("lang, stale, current, rebuilt", [
    ("vi", "chưa hiển thị phiên bản đang công bố", "đang hiển thị phiên bản 0", "Đã dựng lại bản đồ công khai"),
    ("en", "does not show the published version yet", "shows version 0", "The public map was rebuilt")])
def test_the_versions_page_says_whether_the_site_follows_and_rebuilds_it(own_editor_database, monkeypatch, tmp_path,
                                                                         lang, stale, current, rebuilt):
    import streamlit as st

    from tests.apptest import fresh_app, signed_in

    monkeypatch.setenv("CAMAU_PUBLIC_DIR", str(tmp_path / "site"))
    at = signed_in(fresh_app(), *own_editor_database)
    at.query_params["lang"] = lang
    at.switch_page("pages/versions.py").run()
    # The build started with the app may not have finished: either way the page says where the site is.
    words = " ".join(w.value for w in at.warning) + " ".join(c.value for c in at.caption)
    assert stale in words or current in words
    at.button(key="versions_site_rebuild").click().run()
    assert not at.exception and any(rebuilt in s.value for s in at.success)
    assert any(current in c.value for c in at.caption)
    assert current_site(tmp_path / "site")["version_number"] == 0
    st.cache_resource.clear()
