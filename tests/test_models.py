"""Model constraints: what the database itself refuses."""
import datetime as dt

import pytest
from peewee import IntegrityError

from models import (
    Action,
    AssessmentRating,
    ChangeLog,
    ChecklistItem,
    Group,
    GroupTheme,
    Measure,
    Meeting,
    User,
    db,
)
from models.base import fold
from models.changelog import AppendOnlyError

from .factories import make_group, make_meeting, make_reference


def test_deleting_a_group_with_children_is_refused(conn):
    group = make_group()
    make_meeting(group)
    with pytest.raises(IntegrityError):
        with db.atomic():
            group.delete_instance()
    assert Group.select().count() == 1
    assert Meeting.select().count() == 1


def test_deleting_an_action_with_checklist_is_refused(conn):
    _, _, kind = make_reference()
    action = Action.create(group=make_group(), kind=kind, title="Vélorution du samedi")
    ChecklistItem.create(action=action, phase="avant", label="Déclarer en préfecture")
    with pytest.raises(IntegrityError):
        with db.atomic():
            action.delete_instance()
    assert Action.select().count() == 1


def test_a_group_without_children_can_be_deleted(conn):
    group = make_group()
    group.delete_instance()
    assert Group.select().count() == 0


@pytest.mark.parametrize("number", [0, 33, -1])
def test_measure_number_out_of_range_is_refused(conn, number):
    with pytest.raises(IntegrityError):
        with db.atomic():
            Measure.create(number=number, title="Hors limites")
    assert Measure.select().count() == 0


def test_one_rating_per_group_and_measure(conn):
    _, measure, _ = make_reference()
    group = make_group()
    AssessmentRating.create(group=group, measure=measure, rating="en_cours", ambition_level=2)
    with pytest.raises(IntegrityError):
        with db.atomic():
            AssessmentRating.create(group=group, measure=measure, rating="atteint")
    assert AssessmentRating.get().rating == "en_cours"


def test_ambition_level_must_be_1_to_3(conn):
    _, measure, _ = make_reference()
    with pytest.raises(IntegrityError):
        with db.atomic():
            AssessmentRating.create(group=make_group(), measure=measure, ambition_level=4)


def test_negative_people_counts_are_refused(conn):
    _, _, kind = make_reference()
    with pytest.raises(IntegrityError):
        with db.atomic():
            Action.create(group=make_group(), kind=kind, title="x", people_mobilised=-3)
    with pytest.raises(IntegrityError):
        with db.atomic():
            make_group(2, mobilisable_count=-1)


def test_a_group_chooses_each_theme_once(conn):
    theme, _, _ = make_reference()
    group = make_group()
    GroupTheme.create(group=group, theme=theme)
    with pytest.raises(IntegrityError):
        with db.atomic():
            GroupTheme.create(group=group, theme=theme)


def test_referent_belongs_to_exactly_one_group(conn):
    group = make_group()
    with pytest.raises(IntegrityError):
        with db.atomic():
            User.create(email="a@example.org", role="referent", password_hash="x")
    with pytest.raises(IntegrityError):
        with db.atomic():
            User.create(email="b@example.org", role="coordination", group=group, password_hash="x")
    User.create(email="c@example.org", role="referent", group=group, password_hash="x")
    assert [u.email for u in User.select()] == ["c@example.org"]


def test_emails_are_unique(conn):
    User.create(email="a@example.org", role="observer", password_hash="x")
    with pytest.raises(IntegrityError):
        with db.atomic():
            User.create(email="a@example.org", role="observer", password_hash="y")


def test_version_grows_on_every_save(conn):
    group = make_group()
    assert group.version == 1
    group.mobilisable_count = 12
    group.save()
    group.save()
    assert Group.get_by_id(group.id).version == 3


def test_updated_at_moves_on_save(conn):
    meeting = make_meeting(make_group())
    before = meeting.updated_at
    meeting.outcome = "Accord de principe"
    meeting.save()
    assert Meeting.get_by_id(meeting.id).updated_at >= before


def test_password_is_hashed_with_argon2_and_checked(conn):
    user = User(email="r@example.org", role="observer")
    user.set_password("un mot de passe long")
    user.save()
    assert user.password_hash.startswith("$argon2id$")
    assert "un mot de passe long" not in user.password_hash
    assert user.check_password("un mot de passe long")
    assert not user.check_password("autre chose")


def test_password_change_ends_sessions(conn):
    user = User(email="r@example.org", role="observer")
    user.set_password("un mot de passe long")
    token = user.session_token
    user.set_password("un autre mot de passe")
    assert user.session_token != token


def test_change_log_is_append_only(conn):
    entry = ChangeLog.record(user=None, table_name="group", record_id=1, kind="update",
                             field="name", old={"name": "Avant"}, new={"name": "Après"})
    entry.new_value = "Réécrit"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete_instance()
    assert ChangeLog.get().new_value == '{"name": "Après"}'


def test_search_text_folds_accents_and_case(conn):
    group = make_group(commune="Évry-Courcouronnes", name="Collectif d'ÉVRY")
    assert "evry-courcouronnes" in group.search_text
    found = Group.select().where(Group.search_text.contains(fold("évry"))).count()
    assert found == 1
    assert Group.select().where(Group.search_text.contains(fold("EVRY"))).count() == 1
    assert fold("Châlons-en-Champagne L'Haÿ") == "chalons-en-champagne l'hay"


def test_dates_round_trip(conn):
    meeting = make_meeting(make_group(), follow_up_on=dt.date(2026, 12, 24))
    assert Meeting.get_by_id(meeting.id).follow_up_on == dt.date(2026, 12, 24)
