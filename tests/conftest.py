import os
import tempfile

# Tests never touch a developer's real state: the SQLite database lives in a throwaway folder.
# (With DATABASE_URL set, as .ci/run does, the app's pages use that PostgreSQL database instead.)
os.environ["CAMAU_STATE_DIR"] = tempfile.mkdtemp(prefix="camau-test-state-")

import pytest

from geo.reference import load_reference
from indicators.catalogue import load_catalogue, load_report, load_sources
from indicators.sample import read_sample_csv
from indicators.table import commune_table


@pytest.fixture(scope="session")
def reference():
    return load_reference()


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
