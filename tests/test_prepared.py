"""Queries whose SQL is written once (models/prepared.py) read what the built query reads."""
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


def test_a_query_whose_parameter_is_not_used_once_is_refused(conn):
    with pytest.raises(ValueError, match="exactly once"):
        Prepared(lambda value: Group.select().where(Group.id == 1))(1)
    with pytest.raises(ValueError, match="exactly once"):
        Prepared(lambda value: Group.select().where((Group.id == value) | (Group.name == value)))(1)
