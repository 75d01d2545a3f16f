"""Peewee models, one module per aggregate, and the database they live in."""
from .action import Action, ChecklistItem
from .ally import Ally, AllyTheme, GroupAlly
from .assessment import AssessmentRating
from .base import db, utcnow
from .campaign import Campaign, CampaignStep, Transition
from .changelog import ChangeLog
from .database import DatabaseConfigError, database_from_url, init_database
from .demand import Demand, DemandMeasure
from .group import Group, GroupTheme
from .login_attempt import LoginAttempt
from .meeting import Meeting
from .migrate import db_cli
from .reference import ActionKind, ChecklistTemplate, Measure, StepDuration, Theme, ThemeMeasure
from .submission import FormSubmission
from .user import User, configure_password_hasher
from .victory import Victory

# Every table, parents before children (the order tables are created in).
ALL_MODELS = [
    Theme,
    Measure,
    ThemeMeasure,
    ActionKind,
    ChecklistTemplate,
    StepDuration,
    Group,
    GroupTheme,
    User,
    AssessmentRating,
    Demand,
    DemandMeasure,
    Campaign,
    CampaignStep,
    Transition,
    Ally,
    AllyTheme,
    GroupAlly,
    Meeting,
    Action,
    ChecklistItem,
    Victory,
    ChangeLog,
    FormSubmission,
    LoginAttempt,
]


def init_app(app):
    """Database binding, password hashing parameters and the `flask db` commands."""
    init_database(app)
    if app.config.get("ARGON2_PARAMS"):
        configure_password_hasher(**app.config["ARGON2_PARAMS"])
    app.cli.add_command(db_cli)


__all__ = [m.__name__ for m in ALL_MODELS] + [
    "ALL_MODELS",
    "DatabaseConfigError",
    "database_from_url",
    "db",
    "init_app",
    "utcnow",
]
