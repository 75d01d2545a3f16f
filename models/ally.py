"""Allies (local associations and other actors) and each group's relationship to them."""
from peewee import CharField, ForeignKeyField, TextField

from .base import BaseModel, SearchableMixin, VersionedModel, search_text_field
from .group import Group
from .reference import Theme

ALLY_KINDS = (
    ("association_environnement", "Association environnementale"),
    ("association_velo", "Association vélo"),
    ("agriculture", "Agriculture"),
    ("parents", "Parents d'élèves"),
    ("sport", "Club sportif"),
    ("culture", "Culture"),
    ("solidarite", "Solidarité"),
    ("syndicat", "Syndicat"),
    ("collectif_citoyen", "Collectif citoyen"),
    ("economie_sociale", "Économie sociale et solidaire"),
)

RELATIONSHIP_STATUSES = (
    ("identifie", "Identifié"),
    ("contacte", "Contacté"),
    ("rencontre", "Rencontré"),
    ("engage", "Engagé"),
)


class Ally(SearchableMixin, VersionedModel):
    """A local association or actor the groups can work with."""

    label_field = "name"  # what str() shows: dropdowns read only this column (admin/converters.py)

    search_fields = ("name", "town", "contact_name")

    name = CharField(max_length=200, unique=True)
    kind = CharField(max_length=30, choices=ALLY_KINDS, index=True)
    town = CharField(max_length=120, default="")
    website = CharField(max_length=300, default="")
    contact_name = CharField(max_length=160, default="")
    contact_email = CharField(max_length=254, default="")
    contact_phone = CharField(max_length=30, default="")
    notes = TextField(default="")
    search_text = search_text_field()

    def __str__(self):
        return self.name


class AllyTheme(BaseModel):
    """A theme an ally works on."""

    ally = ForeignKeyField(Ally, backref="theme_links", on_delete="RESTRICT")
    theme = ForeignKeyField(Theme, backref="ally_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("ally", "theme"), True),)


class GroupAlly(VersionedModel):
    """Where a group stands with an ally (identified -> engaged)."""

    group = ForeignKeyField(Group, backref="ally_links", on_delete="RESTRICT")
    ally = ForeignKeyField(Ally, backref="group_links", on_delete="RESTRICT")
    status = CharField(max_length=10, choices=RELATIONSHIP_STATUSES, default="identifie", index=True)
    note = TextField(default="")

    class Meta:
        indexes = ((("group", "ally"), True), (("group", "updated_at"), False))
