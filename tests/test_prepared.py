"""Queries whose SQL is written once (models/prepared.py) read what the built query reads."""
import datetime as dt

import pytest
from peewee import JOIN

from models import Group, Meeting
from models.prepared import Prepared

from .factories import make_group, make_meeting


def _meetings_of(group_id):
    return (Meeting.select(Meeting, Group.id, Group.name).join(Group, JOIN.LEFT_OUTER, on=Meeting.group)
            .where(Meeting.group == group_id, Meeting.status != "annule").order_by(Meeting.id))


def test_a_prepared_query_reads_the_rows_of_each_value_with_their_joined_rows(conn):
    first, second = make_group(1), make_group(2)
    mine = [make_meeting(first).id, make_meeting(first).id]
    theirs = make_meeting(second).id
    prepared = Prepared(_meetings_of)
    for group, ids in ((first, mine), (second, [theirs]), (first, mine)):
        rows = prepared(group.id)
        assert [m.id for m in rows] == ids == [m.id for m in _meetings_of(group.id)]
        assert {m.group.name for m in rows} == {group.name}  # the joined row, read in the same query
    assert prepared(10**6) == []
    # A row written after the SQL was kept is read like any other.
    later = make_meeting(second).id
    assert [m.id for m in prepared(second.id)] == [theirs, later]


def test_a_parameter_used_twice_or_as_text_gets_the_value_everywhere(conn):
    first, second = make_group(1), make_group(2)
    either = Prepared(lambda value: Group.select().where((Group.id == value) | (Group.name == value))
                      .order_by(Group.id))
    assert [g.id for g in either(first.id)] == [first.id]
    assert [g.id for g in either(second.id)] == [second.id]


def test_date_parameters_take_each_call_s_dates(conn):
    group = make_group(1)
    early = make_meeting(group, date=dt.date(2026, 3, 1)).id
    late = make_meeting(group, date=dt.date(2026, 9, 1)).id
    between = Prepared(lambda group_id, since, until: Meeting.select()
                       .where(Meeting.group == group_id, Meeting.date >= since, Meeting.date < until)
                       .order_by(Meeting.id))
    assert [m.id for m in between(group.id, dt.date(2026, 1, 1), dt.date(2026, 12, 1))] == [early, late]
    assert [m.id for m in between(group.id, since=dt.date(2026, 6, 1), until=dt.date(2026, 12, 1))] == [late]
    assert between.first(group.id, dt.date(2026, 1, 1), dt.date(2026, 6, 1)).id == early
    assert between.first(group.id, dt.date(2027, 1, 1), dt.date(2028, 1, 1)) is None


def test_queries_that_would_not_follow_their_parameters_are_refused(conn):
    group = make_group(1)
    with pytest.raises(ValueError, match="unused"):
        Prepared(lambda value: Group.select().where(Group.id == 1))(1)
    # A value computed from a parameter would be kept from the first call: refused, not cached.
    with pytest.raises(ValueError, match="computed from a parameter"):
        Prepared(lambda today: Meeting.select().where(Meeting.date >= today - dt.timedelta(days=30)))(
            dt.date(2026, 11, 22))
    # None would change the SQL (IS NULL), so would a boolean: refused.
    with pytest.raises(TypeError):
        Prepared(lambda group_id: Meeting.select().where(Meeting.group == group_id))(None)
    with pytest.raises(TypeError):
        Prepared(lambda done: Group.select().where(Group.id == done))(True)
    one = Prepared(lambda group_id: Group.select().where(Group.id == group_id))
    assert one.first(group.id).id == group.id
