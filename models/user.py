"""People who log in: coordination team, local referents, observers."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import BooleanField, CharField, Check, DateTimeField, ForeignKeyField

from .base import VersionedModel
from .group import Group

ROLES = (
    ("coordination", "Coordination"),
    ("referent", "Référent·e"),
    ("observer", "Observateur·rice"),
)

_hasher = PasswordHasher()


def configure_password_hasher(**params):
    """Replace the argon2 parameters (tests use cheaper ones)."""
    global _hasher
    _hasher = PasswordHasher(**params)


def hash_password(password):
    """Hash a password with the configured argon2 parameters."""
    return _hasher.hash(password)


def new_session_token():
    return secrets.token_urlsafe(16)


SECRET_FIELDS = ("password_hash", "session_token")
REDACTED = "(masqué)"


def _redact(values):
    if values is None:
        return None
    return {k: (REDACTED if k in SECRET_FIELDS and v is not None else v) for k, v in values.items()}


class User(VersionedModel):
    """An account; a referent belongs to exactly one group."""

    email = CharField(max_length=254, unique=True)
    full_name = CharField(max_length=160, default="")
    phone = CharField(max_length=30, default="")
    role = CharField(max_length=14, choices=ROLES, index=True)
    group = ForeignKeyField(
        Group, null=True, backref="users", on_delete="RESTRICT"
    )
    password_hash = CharField(max_length=255)
    is_active = BooleanField(default=True)
    # Changing it (password change, disabling) invalidates existing sessions.
    session_token = CharField(max_length=40, default=new_session_token)
    last_login_at = DateTimeField(null=True)

    class Meta:
        constraints = [
            Check("(role = 'referent') = (group_id IS NOT NULL)"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def _record(self, kind, old=None, new=None, fields=""):
        # The change log says *that* the password or the sessions changed, never their values.
        super()._record(kind, old=_redact(old), new=_redact(new), fields=fields)

    # Flask-Login
    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def role_label(self):
        return dict(ROLES)[self.role]

    def set_password(self, password):
        """Store a new hash and end every existing session."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def end_sessions(self):
        """Invalidate every session and remember cookie of this user."""
        self.session_token = new_session_token()

    def check_password(self, password):
        """True when the password matches."""
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self):
        """True when the stored hash was made with other parameters than today's."""
        return _hasher.check_needs_rehash(self.password_hash)
