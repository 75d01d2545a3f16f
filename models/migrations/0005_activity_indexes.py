"""Indexes for "last activity of a group" (stale groups): each record table by (group, updated_at).

With them, a group's latest change in each table is one index lookup, so the stale query costs
the same whatever the number of meetings, actions and checklist items.
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


def up(migrator, db):
    migrator.migrate(*[migrator.add_index(table, columns) for table, columns in INDEXES.items()])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, f"{table}_{'_'.join(columns)}")
                       for table, columns in INDEXES.items()])
