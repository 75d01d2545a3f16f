"""Local groups, the themes they chose and who can be mobilised."""
from peewee import (
    CharField,
    Check,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, SearchableMixin, VersionedModel, search_text_field
from .reference import Theme

TOWNHALL_RELATIONS = (
    ("dialogue", "Dialogue"),
    ("neutre", "Neutre"),
    ("opposition", "Opposition"),
)


class Group(SearchableMixin, VersionedModel):
    """A local citizen group and its territory."""

    label_field = "name"  # what str() shows: dropdowns read only this column (admin/converters.py)

    search_fields = ("name", "commune", "departement_code", "region")

    name = CharField(max_length=160, unique=True)
    slug = CharField(max_length=80, unique=True)
    commune = CharField(max_length=120, index=True)
    departement_code = CharField(max_length=3, index=True)
    region = CharField(max_length=80, index=True)
    contact_email = CharField(max_length=254, default="")
    contact_phone = CharField(max_length=30, default="")
    mobilisable_count = IntegerField(
        default=0, constraints=[Check("mobilisable_count >= 0")]
    )
    townhall_relation = CharField(
        max_length=12, choices=TOWNHALL_RELATIONS, default="neutre", index=True
    )
    notes = TextField(default="")
    search_text = search_text_field()

    def __str__(self):
        return self.name


class GroupTheme(BaseModel):
    """A theme a group has chosen to campaign on."""

    group = ForeignKeyField(Group, backref="theme_links", on_delete="RESTRICT")
    theme = ForeignKeyField(Theme, backref="group_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("group", "theme"), True),)
