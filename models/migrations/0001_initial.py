"""Initial schema: the whole domain, frozen as it was at version 1.

Check constraints were added by hand (the generator does not render them).
"""
# Generated from a schema diff on 2026-11-22 02:34.
from peewee import *


def up(migrator, db):
    class Group(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        name = CharField(unique=True, max_length=160)
        slug = CharField(unique=True, max_length=80)
        commune = CharField(index=True, max_length=120)
        departement_code = CharField(index=True, max_length=3)
        region = CharField(index=True, max_length=80)
        contact_email = CharField(max_length=254, default='')
        contact_phone = CharField(max_length=30, default='')
        mobilisable_count = IntegerField(default=0, constraints=[Check('mobilisable_count >= 0')])
        townhall_relation = CharField(index=True, max_length=12, default='neutre')
        notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'group'
    db.create_tables([Group])

    class ActionKind(Model):
        code = CharField(unique=True, max_length=40)
        label = CharField(unique=True, max_length=120)
        difficulty = IntegerField(default=1, constraints=[Check('difficulty BETWEEN 1 AND 3')])
        energy = IntegerField(default=1, constraints=[Check('energy BETWEEN 1 AND 3')])
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'action_kind'
    db.create_tables([ActionKind])

    class Demand(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        title = CharField(max_length=200)
        text = TextField(default='')
        horizon = CharField(max_length=14, default='mois')
        target_date = DateField(index=True, null=True)
        status = CharField(index=True, max_length=12, default='proposee')
        class Meta:
            database = db
            table_name = 'demand'
    db.create_tables([Demand])

    class Action(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        kind = ForeignKeyField(ActionKind, on_delete='RESTRICT')
        demand = ForeignKeyField(Demand, null=True, on_delete='RESTRICT')
        title = CharField(max_length=200)
        date = DateField(index=True, null=True)
        place = CharField(max_length=200, default='')
        difficulty = IntegerField(default=1, constraints=[Check('difficulty BETWEEN 1 AND 3')])
        energy = IntegerField(default=1, constraints=[Check('energy BETWEEN 1 AND 3')])
        people_expected = IntegerField(null=True, constraints=[Check('people_expected >= 0')])
        people_mobilised = IntegerField(null=True, constraints=[Check('people_mobilised >= 0')])
        status = CharField(index=True, max_length=10, default='idee')
        press_articles = IntegerField(default=0, constraints=[Check('press_articles >= 0')])
        press_notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'action'
            indexes = ((('group', 'date'), False),)
    db.create_tables([Action])

    class Ally(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        name = CharField(unique=True, max_length=200)
        kind = CharField(index=True, max_length=30)
        town = CharField(max_length=120, default='')
        website = CharField(max_length=300, default='')
        contact_name = CharField(max_length=160, default='')
        contact_email = CharField(max_length=254, default='')
        contact_phone = CharField(max_length=30, default='')
        notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'ally'
    db.create_tables([Ally])

    class Theme(Model):
        code = CharField(unique=True, max_length=40)
        name = CharField(unique=True, max_length=120)
        in_campaign = BooleanField(default=False)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'theme'
    db.create_tables([Theme])

    class AllyTheme(Model):
        ally = ForeignKeyField(Ally, on_delete='RESTRICT')
        theme = ForeignKeyField(Theme, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'ally_theme'
            indexes = ((('ally', 'theme'), True),)
    db.create_tables([AllyTheme])

    class Measure(Model):
        number = IntegerField(unique=True, constraints=[Check('number BETWEEN 1 AND 32')])
        title = TextField()
        to_confirm = BooleanField(default=False)
        ambition_levels = IntegerField(default=3, constraints=[Check('ambition_levels BETWEEN 1 AND 3')])
        source = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'measure'
    db.create_tables([Measure])

    class AssessmentRating(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        measure = ForeignKeyField(Measure, on_delete='RESTRICT')
        rating = CharField(index=True, max_length=12, default='non_evalue')
        ambition_level = IntegerField(null=True, constraints=[Check('ambition_level BETWEEN 1 AND 3')])
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'assessment_rating'
            indexes = ((('group', 'measure'), True),)
    db.create_tables([AssessmentRating])

    class Campaign(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        state = CharField(index=True, max_length=16, default='etat_des_lieux')
        paused_step = CharField(null=True, max_length=16)
        paused_on = DateField(null=True)
        started_on = DateField(index=True)
        ended_on = DateField(null=True)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'campaign'
    db.create_tables([Campaign])

    class CampaignStep(Model):
        campaign = ForeignKeyField(Campaign, on_delete='RESTRICT')
        step = CharField(index=True, max_length=16)
        opened_on = DateField()
        due_on = DateField(index=True, null=True)
        closed_on = DateField(index=True, null=True)
        skip_reason = CharField(null=True, max_length=14)
        class Meta:
            database = db
            table_name = 'campaign_step'
            indexes = ((('campaign', 'closed_on'), False),)
    db.create_tables([CampaignStep])

    class User(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        email = CharField(unique=True, max_length=254)
        full_name = CharField(max_length=160, default='')
        phone = CharField(max_length=30, default='')
        role = CharField(index=True, max_length=14)
        group = ForeignKeyField(Group, null=True, on_delete='RESTRICT')
        password_hash = CharField()
        is_active = BooleanField(default=True)
        session_token = CharField(max_length=40)
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
            constraints = [Check("(role = 'referent') = (group_id IS NOT NULL)")]
    db.create_tables([User])

    class ChangeLog(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        table_name = CharField(max_length=60)
        record_id = IntegerField()
        kind = CharField(max_length=6)
        field = CharField(max_length=60, default='')
        old_value = TextField(null=True)
        new_value = TextField(null=True)
        class Meta:
            database = db
            table_name = 'change_log'
            indexes = ((('table_name', 'record_id'), False),)
    db.create_tables([ChangeLog])

    class ChecklistTemplate(Model):
        code = CharField(unique=True, max_length=60)
        phase = CharField(max_length=10)
        label = CharField(max_length=200)
        help_text = TextField(default='')
        offset_days = IntegerField(default=0)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'checklist_template'
    db.create_tables([ChecklistTemplate])

    class ChecklistItem(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        action = ForeignKeyField(Action, on_delete='RESTRICT')
        template = ForeignKeyField(ChecklistTemplate, null=True, on_delete='RESTRICT')
        phase = CharField(max_length=10)
        label = CharField(max_length=200)
        position = IntegerField(default=0)
        due_on = DateField(index=True, null=True)
        done = BooleanField(index=True, default=False)
        done_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'checklist_item'
    db.create_tables([ChecklistItem])

    class DemandMeasure(Model):
        demand = ForeignKeyField(Demand, on_delete='RESTRICT')
        measure = ForeignKeyField(Measure, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'demand_measure'
            indexes = ((('demand', 'measure'), True),)
    db.create_tables([DemandMeasure])

    class GroupAlly(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        ally = ForeignKeyField(Ally, on_delete='RESTRICT')
        status = CharField(index=True, max_length=10, default='identifie')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'group_ally'
            indexes = ((('group', 'ally'), True),)
    db.create_tables([GroupAlly])

    class GroupTheme(Model):
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        theme = ForeignKeyField(Theme, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'group_theme'
            indexes = ((('group', 'theme'), True),)
    db.create_tables([GroupTheme])

    class Meeting(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        with_whom = CharField(max_length=10, default='maire')
        contact_name = CharField(max_length=160, default='')
        status = CharField(index=True, max_length=10, default='demande')
        requested_on = DateField(null=True)
        date = DateField(index=True, null=True)
        outcome = TextField(default='')
        follow_up_on = DateField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'meeting'
            indexes = ((('group', 'date'), False),)
    db.create_tables([Meeting])

    class StepDuration(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        step = CharField(unique=True, max_length=40)
        days = IntegerField(constraints=[Check('days > 0')])
        class Meta:
            database = db
            table_name = 'step_duration'
    db.create_tables([StepDuration])

    class ThemeMeasure(Model):
        theme = ForeignKeyField(Theme, on_delete='RESTRICT')
        measure = ForeignKeyField(Measure, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'theme_measure'
            indexes = ((('theme', 'measure'), True),)
    db.create_tables([ThemeMeasure])

    class Transition(Model):
        campaign = ForeignKeyField(Campaign, on_delete='RESTRICT')
        event = CharField(max_length=40)
        from_state = CharField(null=True, max_length=16)
        to_state = CharField(max_length=16)
        actor = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        at = DateTimeField(index=True)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'transition'
    db.create_tables([Transition])

    class Victory(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField(index=True)
        version = IntegerField(default=1)
        group = ForeignKeyField(Group, on_delete='RESTRICT')
        demand = ForeignKeyField(Demand, null=True, on_delete='RESTRICT')
        title = CharField(max_length=200)
        obtained_on = DateField(index=True)
        publicity = TextField(default='')
        class Meta:
            database = db
            table_name = 'victory'
    db.create_tables([Victory])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('victory'))
    migrator.migrate(migrator.drop_table('transition'))
    migrator.migrate(migrator.drop_table('theme_measure'))
    migrator.migrate(migrator.drop_table('step_duration'))
    migrator.migrate(migrator.drop_table('meeting'))
    migrator.migrate(migrator.drop_table('group_theme'))
    migrator.migrate(migrator.drop_table('group_ally'))
    migrator.migrate(migrator.drop_table('demand_measure'))
    migrator.migrate(migrator.drop_table('checklist_item'))
    migrator.migrate(migrator.drop_table('checklist_template'))
    migrator.migrate(migrator.drop_table('change_log'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('campaign_step'))
    migrator.migrate(migrator.drop_table('campaign'))
    migrator.migrate(migrator.drop_table('assessment_rating'))
    migrator.migrate(migrator.drop_table('measure'))
    migrator.migrate(migrator.drop_table('ally_theme'))
    migrator.migrate(migrator.drop_table('theme'))
    migrator.migrate(migrator.drop_table('ally'))
    migrator.migrate(migrator.drop_table('action'))
    migrator.migrate(migrator.drop_table('demand'))
    migrator.migrate(migrator.drop_table('action_kind'))
    migrator.migrate(migrator.drop_table('group'))
