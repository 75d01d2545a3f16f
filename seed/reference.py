"""Reference data: themes, Pacte measures, action kinds, checklist templates, step durations."""
import tomllib
from pathlib import Path

from models import (
    ActionKind,
    ChecklistTemplate,
    Measure,
    StepDuration,
    Theme,
    ThemeMeasure,
    db,
)
from models.audit import history_disabled
from models.campaign import STEPS
from models.reference import CHECKLIST_PHASES, MEASURE_COUNT

REFERENCE_FILE = Path(__file__).with_name("data") / "reference.toml"


class ReferenceDataError(ValueError):
    """The reference data file is inconsistent; nothing was written."""


def read_reference(path=REFERENCE_FILE):
    """Parse and check the reference file before anything is written."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReferenceDataError(f"Fichier de référence illisible ({path}) : {exc}") from None
    numbers = [m["number"] for m in data.get("measures", [])]
    bad = [n for n in numbers if not isinstance(n, int) or not 1 <= n <= MEASURE_COUNT]
    if bad:
        raise ReferenceDataError(
            f"Numéro de mesure hors limites (1 à {MEASURE_COUNT}) : {', '.join(map(str, bad))}"
        )
    if sorted(numbers) != list(range(1, MEASURE_COUNT + 1)):
        missing = sorted(set(range(1, MEASURE_COUNT + 1)) - set(numbers))
        dupes = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ReferenceDataError(
            f"Mesures attendues : #01 à #{MEASURE_COUNT}; manquantes : {missing}, en double : {dupes}"
        )
    for theme in data.get("themes", []):
        unknown = [n for n in theme.get("measures", []) if n not in numbers]
        if unknown:
            raise ReferenceDataError(f"Thème {theme['code']} : mesures inconnues {unknown}")
    phases = dict(CHECKLIST_PHASES)
    for item in data.get("checklist", []):
        if item["phase"] not in phases:
            raise ReferenceDataError(f"Phase de checklist inconnue : {item['phase']!r}")
    steps = dict(STEPS)
    for step in data.get("step_durations", {}):
        if step not in steps:
            raise ReferenceDataError(f"Étape inconnue dans step_durations : {step!r}")
    return data


def _insert_missing(model, key_field, rows):
    """Create the rows whose key is not there yet; returns how many were created."""
    existing = {getattr(obj, key_field) for obj in model.select(getattr(model, key_field))}
    new = [row for row in rows if row[key_field] not in existing]
    for row in new:
        model.create(**row)
    return len(new)


def load_reference(path=REFERENCE_FILE):
    """Add missing reference rows in one transaction; returns {table: rows created}."""
    data = read_reference(path)
    created = {}
    with db.atomic(), history_disabled():
        created["themes"] = _insert_missing(
            Theme,
            "code",
            [
                {"code": t["code"], "name": t["name"], "in_campaign": t.get("in_campaign", False),
                 "position": i}
                for i, t in enumerate(data["themes"])
            ],
        )
        created["measures"] = _insert_missing(
            Measure,
            "number",
            [
                {"number": m["number"], "title": m["title"], "to_confirm": m.get("to_confirm", False),
                 "ambition_levels": m.get("ambition_levels", 3), "source": m.get("source", "")}
                for m in data["measures"]
            ],
        )
        themes = {t.code: t for t in Theme.select()}
        measures = {m.number: m for m in Measure.select()}
        links = {(tm.theme_id, tm.measure_id) for tm in ThemeMeasure.select()}
        new_links = [
            (themes[t["code"]].id, measures[n].id)
            for t in data["themes"]
            for n in t.get("measures", [])
            if (themes[t["code"]].id, measures[n].id) not in links
        ]
        for theme_id, measure_id in new_links:
            ThemeMeasure.create(theme=theme_id, measure=measure_id)
        created["theme_measures"] = len(new_links)
        created["action_kinds"] = _insert_missing(
            ActionKind,
            "code",
            [dict(k, position=i) for i, k in enumerate(data["action_kinds"])],
        )
        created["checklist_templates"] = _insert_missing(
            ChecklistTemplate,
            "code",
            [dict(c, position=i) for i, c in enumerate(data["checklist"])],
        )
        created["step_durations"] = _insert_missing(
            StepDuration,
            "step",
            [{"step": s, "days": d} for s, d in data["step_durations"].items()],
        )
    return created
