"""The public side: read-only by construction (the static-site builder imports nothing that can
write), embed codes and share links that point at the static site, and the builder's data
helpers. The site itself: tests/test_public_site.py and the browser tests."""
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.apptest import fresh_app
from views.map.embed import embed_code, public_indicators, share_link
from views.public.public_state import PublicState, public_query

REPO = Path(__file__).resolve().parents[1]
# Modules through which stored data can change or users can sign in / upload.
WRITE_MODULES = {"storage.datasets", "storage.db", "auth", "auth.accounts", "importer.pipeline",
                 "importer.template", "indicators.sample_version", "ui.streamlit_support", "ui.editor_session",
                 "manage", "alembic", "storage.scenarios", "storage.rounds", "services", "services.editing",
                 "streamlit"}
PUBLIC_CONTRACT = "The public view imports nothing that can write"


def public_contract() -> dict:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return next(c for c in contracts["contracts"] if c["name"] == PUBLIC_CONTRACT)


def test_public_contract_is_kept_and_covers_the_site_builder():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert f"{PUBLIC_CONTRACT} KEPT" in " ".join(result.stdout.split()), result.stdout[-2000:]
    contract = public_contract()
    assert "publicsite" in contract["source_modules"]
    assert set(contract["forbidden_modules"]) >= {"services", "storage.db", "auth", "importer.pipeline"}


def test_building_the_site_loads_no_write_module_and_creates_no_database(tmp_path):
    script = ("import sys, json; from publicsite.build import build_site; build_site(sys.argv[1]);"
              "print(json.dumps(sorted(sys.modules)))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {
        "CAMAU_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "site")], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & WRITE_MODULES, loaded & WRITE_MODULES
    assert not (tmp_path / "state" / "camau.sqlite3").exists()
    assert (tmp_path / "site" / "current" / "index.html").is_file()


def test_embed_code_is_escaped_titled_and_points_at_the_static_site():
    state = PublicState("population_2019", district="964", height=400)
    code = embed_code("https://portal.example/ban-do/", state, 'Dân số "2019" <b>')
    assert code.startswith('<iframe src="https://portal.example/ban-do/?ind=population_2019&amp;lang=vi&amp;d=964')
    assert 'title="Dân số &quot;2019&quot; &lt;b&gt;"' in code and 'aria-label="Dân số &quot;2019&quot;' in code
    assert 'height="400"' in code and "embed=true" not in code
    assert share_link("https://portal.example/", state) == "https://portal.example/?ind=population_2019&lang=vi&d=964&units=2023"


def test_a_public_link_keeps_every_choice_explicit():
    state = PublicState("hamlet_teams", commune="32005", lang="en", units="2025")
    assert public_query(state) == {"ind": "hamlet_teams", "lang": "en", "c": "32005", "units": "2025"}


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
    assert any(c.startswith("<iframe") and "ind=population_2019" in c and "embed=true" not in c for c in codes)


def test_static_urls_follow_the_base_path():
    from streamlit import config

    from ui.settings import static_url
    assert static_url() == "/app/static"
    config.set_option("server.baseUrlPath", "/ban-do-cong-khai/")
    try:
        assert static_url() == "/ban-do-cong-khai/app/static"
    finally:
        config.set_option("server.baseUrlPath", "")


def test_the_public_csv_on_the_2025_units_says_how_each_value_was_made(reference, reference_2025, catalogue):
    from indicators.catalogue import load_sources
    from indicators.conversion import catalogue_2025, commune_table_2025
    from indicators.sample import read_sample_csv
    from publicsite.content import data_csv_rows

    converted = catalogue_2025(catalogue, load_sources())
    table = commune_table_2025(reference, reference_2025, read_sample_csv(), converted)
    rows = data_csv_rows(table, converted["population_2019"], table["gso_code"], "vi")
    assert {"former_district", "converted", "estimated"} <= set(rows.columns) and "district" not in rows.columns
    conversion = rows.set_index("gso_code")["conversion"]
    assert "ước tính" in conversion["32025"] and "Bạc Liêu cũ" in conversion["31825"]
    assert rows["value"].sum() == reference.population["pop2019_total"].sum()


def test_without_the_2025_files_the_site_offers_the_2022_2024_units_only(reference, monkeypatch, tmp_path):
    from geo.reference import ENV_VAR, REQUIRED_FILES
    from publicsite.build import build_site

    for name in REQUIRED_FILES:                         # the 2023 files only
        shutil.copy(reference.directory / name, tmp_path / name)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    built = build_site(tmp_path / "site")
    assert built.unit_sets == ("2023",)
