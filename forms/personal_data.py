"""The coordination's personal-data page: pick a person, then export or anonymise."""
from wtforms import BooleanField, EmailField, HiddenField, SelectField
from wtforms.validators import Length, Optional

from .base import Form


class PersonForm(Form):
    """An e-mail address or an ally (exactly one)."""

    email = EmailField("Adresse e-mail de la personne", validators=[Optional(), Length(max=254)],
                       description="Son compte, les alliés et groupes dont c'est l'adresse de contact.")
    ally = SelectField("Ou le contact d'un allié", choices=[], validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and bool((self.email.data or "").strip()) == bool(self.ally.data):
            self.form_errors.append("Indiquez soit une adresse e-mail, soit un allié (et pas les deux).")
            return False
        return ok


class TargetForm(Form):
    """The person chosen on the previous page, carried by the export and anonymise buttons."""

    email = HiddenField(validators=[Length(max=254)])
    ally = HiddenField(validators=[Length(max=12)])


class AnonymiseForm(TargetForm):
    """Second step: the anonymisation happens only with the box ticked."""

    step = HiddenField()
    confirm = BooleanField("Je confirme : ces données seront effacées définitivement, sans retour possible.")
