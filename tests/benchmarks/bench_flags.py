"""Overdue and stale queries on a generated network (run with `make bench`, not `make test`).

BENCH_DATABASE_URL names a database already filled by `flask seed scale`.
"""
import datetime as dt
import os

import pytest

from models import db
from models.database import database_from_url
from models.flags import overdue_items, overdue_steps, stale_groups

URL = os.environ.get("BENCH_DATABASE_URL")
TODAY = dt.date(2026, 11, 22)
pytestmark = pytest.mark.skipif(
    not URL, reason="BENCH_DATABASE_URL non défini (base remplie par flask seed scale)")


@pytest.fixture(scope="module")
def bench_db():
    db.initialize(database_from_url(URL))
    db.connect(reuse_if_open=True)
    yield db
    db.close()


def test_overdue_steps_query(benchmark, bench_db):
    rows = benchmark(lambda: list(overdue_steps(TODAY)))
    assert rows


def test_overdue_items_query(benchmark, bench_db):
    rows = benchmark(lambda: list(overdue_items(TODAY)))
    assert rows


def test_stale_query(benchmark, bench_db):
    benchmark(lambda: list(stale_groups(TODAY, 45)))
