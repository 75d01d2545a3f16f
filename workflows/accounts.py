"""Creating accounts with the same rules wherever they come from."""
import re
import secrets

from peewee import IntegrityError
from wtforms.validators import ValidationError

from models import Group, User, db, utcnow
from models.user import ROLES, hash_password, new_session_token

from .password_policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CURRENT_PASSWORD = "Mot de passe actuel incorrect : rien n'a été modifié."

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "AccountError", "WrongPasswordError",
           "authenticate", "change_email", "change_password", "check_account", "check_password_policy",
           "create_user", "end_all_sessions", "normalize_email", "unusable_password_hash"]


class AccountError(ValidationError):
    """An account cannot be created or changed as asked; the message is for the user (French)."""


class WrongPasswordError(AccountError):
    """The current password given to confirm a change is wrong (a failed re-authentication)."""


def check_password_policy(password, email=None):
    """Raise AccountError with the French reason when `password` is not acceptable."""
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)


def normalize_email(email):
    return (email or "").strip().lower()


def unusable_password_hash():
    """A hash nobody knows the password of (the account waits for a password to be set)."""
    return hash_password(secrets.token_urlsafe(32))


def check_account(user):
    """Role and group go together; raises AccountError (a French message) otherwise."""
    if user.role == "referent" and user.group_id is None:
        raise AccountError("Un·e référent·e doit appartenir à un groupe.")
    if user.role != "referent" and user.group_id is not None:
        raise AccountError("Seul·es les référent·es sont rattaché·es à un groupe.")
    user.email = normalize_email(user.email)
    if not EMAIL_RE.match(user.email):
        raise AccountError(f"Adresse e-mail invalide : {user.email!r}.")


def create_user(*, email, password, role, group_slug=None, full_name="", password_hash=None):
    """Create one account, checking email, role, group and password; all or nothing."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError(f"Adresse e-mail invalide : {email!r}.")
    if role not in dict(ROLES):
        raise AccountError(
            f"Rôle inconnu : {role!r} (rôles : {', '.join(code for code, _ in ROLES)})."
        )
    group = None
    if role == "referent":
        if not group_slug:
            raise AccountError("Un·e référent·e doit appartenir à un groupe (--group).")
        group = Group.get_or_none(Group.slug == group_slug)
        if group is None:
            raise AccountError(f"Groupe inconnu : {group_slug!r}.")
    elif group_slug:
        raise AccountError("Seul·es les référent·es sont rattaché·es à un groupe.")
    if password_hash is None:
        check_password_policy(password, email)
    user = User(email=email, role=role, group=group, full_name=full_name.strip())
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    try:
        with db.atomic():
            if User.select().where(User.email == email).exists():
                raise AccountError(f"Un compte existe déjà pour {email}.")
            user.save(force_insert=True)
    except IntegrityError:
        raise AccountError(f"Un compte existe déjà pour {email}.") from None
    return user


# Spent on unknown e-mails too, so timing does not tell which accounts exist.
_DUMMY_HASH = None


def authenticate(email, password):
    """The active user with this e-mail and password, or None; rehashes outdated hashes."""
    global _DUMMY_HASH
    user = User.get_or_none(User.email == normalize_email(email))
    if user is None or not user.is_active:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("pas un vrai mot de passe")
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password):
        return None
    fields = {"last_login_at": utcnow()}
    if user.needs_rehash():
        fields["password_hash"] = hash_password(password)
    # A login is not an edit: no version bump, no history entry.
    User.update(**fields).where(User.id == user.id).execute()
    for name, value in fields.items():
        setattr(user, name, value)
    return user


def end_all_sessions(user):
    """A new session token: every session and remember cookie of the user ends (logout everywhere).

    Not an edit of the account: no version bump, no change-log entry (like a login).
    """
    user.session_token = new_session_token()
    User.update(session_token=user.session_token).where(User.id == user.id).execute()


def _confirm(user, current_password):
    if not user.check_password(current_password or ""):
        raise WrongPasswordError(WRONG_CURRENT_PASSWORD)


def change_password(user, current_password, new_password):
    """The user's own password change: the current one confirms it; every session of the user ends."""
    _confirm(user, current_password)
    check_password_policy(new_password, user.email)
    if user.check_password(new_password):
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.")
    user.set_password(new_password)  # new session token: every session and cookie of the user ends
    user.save()
    return user


def change_email(user, current_password, new_email):
    """The user's own e-mail change, confirmed by the current password; other sessions end."""
    _confirm(user, current_password)
    email = normalize_email(new_email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"Adresse e-mail invalide : {email!r}.")
    if email == user.email:
        raise AccountError("C'est déjà votre adresse e-mail.")
    taken = AccountError(f"Un compte existe déjà pour {email}.")
    before = user.email, user.session_token
    user.email = email
    user.end_sessions()
    try:
        with db.atomic():
            if User.select().where(User.email == email, User.id != user.id).exists():
                raise taken
            user.save()
    except (AccountError, IntegrityError):
        user.email, user.session_token = before
        raise taken from None
    return user
