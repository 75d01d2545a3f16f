"""Moving a campaign (board buttons, drag-and-drop, the referent's page)."""
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from models.campaign import SKIP_REASONS

from .base import Form


class MoveCampaignForm(Form):
    """Which campaign, at which version, which event; a reason when skipping the town hall."""

    campaign = IntegerField(validators=[InputRequired("Campagne manquante.")])
    version = IntegerField(validators=[InputRequired("Version manquante : rechargez la page.")])
    event = StringField("Déplacement", validators=[DataRequired("Choisissez un déplacement."),
                                                   Length(max=40)])
    skip_reason = SelectField("Raison", choices=[("", "—"), *SKIP_REASONS], validators=[Optional()])
    comment = StringField("Commentaire", validators=[Optional(), Length(max=1000)])
    next = HiddenField()
