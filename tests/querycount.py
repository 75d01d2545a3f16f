"""Counting the SQL statements a request runs."""
from contextlib import contextmanager

from models import db


@contextmanager
def count_queries():
    """Yields a list that receives each SQL statement executed inside the block."""
    seen = []
    database = db.obj
    original = database.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql
