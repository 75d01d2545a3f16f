"""Versioned migrations: a populated database at the first schema upgrades without losing rows."""
import datetime as dt

from peewee import Table
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from app import create_app
from models import ALL_MODELS, Ally, Group, db
from models.base import fold
from models.database import database_from_url
from models.migrate import MIGRATIONS_DIR, upgrade
from seed.demo import load_demo
from seed.reference import load_reference

from .conftest import make_app

TODAY = dt.date(2026, 11, 22)


def _rows(database, table, columns):
    t = Table(table, columns).bind(database)
    return list(t.select(*[getattr(t, c) for c in columns]).order_by(t.id).tuples())


def test_populated_first_schema_upgrades_without_losing_rows(conn, empty_database_url):
    # Source of realistic rows in every table: the demo network on the current schema.
    load_reference()
    load_demo(TODAY)
    source = db.obj
    old = database_from_url(empty_database_url)
    with old.connection_context():
        Runner(old, directory=str(MIGRATIONS_DIR)).up("0001_initial")
        first = [m for m in ALL_MODELS if m._meta.table_name in old.get_tables()]
        assert len(first) >= 23, "the first schema lost tables"
        columns = {m._meta.table_name: [c.name for c in old.get_columns(m._meta.table_name)]
                   for m in first}
        assert "search_text" not in columns["group"]
        expected = {}
        with old.atomic():
            for model in first:
                table, cols = model._meta.table_name, columns[model._meta.table_name]
                rows = _rows(source, table, cols)
                assert rows, f"the demo leaves {table} empty"
                target = Table(table, cols).bind(old)
                for start in range(0, len(rows), 200):
                    target.insert(rows[start:start + 200],
                                  columns=[getattr(target, c) for c in cols]).execute()
                expected[table] = rows
    # Upgrade the populated old database to the current schema.
    db.close()
    db.initialize(old)
    with db.connection_context():
        assert upgrade() == ["0002_search_text", "0003_form_submission", "0004_login_attempt",
                             "0005_activity_indexes", "0006_list_date_order"]
        for model in first:
            table = model._meta.table_name
            assert _rows(old, table, columns[table]) == expected[table], f"rows changed in {table}"
        assert not diff_models(old, ALL_MODELS), "migrations and models disagree"
        # The backfill folds like the live models do.
        for model in (Group, Ally):
            for obj in model.select():
                expected_text = fold(" ".join(str(getattr(obj, f) or "") for f in obj.search_fields))
                assert obj.search_text == expected_text
        assert Group.select().where(Group.search_text.contains("evry")).count() == 1


def test_fresh_upgrade_matches_the_models(empty_database_url, tmp_path):
    make_app(empty_database_url, tmp_path)
    with db.connection_context():
        assert upgrade() == ["0001_initial", "0002_search_text", "0003_form_submission",
                             "0004_login_attempt", "0005_activity_indexes", "0006_list_date_order"]
        assert not diff_models(db.obj, ALL_MODELS)
        assert upgrade() == []


def test_db_commands_report_status_and_upgrade(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    runner = app.test_cli_runner()
    pending = runner.invoke(args=["db", "status"])
    assert pending.exit_code == 1
    assert "[ ] 0001_initial" in pending.output
    applied = runner.invoke(args=["db", "upgrade"])
    assert applied.exit_code == 0, applied.output
    assert "appliquée : 0006_list_date_order" in applied.output
    again = runner.invoke(args=["db", "upgrade"])
    assert "aucune migration" in again.output
    done = runner.invoke(args=["db", "status"])
    assert done.exit_code == 0
    assert all(f"[x] {name}" in done.output
               for name in ("0001_initial", "0002_search_text", "0003_form_submission",
                            "0004_login_attempt", "0005_activity_indexes", "0006_list_date_order"))


def test_commands_refuse_an_outdated_schema(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    result = app.test_cli_runner().invoke(args=["seed", "reference"])
    assert result.exit_code == 1
    assert "flask db upgrade" in result.output


def test_create_app_does_not_connect(tmp_path, monkeypatch):
    # No connection at import or start-up: an unreachable server is only noticed on use.
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nowhere"})
    assert app is not None
    assert db.is_closed()
