"""The tables: one view per model, on the secured base. Columns, labels, filters, editable cells."""
import datetime as dt

from wtforms import PasswordField
from wtforms.validators import Length, Optional

from models import (
    Action,
    ActionKind,
    Ally,
    AssessmentRating,
    Campaign,
    CampaignStep,
    ChangeLog,
    ChecklistItem,
    ChecklistTemplate,
    Demand,
    Group,
    GroupAlly,
    Measure,
    Meeting,
    StepDuration,
    Theme,
    User,
    Victory,
)
from models.flags import overdue_days_of
from workflows.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_account,
    check_password_policy,
    unusable_password_hash,
)
from workflows.actions import sync_checklist
from workflows.overview import campaign_overview

from .base import SecuredModelView
from .filters import bool_filter, choice_filter, date_filters, group_filter, related_filter
from .flags import OverdueFilter, days_late_export, days_late_formatter

GROUP_WRITERS = ("coordination", "referent")

COMMON_LABELS = {
    "group": "Groupe", "name": "Nom", "title": "Intitulé", "status": "Statut", "date": "Date",
    "note": "Note", "notes": "Notes", "created_at": "Créé le", "updated_at": "Modifié le",
    "version": "Version", "contact_name": "Contact", "contact_email": "E-mail de contact",
    "contact_phone": "Téléphone de contact", "position": "Ordre", "code": "Code", "text": "Texte",
    "demand": "Demande", "measure": "Mesure", "theme": "Thème", "ally": "Allié",
    "days_late": "Retard",
}


def labels(**extra):
    return COMMON_LABELS | extra


class GroupOwnedView(SecuredModelView):
    """Tables of a group's own records: referents read and write their group's rows only."""

    write_roles = GROUP_WRITERS
    folded_search_columns = (Group.search_text,)


class GroupAdmin(SecuredModelView):
    write_roles = GROUP_WRITERS  # a referent updates their own group's row
    create_roles = delete_roles = ("coordination",)
    contact_columns = ("contact_email", "contact_phone")
    column_list = ("name", "commune", "departement_code", "region", "days_late", "townhall_relation",
                   "mobilisable_count", "contact_email", "contact_phone", "updated_at")
    column_details_list = (*column_list, "notes", "created_at", "version")
    column_formatters = {"days_late": days_late_formatter}
    column_formatters_export = {"days_late": days_late_export}
    computed_columns = ("days_late",)
    details_template = "admin/group_details.html"
    column_sortable_list = ("name", "commune", "departement_code", "region", "townhall_relation",
                            "mobilisable_count", "updated_at")
    column_editable_list = ("townhall_relation", "mobilisable_count")
    column_default_sort = "name"
    folded_search_columns = (Group.search_text,)
    column_filters = [OverdueFilter(Group.id, lambda today: overdue_days_of(today, group_id=Group.id)),
                      choice_filter(Group.townhall_relation, "Relation avec la mairie"),
                      group_filter(Group.id), Group.region, Group.departement_code]
    column_labels = labels(commune="Commune", departement_code="Département", region="Région",
                           townhall_relation="Relation avec la mairie",
                           mobilisable_count="Personnes mobilisables", slug="Identifiant")
    form_columns = ("name", "slug", "commune", "departement_code", "region", "contact_email",
                    "contact_phone", "mobilisable_count", "townhall_relation", "notes")

    def get_query(self):
        late = overdue_days_of(dt.date.today(), group_id=Group.id)
        return super().get_query().select_extend(late.alias("days_late"))

    def campaign_overview(self, group):
        """The group's campaigns with their steps and transition log, for the details page."""
        return campaign_overview(group)


class AllyAdmin(SecuredModelView):
    write_roles = GROUP_WRITERS
    delete_roles = ("coordination",)
    contact_columns = ("contact_name", "contact_email", "contact_phone")
    column_list = ("name", "kind", "town", "contact_name", "contact_email", "contact_phone")
    column_details_list = (*column_list, "website", "notes", "updated_at")
    column_sortable_list = ("name", "kind", "town")
    column_default_sort = "name"
    folded_search_columns = (Ally.search_text,)
    column_filters = [choice_filter(Ally.kind, "Type")]
    column_labels = labels(kind="Type", town="Commune", website="Site web")
    form_columns = ("name", "kind", "town", "website", "contact_name", "contact_email",
                    "contact_phone", "notes")


class GroupAllyAdmin(GroupOwnedView):
    extra_joins = (GroupAlly.ally,)
    column_list = ("group", "ally", "status", "note", "updated_at")
    column_sortable_list = (("group", Group.name), ("ally", Ally.name), "status", "updated_at")
    column_editable_list = ("status",)
    column_default_sort = (Group.name, False)
    folded_search_columns = (Group.search_text, Ally.search_text)
    column_filters = [group_filter(GroupAlly.group), choice_filter(GroupAlly.status, "Relation")]
    column_labels = labels(status="Relation")
    form_columns = ("group", "ally", "status", "note")


class MeetingAdmin(GroupOwnedView):
    column_list = ("group", "with_whom", "contact_name", "status", "date", "follow_up_on", "outcome")
    column_details_list = (*column_list, "requested_on", "updated_at")
    column_sortable_list = (("group", Group.name), "with_whom", "status", "date", "follow_up_on")
    column_editable_list = ("status", "date", "follow_up_on")
    column_default_sort = ("date", True)
    search_columns = (Meeting.outcome, Meeting.contact_name)
    column_filters = [group_filter(Meeting.group), choice_filter(Meeting.status, "Statut"),
                      choice_filter(Meeting.with_whom, "Avec qui"),
                      *date_filters(Meeting.date, "Date"),
                      *date_filters(Meeting.follow_up_on, "Relance")]
    column_labels = labels(with_whom="Avec qui", contact_name="Interlocuteur·rice",
                           requested_on="Demandé le", outcome="Résultat", follow_up_on="Relance le")
    form_columns = ("group", "with_whom", "contact_name", "status", "requested_on", "date",
                    "outcome", "follow_up_on")


class ActionAdmin(GroupOwnedView):
    extra_joins = (Action.kind,)
    column_list = ("group", "title", "kind", "status", "date", "place", "difficulty", "energy",
                   "people_expected", "people_mobilised", "press_articles")
    column_details_list = (*column_list, "demand", "press_notes", "updated_at")
    column_sortable_list = (("group", Group.name), "title", ("kind", ActionKind.label), "status",
                            "date", "difficulty", "energy", "people_mobilised", "press_articles")
    column_editable_list = ("status", "date", "people_expected", "people_mobilised", "press_articles")
    column_default_sort = ("date", True)
    search_columns = (Action.title, Action.place)
    column_filters = [group_filter(Action.group), choice_filter(Action.status, "Statut"),
                      related_filter(Action.kind, "Type d'action", ActionKind, ActionKind.label),
                      *date_filters(Action.date, "Date")]
    column_labels = labels(kind="Type", place="Lieu", difficulty="Difficulté", energy="Énergie",
                           people_expected="Personnes attendues", people_mobilised="Personnes mobilisées",
                           press_articles="Articles de presse", press_notes="Retombées presse")
    form_columns = ("group", "title", "kind", "demand", "status", "date", "place", "difficulty",
                    "energy", "people_expected", "people_mobilised", "press_articles", "press_notes")
    inline_models = [(ChecklistItem, {
        "form_columns": ("id", "phase", "label", "due_on", "done"),
        "form_label": "Checklist",
        "column_labels": {"phase": "Moment", "label": "Tâche", "due_on": "Échéance", "done": "Fait"},
    })]


    def after_save(self, model, is_created, before):
        sync_checklist(model, previous_date=None if is_created else before.get("date"))


class ChecklistItemAdmin(GroupOwnedView):
    column_list = ("action", "phase", "label", "due_on", "done")
    column_sortable_list = (("action", Action.title), "phase", "label", "due_on", "done")
    column_editable_list = ("due_on", "done")
    column_default_sort = "due_on"
    search_columns = (ChecklistItem.label, Action.title)
    column_filters = [group_filter(Action.group), choice_filter(ChecklistItem.phase, "Moment"),
                      bool_filter(ChecklistItem.done, "Fait"),
                      *date_filters(ChecklistItem.due_on, "Échéance")]
    column_labels = labels(action="Action", phase="Moment", label="Tâche", due_on="Échéance",
                           done="Fait")
    form_columns = ("action", "phase", "label", "due_on", "done")


class DemandAdmin(GroupOwnedView):
    column_list = ("group", "title", "horizon", "target_date", "status")
    column_details_list = ("group", "title", "text", "horizon", "target_date", "status", "updated_at")
    column_sortable_list = (("group", Group.name), "title", "horizon", "target_date", "status")
    column_editable_list = ("status", "target_date")
    column_default_sort = "target_date"
    search_columns = (Demand.title, Demand.text)
    column_filters = [group_filter(Demand.group), choice_filter(Demand.status, "Statut"),
                      choice_filter(Demand.horizon, "Horizon"), *date_filters(Demand.target_date, "Échéance")]
    column_labels = labels(horizon="Horizon", target_date="Date visée")
    form_columns = ("group", "title", "text", "horizon", "target_date", "status")


class AssessmentAdmin(GroupOwnedView):
    extra_joins = (AssessmentRating.measure,)
    column_list = ("group", "measure", "rating", "ambition_level", "note")
    column_sortable_list = (("group", Group.name), ("measure", Measure.number), "rating",
                            "ambition_level")
    column_editable_list = ("rating", "ambition_level")
    column_default_sort = (Group.name, False)
    search_columns = (Measure.title, AssessmentRating.note)
    column_filters = [group_filter(AssessmentRating.group),
                      choice_filter(AssessmentRating.rating, "Avancement"),
                      related_filter(AssessmentRating.measure, "Mesure", Measure, Measure.number)]
    column_labels = labels(rating="Avancement", ambition_level="Niveau d'ambition")
    form_columns = ("group", "measure", "rating", "ambition_level", "note")


class VictoryAdmin(GroupOwnedView):
    extra_joins = (Victory.demand,)
    column_list = ("group", "title", "obtained_on", "demand", "publicity")
    column_sortable_list = (("group", Group.name), "title", "obtained_on")
    column_editable_list = ("obtained_on",)
    column_default_sort = ("obtained_on", True)
    search_columns = (Victory.title, Victory.publicity)
    column_filters = [group_filter(Victory.group), *date_filters(Victory.obtained_on, "Obtenue le")]
    column_labels = labels(obtained_on="Obtenue le", publicity="Valorisation")
    form_columns = ("group", "title", "demand", "obtained_on", "publicity")


class CampaignAdmin(GroupOwnedView):
    """Read and annotate; moving a campaign between steps is the workflow's job."""

    create_roles = delete_roles = ("nobody",)
    column_list = ("group", "state", "days_late", "started_on", "paused_on", "ended_on", "note")
    column_formatters = {"days_late": days_late_formatter}
    column_formatters_export = {"days_late": days_late_export}
    computed_columns = ("days_late",)
    column_sortable_list = (("group", Group.name), "state", "started_on", "ended_on")
    column_editable_list = ("note",)
    column_default_sort = (Group.name, False)
    search_columns = (Campaign.note,)
    column_filters = [OverdueFilter(Campaign.id,
                                    lambda today: overdue_days_of(today, campaign_id=Campaign.id)),
                      group_filter(Campaign.group), choice_filter(Campaign.state, "Étape"),
                      *date_filters(Campaign.started_on, "Démarrée le")]
    column_labels = labels(state="Étape", started_on="Démarrée le", paused_on="En pause depuis",
                           ended_on="Terminée le", paused_step="Étape suspendue")
    form_columns = ("note",)

    def get_query(self):
        late = overdue_days_of(dt.date.today(), campaign_id=Campaign.id)
        return super().get_query().select_extend(late.alias("days_late"))


class CampaignStepAdmin(GroupOwnedView):
    """Step rows: opened and closed by the workflow; the due date can be set by hand."""

    create_roles = delete_roles = ("nobody",)
    column_list = ("group", "step", "opened_on", "due_on", "closed_on", "skip_reason")
    column_sortable_list = (("group", Group.name), "step", "opened_on", "due_on", "closed_on")
    column_editable_list = ("due_on",)
    column_default_sort = ("due_on", False)
    column_filters = [group_filter(Campaign.group), choice_filter(CampaignStep.step, "Étape"),
                      *date_filters(CampaignStep.due_on, "Échéance")]
    column_labels = labels(step="Étape", opened_on="Ouverte le", due_on="Échéance", closed_on="Close le",
                           skip_reason="Raison du saut", campaign="Campagne")
    form_columns = ("due_on",)

    def _get_field_value(self, model, name):
        if name == "group":
            return model.campaign.group
        return super()._get_field_value(model, name)


class UserAdmin(SecuredModelView):
    read_roles = write_roles = ("coordination",)
    extra_joins = (User.group,)
    contact_columns = ("email", "phone")
    column_list = ("email", "full_name", "role", "group", "is_active", "last_login_at")
    column_sortable_list = ("email", "full_name", "role", ("group", Group.name), "is_active",
                            "last_login_at")
    column_editable_list = ("is_active",)
    column_default_sort = "email"
    search_columns = (User.email, User.full_name)
    column_filters = [choice_filter(User.role, "Rôle"), group_filter(User.group),
                      bool_filter(User.is_active, "Actif")]
    column_labels = labels(email="E-mail", full_name="Nom complet", role="Rôle", phone="Téléphone",
                           is_active="Actif", last_login_at="Dernière connexion")
    form_columns = ("email", "full_name", "phone", "role", "group", "is_active")
    form_extra_fields = {
        "new_password": PasswordField(
            "Nouveau mot de passe",
            description=f"Au moins {MIN_PASSWORD_LENGTH} caractères, pas un mot de passe courant. "
                        "Le changer déconnecte la personne.",
            validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
        ),
    }

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        check_account(model)
        new_password = getattr(form, "new_password", None)  # absent from inline edits
        if new_password is not None and new_password.data:
            check_password_policy(new_password.data, model.email)
            model.set_password(new_password.data)
        elif is_created:
            model.password_hash = unusable_password_hash()
        if not is_created and not model.is_active:
            model.end_sessions()


class ThemeAdmin(SecuredModelView):
    column_list = ("name", "code", "in_campaign", "position")
    column_default_sort = "position"
    column_editable_list = ("in_campaign", "position")
    search_columns = (Theme.name,)
    column_labels = labels(in_campaign="Thème de la campagne")
    form_columns = ("code", "name", "in_campaign", "position")


class MeasureAdmin(SecuredModelView):
    column_list = ("number", "title", "ambition_levels", "to_confirm", "source")
    column_default_sort = "number"
    search_columns = (Measure.title,)
    column_filters = [bool_filter(Measure.to_confirm, "Intitulé à confirmer")]
    column_labels = labels(number="N°", ambition_levels="Niveaux d'ambition",
                           to_confirm="À confirmer", source="Source")
    form_columns = ("number", "title", "ambition_levels", "to_confirm", "source")


class ActionKindAdmin(SecuredModelView):
    column_list = ("label", "code", "difficulty", "energy", "position")
    column_default_sort = "position"
    column_labels = labels(label="Libellé", difficulty="Difficulté", energy="Énergie")
    form_columns = ("code", "label", "difficulty", "energy", "position")


class ChecklistTemplateAdmin(SecuredModelView):
    column_list = ("phase", "label", "offset_days", "position")
    column_default_sort = "position"
    column_labels = labels(phase="Moment", label="Tâche", offset_days="Jours par rapport à l'action",
                           help_text="Aide")
    form_columns = ("code", "phase", "label", "help_text", "offset_days", "position")


class StepDurationAdmin(SecuredModelView):
    column_list = ("step", "days")
    column_editable_list = ("days",)
    column_labels = labels(step="Étape", days="Durée (jours)")
    form_columns = ("days",)
    create_roles = delete_roles = ("nobody",)


class ChangeLogAdmin(SecuredModelView):
    """The journal: readable by the coordination team, never editable."""

    read_roles = ("coordination",)
    write_roles = ("nobody",)
    extra_joins = (ChangeLog.user,)
    can_view_details = False
    column_list = ("at", "user", "table_name", "record_id", "kind", "field", "old_value", "new_value")
    column_default_sort = ("at", True)
    search_columns = (ChangeLog.table_name, ChangeLog.field)
    column_filters = [choice_filter(ChangeLog.kind, "Opération"), ChangeLog.table_name,
                      *date_filters(ChangeLog.at, "Date")]
    column_labels = labels(at="Quand", user="Qui", table_name="Table", record_id="N°",
                           kind="Opération", field="Champs", old_value="Avant", new_value="Après")


def register(admin):
    """Add every table to the admin, by menu category."""
    network, campaign, reference, admin_cat = "Réseau", "Campagnes", "Référentiel", "Administration"
    for view in (
        GroupAdmin(Group, name="Groupes", category=network, endpoint="groups"),
        AllyAdmin(Ally, name="Alliés", category=network, endpoint="allies"),
        GroupAllyAdmin(GroupAlly, name="Relations avec les alliés", category=network,
                       endpoint="group_allies"),
        CampaignAdmin(Campaign, name="Campagnes", category=campaign, endpoint="campaigns"),
        CampaignStepAdmin(CampaignStep, name="Étapes et échéances", category=campaign,
                          endpoint="campaign_steps"),
        AssessmentAdmin(AssessmentRating, name="État des lieux", category=campaign,
                        endpoint="assessments"),
        DemandAdmin(Demand, name="Demandes", category=campaign, endpoint="demands"),
        MeetingAdmin(Meeting, name="Rendez-vous", category=campaign, endpoint="meetings"),
        ActionAdmin(Action, name="Actions", category=campaign, endpoint="actions"),
        ChecklistItemAdmin(ChecklistItem, name="Checklists", category=campaign, endpoint="checklist"),
        VictoryAdmin(Victory, name="Victoires", category=campaign, endpoint="victories"),
        ThemeAdmin(Theme, name="Thèmes", category=reference, endpoint="themes"),
        MeasureAdmin(Measure, name="Mesures du Pacte", category=reference, endpoint="measures"),
        ActionKindAdmin(ActionKind, name="Types d'action", category=reference, endpoint="action_kinds"),
        ChecklistTemplateAdmin(ChecklistTemplate, name="Modèles de checklist", category=reference,
                               endpoint="checklist_templates"),
        StepDurationAdmin(StepDuration, name="Durées des étapes", category=reference,
                          endpoint="step_durations"),
        UserAdmin(User, name="Comptes", category=admin_cat, endpoint="users"),
        ChangeLogAdmin(ChangeLog, name="Journal des modifications", category=admin_cat,
                       endpoint="changelog"),
    ):
        admin.add_view(view)
