"""The campaign steps list's order (due date, then id) read straight from one index.

Steps opened the same day share a due date: a national launch gives thousands of campaigns the
same dates. With an index on due_on alone, PostgreSQL read every step of the first date (4,184 at
5,000 groups) and sorted them by id to show 50: 18 ms. With (due_on, id) the first 50 index
entries are the page.
"""
TABLE = "campaign_step"
OLD = ("campaignstep_due_on", ["due_on"])
NEW = ["due_on", "id"]


def up(migrator, db):
    name, _ = OLD
    migrator.migrate(migrator.drop_index(TABLE, name), migrator.add_index(TABLE, NEW))


def down(migrator, db):
    name, columns = OLD
    migrator.migrate(migrator.drop_index(TABLE, f"{TABLE}_{'_'.join(NEW)}"))
    db.execute_sql(f'CREATE INDEX "{name}" ON "{TABLE}" ({", ".join(columns)})')
