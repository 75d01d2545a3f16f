"""The referents' short forms ("Mon groupe"): French labels, help from the campaign kit.

Choices that depend on the group (its demands, the allies it has not linked yet, action kinds)
are filled by the page before validation; the server re-checks every id (workflows.records).
"""
import datetime as dt

from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from models.action import ACTION_STATUSES
from models.ally import ALLY_KINDS, RELATIONSHIP_STATUSES
from models.demand import DEMAND_STATUSES, HORIZONS
from models.meeting import MEETING_STATUSES, MEETING_WITH
from workflows.accounts import EMAIL_RE

from .base import Form

DATE_HELP = "jj/mm/aaaa, par exemple 22/11/2026"


class FrenchDateField(DateField):
    """A date typed as 22/11/2026 or picked in the browser's calendar (sent as 2026-11-22)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"])
        super().__init__(label, validators or [Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError:
            raise ValueError(f"Date invalide : écrivez-la {DATE_HELP}.") from None


def optional_int(value):
    """A dropdown's id: '' or 'None' (the blank option) is None; a record stands for its id."""
    value = getattr(value, "id", value)
    return int(value) if value not in (None, "", "None") else None


def count_field(label, description=""):
    return IntegerField(label, description=description, validators=[
        Optional(), NumberRange(min=0, max=1_000_000, message="Indiquez un nombre positif ou nul.")])


def level_field(label, description):
    return SelectField(label, description=description, coerce=int, default=1,
                       choices=[(1, "1 — faible"), (2, "2 — moyenne"), (3, "3 — forte")])


def demand_field():
    return SelectField("Demande soutenue", coerce=optional_int, choices=[], validate_choice=True,
                       description="La demande du groupe que cette action fait avancer.")


DAMAGED_FORM = ("Le formulaire est abîmé ou incomplet : rechargez la page puis réessayez. "
                "Rien n'a été enregistré.")


class RecordForm(Form):
    """Hidden bookkeeping every form carries: the version shown (edits), a one-time token (creates).

    The page writes both; anything else came from a damaged or forged request and is refused
    with one message at the top of the form (hidden fields cannot show their own errors).
    """

    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$", message=DAMAGED_FORM)])
    token = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$", message=DAMAGED_FORM)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.version.errors or self.token.errors:
            self.version.errors, self.token.errors = [], []
            self.form_errors.append(DAMAGED_FORM)
        return valid


class MeetingForm(RecordForm):
    with_whom = SelectField("Avec qui", choices=MEETING_WITH, default="maire")
    contact_name = StringField("Nom de la personne rencontrée", validators=[Optional(), Length(max=160)])
    status = SelectField("Où en est ce rendez-vous", choices=MEETING_STATUSES, default="demande")
    requested_on = FrenchDateField("Demandé le", description=DATE_HELP)
    date = FrenchDateField("Date du rendez-vous", description=DATE_HELP)
    outcome = TextAreaField(
        "Compte rendu", validators=[Optional(), Length(max=5000)],
        description="Ce que la mairie a dit de vos demandes, les engagements pris, le ton de l'échange.")
    follow_up_on = FrenchDateField("Date de relance",
                                   description="Quand recontacter la mairie si rien ne bouge.")


class ActionForm(RecordForm):
    title = StringField("Nom de l'action", validators=[DataRequired("Donnez un nom à l'action."),
                                                      Length(max=200)])
    kind = SelectField("Type d'action", coerce=optional_int, choices=[],
                       validators=[DataRequired("Choisissez le type d'action.")])
    demand = demand_field()
    status = SelectField("Où en est l'action", choices=ACTION_STATUSES, default="planifiee")
    date = FrenchDateField("Date", description=DATE_HELP + " — la checklist suit cette date.")
    place = StringField("Lieu", validators=[Optional(), Length(max=200)])
    difficulty = level_field("Difficulté", "Ce que l'action demande d'organisation.")
    energy = level_field("Énergie", "L'énergie militante qu'elle mobilise.")
    people_expected = count_field("Personnes attendues")
    people_mobilised = count_field("Personnes mobilisées", "Après l'action : combien étiez-vous ?")
    press_articles = count_field("Articles de presse")
    press_notes = TextAreaField("Retombées presse", validators=[Optional(), Length(max=5000)])


class AllyForm(RecordForm):
    ally = SelectField("Allié déjà connu du réseau", coerce=optional_int, choices=[],
                       description="Choisissez-le ici, ou laissez vide et décrivez un nouvel allié.")
    name = StringField("Nom d'un nouvel allié", validators=[Optional(), Length(max=200)])
    kind = SelectField("Type", choices=ALLY_KINDS, default="association_environnement")
    town = StringField("Commune", validators=[Optional(), Length(max=120)])
    website = StringField("Site web", validators=[Optional(), Length(max=300)])
    contact_name = StringField("Personne contact", validators=[Optional(), Length(max=160)])
    contact_email = EmailField("E-mail du contact", validators=[
        Optional(), Regexp(EMAIL_RE, message="Adresse e-mail invalide."), Length(max=254)])
    contact_phone = StringField("Téléphone du contact", validators=[Optional(), Length(max=30)])
    status = SelectField("Où en est la relation", choices=RELATIONSHIP_STATUSES, default="identifie")
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)],
                         description="Ce que cet allié peut apporter : relais, salle, expertise, public…")
    ally_version = HiddenField()


class DemandForm(RecordForm):
    title = StringField("Demande", validators=[DataRequired("Formulez la demande en une phrase."),
                                               Length(max=200)],
                        description="Réaliste, précise et datée : « Installer 20 arceaux vélo devant "
                                    "les écoles d'ici juin ».")
    text = TextAreaField("Détails", validators=[Optional(), Length(max=5000)])
    measures = SelectMultipleField("Mesures du Pacte", coerce=int, choices=[],
                                   description="Les mesures du Pacte auxquelles la demande se rattache.")
    horizon = SelectField("Horizon", choices=HORIZONS, default="mois")
    target_date = FrenchDateField("Date visée", description=DATE_HELP)
    status = SelectField("Statut", choices=DEMAND_STATUSES, default="proposee")


class VictoryForm(RecordForm):
    title = StringField("Victoire", validators=[DataRequired("Décrivez la victoire en une phrase."),
                                                Length(max=200)])
    demand = demand_field()
    obtained_on = FrenchDateField("Obtenue le", validators=[InputRequired("Indiquez la date.")],
                                  default=dt.date.today, description=DATE_HELP)
    publicity = TextAreaField("Valorisation", validators=[Optional(), Length(max=5000)],
                              description="Comment la faire connaître : communiqué, réseaux, presse…")
