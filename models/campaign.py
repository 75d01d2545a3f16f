"""A group's campaign, its step rows and the log of its transitions.

Only the structure lives here; moving a campaign is the workflow engine's job.
"""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel, VersionedModel, utcnow
from .group import Group
from .user import User

# The four steps, in order, then the outcomes and the side states.
STEPS = (
    ("etat_des_lieux", "État des lieux"),
    ("priorisation", "Priorisation des demandes"),
    ("rendez_vous", "Rendez-vous avec la mairie"),
    ("mobilisation", "Actions de mobilisation"),
)
OUTCOMES = (
    ("victoire", "Victoire obtenue"),
    ("bilan", "Bilan de clôture"),
)
SIDE_STATES = (
    ("en_pause", "En pause"),
    ("abandonnee", "Abandonnée"),
)
CAMPAIGN_STATES = STEPS + OUTCOMES + SIDE_STATES

SKIP_REASONS = (
    ("opposition", "Groupe dans l'opposition"),
    ("refus_maire", "Le maire refuse de rencontrer le groupe"),
)


class Campaign(VersionedModel):
    """A group's "Petites Victoires" campaign and the state it is in."""

    group = ForeignKeyField(Group, backref="campaigns", on_delete="RESTRICT")
    state = CharField(max_length=16, choices=CAMPAIGN_STATES, default="etat_des_lieux", index=True)
    # While paused: the step to resume and since when.
    paused_step = CharField(max_length=16, choices=STEPS, null=True)
    paused_on = DateField(null=True)
    started_on = DateField(index=True)
    ended_on = DateField(null=True)
    note = TextField(default="")

    class Meta:
        indexes = ((("group", "updated_at"), False),)

    def __str__(self):
        return f"Campagne {self.group.name}"


class CampaignStep(BaseModel):
    """One passage through a step: opened, due, closed (or skipped, with reason)."""

    campaign = ForeignKeyField(Campaign, backref="steps", on_delete="RESTRICT")
    step = CharField(max_length=16, choices=STEPS, index=True)
    opened_on = DateField()
    due_on = DateField(null=True)
    closed_on = DateField(null=True, index=True)
    skip_reason = CharField(max_length=14, choices=SKIP_REASONS, null=True)

    class Meta:
        # (due_on, id): the list's default order, straight from the index (migration 0006)
        indexes = ((("campaign", "closed_on"), False), (("due_on", "id"), False))


class Transition(BaseModel):
    """Append-only log of campaign moves: who, when, from, to, why."""

    campaign = ForeignKeyField(Campaign, backref="transitions", on_delete="RESTRICT")
    event = CharField(max_length=40)
    from_state = CharField(max_length=16, choices=CAMPAIGN_STATES, null=True)
    to_state = CharField(max_length=16, choices=CAMPAIGN_STATES)
    actor = ForeignKeyField(User, null=True, backref="transitions", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow, index=True)
    comment = TextField(default="")
