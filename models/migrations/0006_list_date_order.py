"""List orders read straight from one index: (date, id) instead of (date).

Rows created the same day share a date: a national launch gives thousands of campaigns the same
step dates, a mobilisation week hundreds of meetings. With an index on the date alone, PostgreSQL
read every row of the first date and sorted them by id to show 50 (4,184 campaign steps: 18 ms;
925 checklist items: 5 ms). With (date, id), in either direction, the first 50 index entries are
the page (each list sorts on the date, then the id: admin/base.py get_list).
"""
INDEXES = [  # (table, old single-column index, column)
    ("campaign_step", "campaignstep_due_on", "due_on"),
    ("meeting", "meeting_date", "date"),
    ("action", "action_date", "date"),
    ("checklist_item", "checklistitem_due_on", "due_on"),
]


def up(migrator, db):
    operations = []
    for table, old, column in INDEXES:
        operations += [migrator.drop_index(table, old), migrator.add_index(table, [column, "id"])]
    migrator.migrate(*operations)


def down(migrator, db):
    for table, old, column in INDEXES:
        migrator.migrate(migrator.drop_index(table, f"{table}_{column}_id"))
        db.execute_sql(f'CREATE INDEX "{old}" ON "{table}" ("{column}")')
