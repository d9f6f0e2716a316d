"""The public view: read-only by construction, robust to any link, embeddable."""
import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest import fresh_app
from tests.html_tables import tables_in
from views.map.embed import embed_code, public_indicators, share_link
from views.public.public_state import DEFAULT_HEIGHT, PublicState, read_public_state

REPO = Path(__file__).resolve().parents[1]
CHROME_HEIGHT = 215   # public.py: the page around the map
# Modules through which stored data can change or users can sign in / upload.
WRITE_MODULES = {"storage.datasets", "storage.db", "auth", "auth.accounts", "importer.pipeline",
                 "importer.template", "indicators.sample_version", "ui.streamlit_support", "ui.editor_session",
                 "manage", "alembic", "storage.scenarios", "services", "services.editing"}
PUBLIC_CONTRACT = "The public view imports nothing that can write"


def public_contract() -> dict:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return next(c for c in contracts["contracts"] if c["name"] == PUBLIC_CONTRACT)


def test_public_entry_point_imports_only_what_the_contract_checks():
    """import-linter checks packages, not the top-level public.py: every project module public.py
    imports must be a source module of the contract (or inside one), so the contract covers it."""
    sources = public_contract()["source_modules"]
    imported = set()
    for node in ast.walk(ast.parse((REPO / "public.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    own = {name for name in imported if (REPO / name.split(".")[0]).is_dir()}
    assert own and all(any(name == s or name.startswith(s + ".") for s in sources) for name in own), own


def test_public_contract_is_kept():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert f"{PUBLIC_CONTRACT} KEPT" in " ".join(result.stdout.split()), result.stdout[-2000:]
    assert set(public_contract()["forbidden_modules"]) >= {"services", "storage.db", "auth", "importer.pipeline"}


def test_public_view_loads_no_write_module_at_run_time(tmp_path):
    script = ("import runpy, sys, json; runpy.run_path('public.py');"
              "print(json.dumps(sorted(m for m in sys.modules)))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {
        "CAMAU_STATE_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & WRITE_MODULES, loaded & WRITE_MODULES
    assert "streamlit_folium" in loaded and not (tmp_path / "camau.sqlite3").exists()


def run(at, **params):
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def map_args(at):
    components = at.get("component_instance")
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def test_default_view_shows_a_real_indicator_with_source_and_data_link(public):
    at = run(public)
    assert at.markdown[0].value == "**Dân số 2019**"
    assert "Nguồn: Tổng điều tra dân số" in at.caption[0].value and "01/04/2019" in at.caption[0].value
    assert at.get("download_button")
    args = map_args(at)
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert args["returned_objects"] == [] and args["height"] == DEFAULT_HEIGHT - CHROME_HEIGHT
    # No sidebar, no file uploader, no sign-in form anywhere.
    assert not at.sidebar.children and not at.get("file_uploader") and not at.text_input


@pytest.mark.parametrize("params", [
    {"ind": "<script>alert(1)</script>"}, {"c": "99999"}, {"c": "<img src=x onerror=alert(1)>"},
    {"d": "'; DROP TABLE users; --"}, {"h": "-5"}, {"h": "1e9"}, {"lang": "xx"}, {"period": "1900"},
    {"ind": "hamlet_teams"},   # illustrative: hidden from the public by default
])
def test_bad_or_hostile_parameters_fall_back_with_a_notice(public, params):
    at = run(public, **params)
    assert at.markdown[0].value == "**Dân số 2019**"
    assert "bỏ qua" in at.caption[-1].value
    assert "<img" not in json.dumps(map_args(at))


def test_good_parameters_choose_the_view(public):
    at = run(public, ind="population_density", d="964", c="32005", lang="en", h="600")
    assert at.markdown[0].value == "**Population density**"
    payload = map_args(at)
    assert payload["height"] == 600 - CHROME_HEIGHT
    assert '"selected":"32005"' in payload["feature_group"]
    assert "Source:" in at.caption[0].value


def test_editor_pages_are_not_reachable_from_the_public_server(public):
    at = run(public)
    for page in ("import_data", "rounds", "versions", "audit", "sign_in", "map"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")


def test_illustrative_indicators_only_with_the_setting(public, monkeypatch, catalogue):
    from indicators.sample import read_sample_csv
    from indicators.sample_version import ensure_sample_version
    from storage.db import make_engine, upgrade
    engine = make_engine()   # the editors' app has created and published version 0
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    engine.dispose()
    assert "hamlet_teams" in run(public, ind="hamlet_teams").caption[-1].value  # hidden: a notice
    monkeypatch.setenv("CAMAU_PUBLIC_SHOW_ILLUSTRATIVE", "1")
    at = run(fresh_app("public.py"), ind="hamlet_teams")
    assert "Dữ liệu minh họa" in at.markdown[0].value


def test_public_state_reading():
    indicators, codes = ["population_2019", "area_km2"], ["32005", "31999"]
    state, notices = read_public_state({"ind": "area_km2", "h": "500", "c": "32005"}, indicators, ["2022"],
                                       ["964"], codes)
    assert (state.indicator, state.height, state.commune, notices) == ("area_km2", 500, "32005", [])
    state, notices = read_public_state({"h": "²"}, indicators, [], ["964"], codes)
    assert state.height == DEFAULT_HEIGHT and notices[0].param == "h"


def test_embed_code_is_escaped_and_titled():
    state = PublicState("population_2019", district="964", height=400)
    code = embed_code("https://portal.example/ban-do/", state, 'Dân số "2019" <b>')
    assert code.startswith('<iframe src="https://portal.example/ban-do/?ind=population_2019&amp;lang=vi&amp;h=400')
    assert 'title="Dân số &quot;2019&quot; &lt;b&gt;"' in code and 'aria-label="Dân số &quot;2019&quot;' in code
    assert 'height="400"' in code and "embed=true" in code
    assert share_link("https://portal.example/", state) == "https://portal.example/?ind=population_2019&lang=vi&h=400&d=964&units=2023"


def test_public_indicators_exclude_illustrative_by_default(catalogue):
    shown = public_indicators(catalogue)
    assert "population_2019" in shown and "hamlet_teams" not in shown
    assert "hamlet_teams" in public_indicators(catalogue, include_illustrative=True)


def test_map_page_offers_the_embed_code():
    at = fresh_app()
    at.query_params["ind"] = "population_2019"
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.code   # the section is drawn only while open
    at.session_state["x_embed"] = True
    at.run()
    codes = [c.value for c in at.code]
    assert any(c.startswith("<iframe") and "ind=population_2019" in c for c in codes)


def test_static_urls_follow_the_base_path():
    from streamlit import config

    from ui.settings import static_url
    assert static_url() == "/app/static"
    config.set_option("server.baseUrlPath", "/ban-do-cong-khai/")
    try:
        assert static_url() == "/ban-do-cong-khai/app/static"
    finally:
        config.set_option("server.baseUrlPath", "")


def test_public_view_notices_a_database_created_after_it_started(tmp_path, monkeypatch, catalogue):
    from indicators.sample import read_sample_csv
    from indicators.sample_version import ensure_sample_version
    from storage.db import make_engine, upgrade
    for name in ("DATABASE_URL", "DATABASE_URL_RO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAMAU_STATE_DIR", str(tmp_path))
    st.cache_resource.clear()
    before = run(AppTest.from_file(str(REPO / "public.py"), default_timeout=60), period="2022")
    assert "period='2022'" in before.caption[-1].value          # no data published yet
    engine = make_engine()
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), catalogue)  # the editors' app starts
    engine.dispose()
    after = run(AppTest.from_file(str(REPO / "public.py"), default_timeout=60), period="2022")   # same process, caches kept
    assert not any("bỏ qua" in c.value for c in after.caption)


def test_the_map_has_a_table_alternative(public):
    at = run(public, d="964")
    tables = tables_in(at)
    assert len(tables) == 1
    # The district filter keeps only its communes: Thành phố Cà Mau has 17.
    assert set(tables[0]["Huyện / thành phố"]) == {"Thành phố Cà Mau"} and len(tables[0]) == 17


@pytest.mark.parametrize("lang, note", [("vi", "số liệu quy đổi từ đơn vị cũ"), ("en", "figures converted from the former units")])
def test_the_public_view_on_the_2025_units(public, lang, note):
    at = run(public, units="2025", ind="population_density", c="32025", lang=lang)
    args = map_args(at)
    assert '"selected":"32025"' in args["feature_group"] and "communes-2025-" in args["feature_group"]
    assert note in at.caption[0].value
    table = tables_in(at)[0]
    assert len(table) == 64
    assert at.get("segmented_control")[0].value == "2025"
    assert not any("bỏ qua" in caption.value or "ignored" in caption.value for caption in at.caption)


def test_the_public_switch_changes_the_unit_set_and_drops_the_commune(public):
    at = run(public, ind="population_density", c="32005", d="964")
    at.get("segmented_control")[0].set_value("2025").run()
    assert not at.exception
    assert dict(at.query_params) == {"ind": "population_density", "units": "2025"}
    assert "communes-2025-" in map_args(at)["feature_group"]
    assert len(tables_in(at)[0]) == 64
    assert not any("bỏ qua" in caption.value for caption in at.caption)


def test_the_public_csv_on_the_2025_units_says_how_each_value_was_made(public, reference, reference_2025, catalogue):
    from indicators.catalogue import load_sources
    from indicators.conversion import catalogue_2025, commune_table_2025
    from indicators.sample import read_sample_csv
    from ui.public_support import data_csv_rows

    converted = catalogue_2025(catalogue, load_sources())
    table = commune_table_2025(reference, reference_2025, read_sample_csv(), converted)
    rows = data_csv_rows(table, converted["population_2019"], table["gso_code"], "vi")
    assert {"former_district", "converted", "estimated"} <= set(rows.columns) and "district" not in rows.columns
    conversion = rows.set_index("gso_code")["conversion"]
    assert "ước tính" in conversion["32025"] and "Bạc Liêu cũ" in conversion["31825"]
    assert rows["value"].sum() == reference.population["pop2019_total"].sum()


def test_the_2025_link_without_the_2025_files_gets_a_message_not_an_error(public, reference, monkeypatch, tmp_path):
    import shutil

    from geo.reference import ENV_VAR, REQUIRED_FILES

    for name in REQUIRED_FILES:                         # the 2023 files only
        shutil.copy(reference.directory / name, tmp_path / name)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    st.cache_resource.clear()
    at = run(public, units="2025")
    assert at.error and not at.get("component_instance")
    st.cache_resource.clear()
