"""The campaign state machine as data: states, events, guards, due-date policy.

Everything the engine, the board, the forms and the graph know about moving
a campaign comes from TRANSITIONS below.
"""
from dataclasses import dataclass, field

from models.campaign import CAMPAIGN_STATES, OUTCOMES, SIDE_STATES, STEPS

from . import guards

STEP_CODES = tuple(code for code, _ in STEPS)
FINAL_STATES = ("victoire", "bilan", "abandonnee")
STATE_LABELS = dict(CAMPAIGN_STATES)
INITIAL_STATE = "etat_des_lieux"
RESUME = "__paused_step__"  # target of "reprendre": the step that was paused


@dataclass(frozen=True)
class Transition:
    """One event leading from some states to a target, if its guard lets it."""

    event: str
    label: str
    sources: tuple
    target: str
    guard: object = None  # guard(campaign, context) -> None or a French explanation
    needs_reason: bool = False
    tags: tuple = field(default=())


TRANSITIONS = (
    Transition("avancer", "Passer à la priorisation", ("etat_des_lieux",), "priorisation",
               guards.assessment_filled),
    Transition("avancer", "Passer au rendez-vous en mairie", ("priorisation",), "rendez_vous",
               guards.demand_with_target_date),
    Transition("avancer", "Passer aux actions de mobilisation", ("rendez_vous",), "mobilisation",
               guards.meeting_held),
    Transition("sauter_rendez_vous", "Passer à l'action sans rendez-vous", ("rendez_vous",),
               "mobilisation", guards.skip_reason_given, needs_reason=True),
    Transition("gagner", "Victoire obtenue", ("rendez_vous", "mobilisation"), "victoire",
               guards.demand_obtained),
    Transition("clore", "Clore par un bilan", ("rendez_vous", "mobilisation"), "bilan"),
    Transition("suspendre", "Mettre en pause", STEP_CODES, "en_pause"),
    Transition("reprendre", "Reprendre", ("en_pause",), RESUME),
    Transition("abandonner", "Abandonner", (*STEP_CODES, "en_pause"), "abandonnee"),
)

STATES = tuple(code for code, _ in CAMPAIGN_STATES)


def transitions_from(state):
    """The transitions whose sources include `state`, in table order."""
    return [t for t in TRANSITIONS if state in t.sources]


def find(state, event):
    """The transition for (state, event), or None."""
    return next((t for t in TRANSITIONS if t.event == event and state in t.sources), None)


def validate_definition():
    """Problems with the table (empty when sound): unknown states, unreachable, dead ends."""
    problems = []
    known = set(STATES)
    for t in TRANSITIONS:
        for state in (*t.sources, t.target):
            if state != RESUME and state not in known:
                problems.append(f"{t.event}: état inconnu {state!r}")
    reachable, frontier = {INITIAL_STATE}, [INITIAL_STATE]
    while frontier:
        state = frontier.pop()
        for t in transitions_from(state):
            targets = STEP_CODES if t.target == RESUME else (t.target,)
            for target in targets:
                if target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
    problems += [f"état inatteignable : {s}" for s in STATES if s not in reachable]
    problems += [f"état sans sortie : {s}" for s in STATES
                 if s not in FINAL_STATES and not transitions_from(s)]
    problems += [f"état final avec sortie : {s}" for s in FINAL_STATES if transitions_from(s)]
    seen = set()
    for t in TRANSITIONS:
        for source in t.sources:
            if (source, t.event) in seen:
                problems.append(f"événement ambigu : {t.event} depuis {source}")
            seen.add((source, t.event))
    return problems


def graph_edges():
    """[(source, target, [labels])] once per pair; resuming leads from the pause to every step."""
    edges = {}
    for t in TRANSITIONS:
        targets = STEP_CODES if t.target == RESUME else (t.target,)
        for source in t.sources:
            for target in targets:
                edges.setdefault((source, target), []).append(t.label)
    return [(source, target, labels) for (source, target), labels in edges.items()]


# Where each state sits in the drawn graph: (column, row).
LAYOUT = {
    "etat_des_lieux": (0, 0), "priorisation": (1, 0), "rendez_vous": (2, 0), "mobilisation": (3, 0),
    "en_pause": (1, 1), "abandonnee": (0, 1), "bilan": (2, 1), "victoire": (3, 1),
}


def mermaid(current=None):
    """The state graph as Mermaid text (the current state highlighted when given)."""
    lines = ["stateDiagram-v2"]
    for code, label in CAMPAIGN_STATES:
        lines.append(f'    state "{label}" as {code}')
    lines.append(f"    [*] --> {INITIAL_STATE}")
    for source, target, labels in graph_edges():
        lines.append(f"    {source} --> {target} : {' / '.join(labels)}")
    for state in FINAL_STATES:
        lines.append(f"    {state} --> [*]")
    if current:
        lines.append("    classDef current fill:#2e6b3a,color:#fff")
        lines.append(f"    class {current} current")
    return "\n".join(lines)


__all__ = ["FINAL_STATES", "LAYOUT", "OUTCOMES", "SIDE_STATES", "STATE_LABELS", "STEP_CODES",
           "TRANSITIONS", "Transition", "find", "graph_edges", "mermaid", "transitions_from",
           "validate_definition"]
