"""/healthz for the load balancer or the service manager: is the database answering?"""
import logging

from flask import Blueprint, jsonify

from models import db
from models.database import without_request_connection

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@without_request_connection
def healthz():
    """200 {"status": "ok"} when SELECT 1 answers, else 503 with a French message (no details)."""
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1").fetchone()
    except Exception:  # whatever the cause, the answer is 503 and the details go to the log
        log.exception("health check: the database does not answer")
        return jsonify(status="erreur", message="Base de données indisponible."), 503
    return jsonify(status="ok")


def init_app(app):
    app.register_blueprint(bp)
