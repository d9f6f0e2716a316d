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
