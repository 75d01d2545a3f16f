"""What a campaign needs before it may move on. Each guard returns None or a French explanation."""
from models import AssessmentRating, Demand, GroupTheme, Measure, Meeting, ThemeMeasure
from models.campaign import SKIP_REASONS


def assessment_filled(campaign, context):
    """Every measure of the group's chosen themes is rated (one query: the measures and their state)."""
    themes = GroupTheme.select(GroupTheme.theme).where(GroupTheme.group == campaign.group_id)
    rated = (AssessmentRating.select(AssessmentRating.measure)
             .where(AssessmentRating.group == campaign.group_id,
                    AssessmentRating.rating != "non_evalue"))
    needed = (Measure.select(Measure.number, Measure.id.in_(rated).alias("rated")).distinct()
              .join(ThemeMeasure).where(ThemeMeasure.theme.in_(themes)).tuples())
    needed = list(needed)
    if not needed:
        return "Choisissez d'abord les thèmes du groupe : l'état des lieux porte sur leurs mesures."
    missing = sorted(number for number, done in needed if not done)
    if missing:
        codes = ", ".join(f"#{n:02d}" for n in missing)
        return f"État des lieux incomplet : mesure(s) {codes} à évaluer."
    return None


def demand_with_target_date(campaign, context):
    """At least one live demand with a target date."""
    live = Demand.select().where(Demand.group == campaign.group_id, Demand.target_date.is_null(False),
                                 Demand.status.not_in(("refusee", "abandonnee")))
    if not live.exists():
        return "Il faut au moins une demande avec une date visée avant de solliciter la mairie."
    return None


def meeting_held(campaign, context):
    """A meeting with the town hall took place."""
    held = Meeting.select().where(Meeting.group == campaign.group_id, Meeting.status == "tenu")
    if not held.exists():
        return ("Aucun rendez-vous tenu avec la mairie : enregistrez-le, ou passez à l'action "
                "sans rendez-vous en indiquant la raison (opposition, refus du maire).")
    return None


def skip_reason_given(campaign, context):
    """Skipping the town-hall meeting needs one of the accepted reasons."""
    if context.get("skip_reason") not in dict(SKIP_REASONS):
        labels = " ou ".join(f"« {label} »" for _, label in SKIP_REASONS)
        return f"Indiquez pourquoi le rendez-vous n'a pas lieu : {labels}."
    return None


def demand_obtained(campaign, context):
    """A demand has been marked as obtained."""
    if not Demand.select().where(Demand.group == campaign.group_id, Demand.status == "obtenue").exists():
        return "Marquez d'abord la demande obtenue (statut « Obtenue ») pour enregistrer la victoire."
    return None
