"""Login attempts, kept in the database so every worker applies the same throttling."""
from peewee import BooleanField, CharField, DateTimeField

from .base import BaseModel, utcnow


class LoginAttempt(BaseModel):
    """One password check (login or re-authentication): which account was typed, from where, and the outcome.

    A row is written *before* the password is checked (as a failure) and turned
    into a success afterwards, so parallel guesses count as soon as they start.
    Rows older than the trust period are deleted (workflows.login_throttle).
    """

    audited = False  # bookkeeping, not a change to anyone's data

    email = CharField(max_length=254)  # as typed, normalised; unknown accounts too
    address = CharField(max_length=64)
    at = DateTimeField(default=utcnow, index=True)
    succeeded = BooleanField(default=False)

    class Meta:
        indexes = (
            (("email", "at"), False),
            (("address", "at"), False),
        )
