"""Queries run on every request, with their SQL written once per database kind.

Peewee writes a query's SQL each time it runs it; for a small query that writing costs about four
times the query itself (the logged-in user's row: ~0.4 ms of ~0.5 ms, on every request; a
referent's home page: ~40% of its queries' time). A prepared query is built with markers in place
of its parameters, keeps the SQL and where each parameter goes, and then runs with only the values
changed, read back into models by the same peewee code as the built query (its cursor wrapper).
"""
import datetime as dt
import inspect

from .base import db


def _marker(value, n):
    """A value of the parameter's type that no real query asks for, different for each n."""
    if isinstance(value, bool):
        raise TypeError("a prepared query takes no boolean parameter (it changes the SQL)")
    if isinstance(value, int):
        return -918273645 - n
    if isinstance(value, dt.datetime):
        raise TypeError("a prepared query takes dates, not datetimes")
    if isinstance(value, dt.date):
        return dt.date(1111, 1, 1) + dt.timedelta(days=n)
    if isinstance(value, str):
        return f"pv-prepared-marker-{n}-7f3a"
    raise TypeError(f"a prepared query takes ints, dates and texts, not {type(value).__name__}")


class Prepared:
    """`build(**values)` -> a peewee select whose SQL is the same for any values of these types.

    prepared(*values, **values) returns the rows as the built query would (models with their joined
    models); each value goes to the database as the built query sends it (as given, or as text where
    a column made it text). Refused (ValueError) when a parameter is not in the query, or when the
    query sends a value computed from one (build it from its own parameter instead)."""

    def __init__(self, build):
        self.build = build
        self.signature = inspect.signature(build)
        self._compiled = {}  # (database class, parameter types) -> (query, sql, params, slots)

    def _compile(self, values):
        names = list(values)
        builds = []
        for round_ in (0, 1):
            markers = {name: _marker(values[name], 2 * i + round_) for i, name in enumerate(names)}
            query = self.build(**markers)
            builds.append((query, *query.sql(), markers))
        (query, sql, params, first), (_, other_sql, other_params, second) = builds
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("a prepared query's SQL must not depend on its parameters")
        slots = []  # (position, name, as text?)
        for position, (a, b) in enumerate(zip(params, other_params, strict=True)):
            if a == b:
                continue
            found = [(name, a == str(first[name])) for name in names
                     if (a, b) in ((first[name], second[name]), (str(first[name]), str(second[name])))]
            if not found:
                raise ValueError("a prepared query sends a value computed from a parameter: "
                                 "make it a parameter of its own")
            slots.append((position, *found[0]))
        unused = set(names) - {name for _, name, _ in slots}
        if unused:
            raise ValueError("a prepared query must use each of its parameters "
                             f"({', '.join(sorted(unused))} unused)")
        return query, sql, params, slots

    def __call__(self, *args, **kwargs):
        values = self.signature.bind(*args, **kwargs).arguments
        key = (type(db.obj), *(type(value) for value in values.values()))
        if key not in self._compiled:
            self._compiled[key] = self._compile(values)
        query, sql, params, slots = self._compiled[key]
        params = list(params)
        for position, name, as_text in slots:
            params[position] = str(values[name]) if as_text else values[name]
        # What query.execute() does after writing the SQL (peewee's cursor wrapper is not public).
        return list(query._get_cursor_wrapper(db.execute_sql(sql, params)))

    def first(self, *args, **kwargs):
        """The first row, or None."""
        rows = self(*args, **kwargs)
        return rows[0] if rows else None


class SqlMemo:
    """The SQL of queries built from the same inputs, written once: `execute(key, query)` runs
    `query` with the SQL and parameters written for the first query of that key (per database
    kind). The key must name every input the query is built from (the caller's promise; a list
    page: its view, the user's role and group, the day, the request's sort, page, search and
    filters); the rows are read afresh each time. At most `size` keys are kept."""

    def __init__(self, size=512):
        self.size = size
        self._written = {}

    def execute(self, key, query):
        key = (type(db.obj), *key)
        written = self._written.get(key)
        if written is None:
            if len(self._written) >= self.size:  # searches make new keys: start over now and then
                self._written.clear()
            sql, params = db.get_sql_context().sql(query).query()  # as db.execute(query) writes it
            written = self._written[key] = (sql, tuple(params))
        return db.execute_sql(*written)
