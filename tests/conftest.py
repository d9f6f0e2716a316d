import os
import tempfile

# Tests never touch a developer's real state: the SQLite database lives in a throwaway folder.
# (With DATABASE_URL set, as .ci/run does, the app's pages use that PostgreSQL database instead.)
os.environ["CAMAU_STATE_DIR"] = tempfile.mkdtemp(prefix="camau-test-state-")
# No public static site unless a test asks for one (tests/test_public_site.py): a build takes seconds.
os.environ.setdefault("CAMAU_PUBLIC_DIR", "off")

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo.reference import load_reference
from geo.units2025 import load_reference_2025
from indicators.catalogue import load_catalogue, load_report, load_sources
from indicators.sample import read_sample_csv
from indicators.table import commune_table
from storage.db import make_engine, upgrade
from storage.schema import metadata
from tests.apptest import fresh_app


@pytest.fixture
def app() -> AppTest:
    return fresh_app()


@pytest.fixture(scope="session")
def reference():
    return load_reference()


@pytest.fixture(scope="session")
def reference_2025(reference):
    return load_reference_2025(reference)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def sources():
    return load_sources()


@pytest.fixture(scope="session")
def report():
    return load_report()


@pytest.fixture(scope="session")
def table(reference, catalogue):
    return commune_table(reference, read_sample_csv(), catalogue)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"), reason="DATABASE_URL names no PostgreSQL"))]


def _reset_postgres(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'camau.sqlite3'}"
    url = os.environ["DATABASE_URL"]
    _reset_postgres(url)
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()




OWN_EDITOR = ("apptest_own_editor", "mật-khẩu-cơ-sở-dữ-liệu-riêng")


@pytest.fixture
def own_editor_database(monkeypatch, tmp_path):
    """A database of the test's own (others publish versions in the shared one) with an editor
    account ``OWN_EDITOR`` in it; Streamlit's caches are emptied before and after."""
    import streamlit as st

    from tests.accounts import ensure_editor
    from tests.apptest import use_own_database
    use_own_database(monkeypatch, tmp_path)
    ensure_editor(*OWN_EDITOR).dispose()
    yield OWN_EDITOR
    st.cache_resource.clear()
