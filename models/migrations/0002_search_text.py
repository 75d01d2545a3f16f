"""Accent- and case-insensitive search: a folded `search_text` column on groups and allies.

SQLite's LIKE does not fold "É" to "e"; a stored folded copy searches the same
way on SQLite and PostgreSQL. Existing rows are backfilled here.
"""
import unicodedata

from peewee import Table, TextField


def _fold(text):
    # Frozen copy of models.base.fold as of this migration.
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


TABLES = {
    "group": ("name", "commune", "departement_code", "region"),
    "ally": ("name", "town", "contact_name"),
}


def up(migrator, db):
    for table, columns in TABLES.items():
        migrator.migrate(
            migrator.add_column(table, "search_text", TextField(default="")),
            migrator.add_index(table, ["search_text"]),
        )
        rows = Table(table, ("id", "search_text") + columns).bind(db)
        source = rows.select(rows.id, *[getattr(rows, c) for c in columns])
        for row in list(source.tuples()):
            text = _fold(" ".join(str(v or "") for v in row[1:]))
            rows.update(search_text=text).where(rows.id == row[0]).execute()


def down(migrator, db):
    for table in TABLES:
        migrator.migrate(migrator.drop_column(table, "search_text"))
