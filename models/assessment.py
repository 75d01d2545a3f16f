"""The commune assessment: one rating per group and Pacte measure."""
from peewee import CharField, Check, ForeignKeyField, IntegerField, TextField

from .base import VersionedModel
from .group import Group
from .reference import Measure

RATINGS = (
    ("non_evalue", "Non évalué"),
    ("rien", "Rien de fait"),
    ("insuffisant", "Insuffisant"),
    ("en_cours", "En cours"),
    ("atteint", "Atteint"),
)


class AssessmentRating(VersionedModel):
    """How far the commune has gone on one measure, and at which ambition level."""

    group = ForeignKeyField(Group, backref="assessment", on_delete="RESTRICT")
    measure = ForeignKeyField(Measure, backref="ratings", on_delete="RESTRICT")
    rating = CharField(max_length=12, choices=RATINGS, default="non_evalue", index=True)
    ambition_level = IntegerField(
        null=True, constraints=[Check("ambition_level BETWEEN 1 AND 3")]
    )
    note = TextField(default="")

    class Meta:
        indexes = ((("group", "measure"), True), (("group", "updated_at"), False))
