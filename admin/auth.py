"""Login, logout, « Mon compte » and the session rules (Flask-Login).

- A session names the user *and* their session token (User.get_id): a new
  password, a new e-mail, disabling the account or logging out changes the
  token, which ends every session and remember cookie of that user, copies included.
- A session also carries its login time and last request time: it ends after
  SESSION_IDLE_MINUTES without a request or SESSION_MAX_HOURS after the login.
- Password checks are throttled in the database (workflows.login_throttle).
- Failed logins and refusals go to the "petites_victoires.security" logger
  (e-mail and address, never a password).
"""
import logging
import os
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from peewee import JOIN

from forms.auth import ChangeEmailForm, ChangePasswordForm, LoginForm, LogoutForm
from models import Group, User
from models.audit import set_actor
from models.base import StaleRecordError, parse_id
from models.prepared import Prepared
from workflows import login_throttle
from workflows.accounts import (
    AccountError,
    WrongPasswordError,
    authenticate,
    change_email,
    change_password,
    end_all_sessions,
    normalize_email,
)

bp = Blueprint("auth", __name__)
security_log = logging.getLogger("petites_victoires.security")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

LOGIN_AT, SEEN_AT = "pv_login_at", "pv_seen_at"  # seconds since the epoch, in the signed session
SEEN_RESOLUTION = 60  # rewrite the last-seen time (and so the cookie) at most once a minute
SESSION_EXPIRED = "Votre session a expiré : reconnectez-vous."
SETTINGS = {  # name: (default, minimum); each can be set in the environment
    "SESSION_IDLE_MINUTES": (120, 1),
    "SESSION_MAX_HOURS": (12, 1),
    "LOGIN_WINDOW_MINUTES": (15, 1),
    "LOGIN_SLOWDOWN_AFTER": (3, 1),
    "LOGIN_SLOWDOWN_SECONDS": (2, 0),
    "LOGIN_SLOWDOWN_MAX_SECONDS": (60, 0),
    "LOGIN_PAIR_LIMIT": (10, 1),
    "LOGIN_ACCOUNT_LIMIT": (20, 1),
    "LOGIN_ADDRESS_LIMIT": (50, 1),
    "LOGIN_TRUST_DAYS": (30, 0),
}


def client_address():
    """The address the request came from (behind a proxy: as ProxyFix sets it)."""
    return request.remote_addr or "inconnue"


def _session_state(now=None):
    """"none" (nobody logged in), "ok", or "expired" for the current session."""
    if "_user_id" not in session:
        return "none"
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return "expired"  # a session from before these rules, or one Flask-Login rebuilt from a cookie
    now = time.time() if now is None else now
    config = current_app.config
    if now - seen_at > config["SESSION_IDLE_MINUTES"] * 60:
        return "expired"
    if now - login_at > config["SESSION_MAX_HOURS"] * 3600:
        return "expired"
    return "ok"


# Every request reads this row, so its SQL is written once. The group's name comes in the same
# query: every page header shows it (only what the header needs: a group's notes and search text
# are long).
_user_with_group = Prepared(lambda user_id: User.select(User, Group.id, Group.name, Group.slug)
                            .join(Group, JOIN.LEFT_OUTER, on=User.group).where(User.id == user_id))


@login_manager.user_loader
def load_user(session_id):
    """The user named by a live session: right token, active account, not timed out.

    Flask-Login also calls this for a remember cookie. The app never sets one, and
    such a request has no login time, so a remember cookie alone never logs anyone in.
    """
    if _session_state() != "ok":
        return None
    user_id, _, token = (session_id or "").partition(":")
    if parse_id(user_id) is None or not token:
        return None
    user = next(iter(_user_with_group(parse_id(user_id))), None)
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def start_session(user):
    """Log `user` in on this browser, with fresh login and last-seen times."""
    login_user(user)
    session[LOGIN_AT] = session[SEEN_AT] = int(time.time())


def refresh_session(user):
    """Keep this browser logged in after the user's session token changed (the other sessions end)."""
    login_at = session.get(LOGIN_AT)
    login_user(user)
    session[LOGIN_AT] = login_at
    session[SEEN_AT] = int(time.time())


def log_refusal(reason=""):
    """Log a refused request (403): who, from where, what. Called by the 403 error handler."""
    if not has_request_context():
        security_log.warning("permission refused reason=%r", reason)
        return
    who = current_user.email if current_user.is_authenticated else "anonymous"
    security_log.warning("permission refused user=%r address=%s method=%s path=%r reason=%r",
                         who, client_address(), request.method, request.path, reason)


def safe_next(target):
    """A local path to go back to after login, or None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_url(user):
    """Where a login lands: a referent on their group's page, everyone else on the dashboard."""
    if user.role == "referent" and user.group_id:
        return url_for("mon_groupe.home", group_id=user.group_id)
    return url_for("admin.index")


def _policy():
    return current_app.extensions["pv_login_throttle"]


def _reserve(email, what):
    """Record a password check about to happen, or log and return the refusal."""
    verdict = login_throttle.reserve(_policy(), email, client_address())
    if verdict.refused:
        security_log.warning("%s throttled email=%r address=%s limit=%s retry_after=%ss",
                             what, email, client_address(), verdict.reason, verdict.retry_after)
    return verdict


def _too_many(body, verdict):
    return body, 429, {"Retry-After": str(verdict.retry_after)}


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """The French login page."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url(current_user))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        email = normalize_email(form.email.data)
        verdict = _reserve(email, "login")
        if verdict.refused:
            flash(verdict.message, "error")
            return _too_many(render_template("auth/login.html", form=form, next_url=next_url), verdict)
        user = authenticate(email, form.password.data)
        if user is not None:
            login_throttle.succeeded(verdict)
            start_session(user)
            security_log.info("login succeeded email=%r address=%s", email, client_address())
            return redirect(next_url or home_url(user))
        security_log.warning("login failed email=%r address=%s", email, client_address())
        flash("Adresse e-mail ou mot de passe incorrect.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """Log out (POST with CSRF token): every session and cookie of this user ends, on every device."""
    form = LogoutForm(request.form)
    if not form.validate():
        abort(400)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    logout_user()
    if user is not None:
        end_all_sessions(user)
        security_log.info("logout email=%r address=%s", user.email, client_address())
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))


def _account_page(password_form=None, email_form=None, status=200, headers=None):
    user = current_user._get_current_object()
    page = render_template(
        "auth/account.html", user=user, home=home_url(user),
        password_form=password_form or ChangePasswordForm(account_email=user.email),
        email_form=email_form or ChangeEmailForm())
    return page, status, headers or {}


@bp.route("/compte")
@login_required
def account():
    """« Mon compte »: change one's password or login e-mail (the current password confirms)."""
    return _account_page()


def _confirmed_change(form, change, what, error_field):
    """Run `change(user)` once the current password is confirmed (throttled); a response when refused."""
    user = current_user._get_current_object()
    verdict = _reserve(user.email, "reauthentication")
    if verdict.refused:
        form.current_password.errors.append(verdict.message)
        return verdict
    try:
        change(user)
    except WrongPasswordError as exc:
        security_log.warning("reauthentication failed email=%r address=%s", user.email, client_address())
        form.current_password.errors.append(str(exc))
        return verdict
    except (AccountError, StaleRecordError) as exc:
        login_throttle.succeeded(verdict)
        getattr(form, error_field).errors.append(str(exc))
        return verdict
    login_throttle.succeeded(verdict)
    refresh_session(user)
    security_log.info("%s changed email=%r address=%s", what, user.email, client_address())
    return None


def _account_change(form, change, what, error_field, done):
    """POST of one « Mon compte » form: redirect when done, else the page with the form's errors."""
    forms = {"password_form" if what == "password" else "email_form": form}
    if not form.validate():
        return _account_page(**forms, status=400)
    verdict = _confirmed_change(form, change, what, error_field)
    if verdict is None:
        flash(done, "info")
        return redirect(url_for("auth.account"))
    if verdict.refused:
        return _account_page(**forms, status=429, headers={"Retry-After": str(verdict.retry_after)})
    return _account_page(**forms, status=400)


@bp.route("/compte/mot-de-passe", methods=["POST"])
@login_required
def account_password():
    form = ChangePasswordForm(request.form, account_email=current_user.email)
    return _account_change(
        form, lambda user: change_password(user, form.current_password.data, form.new_password.data),
        "password", "new_password", "Mot de passe changé. Vos autres sessions ont été fermées.")


@bp.route("/compte/adresse", methods=["POST"])
@login_required
def account_email():
    form = ChangeEmailForm(request.form)
    return _account_change(
        form, lambda user: change_email(user, form.current_password.data, form.email.data),
        "email", "email", "Adresse e-mail changée. Vos autres sessions ont été fermées.")


def _expire_old_sessions():
    """Before every request: a timed-out session is logged out and sent to the login page."""
    if request.endpoint == "static":
        return None
    now = time.time()
    state = _session_state(now)
    if state == "ok":
        if now - session[SEEN_AT] >= SEEN_RESOLUTION:
            session[SEEN_AT] = int(now)
        return None
    if state == "none":
        return None
    security_log.info("session expired user_id=%s address=%s",
                      str(session.get("_user_id", "")).partition(":")[0], client_address())
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)
    flash(SESSION_EXPIRED, "info")
    if request.endpoint == "auth.login":
        return None
    next_url = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=next_url))


def _load_settings(app):
    for name, (default, minimum) in SETTINGS.items():
        raw = app.config.get(name, os.environ.get(name, default))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value < minimum:
            raise RuntimeError(f"{name} doit être un nombre entier supérieur ou égal à {minimum} "
                               f"(reçu : {raw!r}).")
        app.config[name] = value
    c = app.config
    app.extensions["pv_login_throttle"] = login_throttle.ThrottlePolicy(
        window_minutes=c["LOGIN_WINDOW_MINUTES"], slowdown_after=c["LOGIN_SLOWDOWN_AFTER"],
        slowdown_seconds=c["LOGIN_SLOWDOWN_SECONDS"], slowdown_max_seconds=c["LOGIN_SLOWDOWN_MAX_SECONDS"],
        pair_limit=c["LOGIN_PAIR_LIMIT"], account_limit=c["LOGIN_ACCOUNT_LIMIT"],
        address_limit=c["LOGIN_ADDRESS_LIMIT"], trust_days=c["LOGIN_TRUST_DAYS"])


def init_app(app):
    """Sessions, cookies, time limits, throttling and the login pages."""
    _load_settings(app)
    secure = not (app.debug or app.testing)
    # Flask ships defaults for these keys, so they are set, not setdefault-ed.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_expire_old_sessions)

    @app.after_request
    def _log_refusals(response):
        # Every 403, whether from abort(403) and the error page or answered directly (inline edits).
        if response.status_code == 403:
            log_refusal(request.endpoint or "")
        return response

    @app.before_request
    def _set_actor():
        set_actor(current_user._get_current_object() if current_user.is_authenticated else None)

    @app.teardown_request
    def _clear_actor(exc):
        set_actor(None)  # nothing written after the request is attributed to its user

    @app.context_processor
    def _logout_form():
        return {"logout_form": LogoutForm}
