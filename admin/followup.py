"""Download of the weekly follow-up (coordination and observers), from the dashboard."""
import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from workflows.followup import FollowupError, Week, export_files

from .auth import login_manager

bp = Blueprint("followup", __name__, url_prefix="/suivi-hebdo")
READERS = ("coordination", "observer")
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "zip": "application/zip"}


@bp.route("/")
def download():
    """?semaine=2026-W47 (default: this week) & format=xlsx|csv."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in READERS:
        abort(403)  # the network-wide export is not for referents
    try:
        week_text = request.args.get("semaine", "")
        week = Week.parse(week_text) if week_text else Week.of(dt.date.today())
        fmt = request.args.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise FollowupError(f"Format « {fmt} » inconnu : choisissez xlsx ou csv.")
        name, body = next(iter(export_files(week, fmt).items()))
    except FollowupError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.index")), 303
    return Response(body, mimetype=MIMETYPES[name.rsplit(".", 1)[1]],
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def init_app(app):
    app.register_blueprint(bp)
