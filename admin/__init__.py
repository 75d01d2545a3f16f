"""Web pages: login, the Flask-Admin tables, the public summary, French error pages, security headers."""
import datetime as dt
import os
from pathlib import Path

from flask import Blueprint, current_app, render_template
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel
from flask_login import current_user

from models import Action, Campaign, Group, Meeting, Victory
from models.campaign import STEPS
from models.flags import STALE_DAYS
from models.meeting import MEETING_WITH
from workflows.dashboard import dashboard
from workflows.flags import group_flags

from . import auth, errors, followup, group_pages, health, i18n, page_parts, personal_data, security
from .board import BoardView
from .views import register

bp = Blueprint("home", __name__)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@bp.route("/")
def index():
    """Network summary without any personal data."""
    counts = {
        "groupes": Group.select().count(),
        "campagnes en cours": Campaign.select().where(Campaign.ended_on.is_null()).count(),
        "rendez-vous": Meeting.select().count(),
        "actions": Action.select().count(),
        "victoires": Victory.select().count(),
    }
    return render_template("home.html", counts=counts)


class HomeView(AdminIndexView):
    """The tables' home page, for logged-in users only."""

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        from flask import redirect, request, url_for

        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        if current_user.role in ("coordination", "observer"):
            data = dashboard(dt.date.today(), current_app.config["STALE_DAYS"])
            return self.render("admin/dashboard.html", d=data, labels=dict(STEPS),
                               with_whom=dict(MEETING_WITH))
        flags = group_flags(current_user.group_id, dt.date.today()) if current_user.group_id else None
        return self.render("admin/home.html", flags=flags, labels=dict(STEPS))


def frdate(value):
    """dd/mm/yyyy for a date, a datetime or the ISO text SQLite aggregates return."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if value else ""


def init_app(app):
    """Babel in French, login, the tables, the error pages, /healthz and the security headers."""
    app.config.setdefault("STALE_DAYS", int(os.environ.get("STALE_DAYS", STALE_DAYS)))
    app.add_template_filter(frdate)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "fr")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Paris")
    Babel(app, locale_selector=lambda: "fr")
    i18n.init_app(app)
    auth.init_app(app)
    # Our compiled copy of Flask-Admin's French catalogue: the shipped .mo misses a few strings.
    admin = Admin(app, name="Petites Victoires", url="/admin", translations_path=str(TRANSLATIONS),
                  index_view=HomeView(name="Accueil", url="/admin"),
                  theme=Bootstrap4Theme(base_template="admin/pv_base.html"),
                  csp_nonce_generator=security.csp_nonce)
    register(admin)
    admin.add_view(BoardView(name="Tableau des campagnes", category="Campagnes", endpoint="board"))
    admin.add_link(personal_data.menu_link())
    app.register_blueprint(bp)
    group_pages.init_app(app)
    followup.init_app(app)
    personal_data.init_app(app)
    health.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    page_parts.init_app(app)
