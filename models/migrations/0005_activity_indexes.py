"""Indexes for "last activity of a group" (stale groups): each record table by (group, updated_at).

With them, a group's latest change in each table is one index lookup, so the stale query costs
the same whatever the number of meetings, actions and checklist items.

Late checklist items get a partial index (due dates of open items). The index on
checklist_item.done goes: "not done" is most of the table, and without statistics
SQLite used it to read every open item of the network for one group's late items (155 ms
instead of 6 ms at 770,000 items).
"""
INDEXES = {
    "meeting": ["group_id", "updated_at"],
    "action": ["group_id", "updated_at"],
    "checklist_item": ["action_id", "updated_at"],
    "demand": ["group_id", "updated_at"],
    "assessment_rating": ["group_id", "updated_at"],
    "group_ally": ["group_id", "updated_at"],
    "victory": ["group_id", "updated_at"],
    "campaign": ["group_id", "updated_at"],
}


DROPPED = ("checklist_item", "checklistitem_done", ["done"])


OPEN_ITEMS = ('CREATE INDEX "checklist_item_open_due_on" ON "checklist_item" ("due_on") '
              'WHERE NOT "done"')  # late items: open ones past their due date (models/action.py)


def up(migrator, db):
    table, name, _ = DROPPED
    migrator.migrate(*[migrator.add_index(table, columns) for table, columns in INDEXES.items()],
                     migrator.drop_index(table, name))
    db.execute_sql(OPEN_ITEMS)


def down(migrator, db):
    db.execute_sql('DROP INDEX "checklist_item_open_due_on"')
    table, name, columns = DROPPED
    db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ({", ".join(columns)})')
    migrator.migrate(*[migrator.drop_index(table, f"{table}_{'_'.join(columns)}")
                       for table, columns in INDEXES.items()])
