"""Which group owns a row: the one place that answers it for every model.

A chain of foreign keys leads from a model to `group.id` (empty for Group
itself). Models absent from OWNERSHIP are shared by the whole network.
"""
from .action import Action, ChecklistItem
from .ally import GroupAlly
from .assessment import AssessmentRating
from .campaign import Campaign, CampaignStep, Transition
from .demand import Demand, DemandMeasure
from .group import Group, GroupTheme
from .meeting import Meeting
from .victory import Victory

OWNERSHIP = {
    Group: (),
    GroupTheme: (GroupTheme.group,),
    GroupAlly: (GroupAlly.group,),
    AssessmentRating: (AssessmentRating.group,),
    Demand: (Demand.group,),
    DemandMeasure: (DemandMeasure.demand, Demand.group),
    Campaign: (Campaign.group,),
    CampaignStep: (CampaignStep.campaign, Campaign.group),
    Transition: (Transition.campaign, Campaign.group),
    Meeting: (Meeting.group,),
    Action: (Action.group,),
    ChecklistItem: (ChecklistItem.action, Action.group),
    Victory: (Victory.group,),
}


def is_group_owned(model_class):
    return model_class in OWNERSHIP


def group_column(model_class):
    """The column holding the owning group's id (on the last model of the chain)."""
    chain = OWNERSHIP[model_class]
    return chain[-1] if chain else model_class.id


def join_to_group(query, model_class):
    """Add the joins the ownership chain needs (all but the last hop, which is a column)."""
    for fk in OWNERSHIP[model_class][:-1]:
        query = query.join_from(fk.model, fk.rel_model, on=fk)
    return query


def scope_to_group(query, model_class, group_id):
    """Restrict a query (already joined with join_to_group) to one group's rows."""
    return query.where(group_column(model_class) == group_id)


def owner_group_id(obj):
    """The id of the group owning `obj` (None for shared rows or dangling references)."""
    model_class = type(obj)
    if model_class not in OWNERSHIP:
        return None
    chain = OWNERSHIP[model_class]
    if not chain:
        return obj.id
    current = obj
    for fk in chain[:-1]:
        related_id = current.__data__.get(fk.name)
        if related_id is None:
            return None
        current = fk.rel_model.get_or_none(fk.rel_model.id == related_id)
        if current is None:
            return None
    return current.__data__.get(chain[-1].name)


def rows_for_group(model_class, group_id):
    """All rows of a group-owned model belonging to one group."""
    query = join_to_group(model_class.select(), model_class)
    return scope_to_group(query, model_class, group_id)
