"""Login throttling kept in the database, so every worker (and every server) applies the same counts.

Each password check (login, or re-authentication on « Mon compte ») is one
LoginAttempt row, written as a failure *before* the password is checked, then
turned into a success. The check-and-write runs under a lock (PostgreSQL
advisory lock; SQLite write lock), so parallel guesses cannot slip past a limit.
Refused attempts are not written: hammering a locked door does not extend the lock.

Over a sliding window (15 minutes by default):

- one account from one address: after 3 failures each new try waits 2 s, 4 s,
  8 s… (at most 60 s) after the previous failure; after 10 failures that pair is
  refused until its oldest failure leaves the window. A successful login from
  that address starts the pair's count again;
- one account from every address: 20 failures refuse the account, except from
  an address where this account logged in successfully in the last 30 days;
- one address, every account (password spraying): 50 failures refuse that
  address, except for the accounts that logged in successfully from it in the
  last 30 days.

So someone who knows an e-mail address cannot keep its owner out: the owner
still gets in from a device they used before, and from a new one as soon as the
attack stops for one window.
"""
import datetime as dt
import math
from contextlib import contextmanager
from dataclasses import dataclass

from models import LoginAttempt, db, utcnow
from models.database import is_sqlite, write_transaction

ADVISORY_LOCK_KEY = 7_412_004  # any constant: serialises the check-and-write of login attempts
SLOWED = "Trop de tentatives de connexion. Patientez {wait} avant de réessayer."
REFUSED = "Trop de tentatives de connexion échouées. Réessayez dans {wait}."


@dataclass(frozen=True)
class ThrottlePolicy:
    """The limits; built from the app's configuration (LOGIN_* keys)."""

    window_minutes: int = 15
    slowdown_after: int = 3
    slowdown_seconds: int = 2
    slowdown_max_seconds: int = 60
    pair_limit: int = 10
    account_limit: int = 20
    address_limit: int = 50
    trust_days: int = 30

    @property
    def window(self):
        return dt.timedelta(minutes=self.window_minutes)

    def delay(self, failures):
        """Seconds to wait after the last failure, once `failures` pair failures are in the window."""
        if failures < self.slowdown_after:
            return 0
        return min(self.slowdown_seconds * 2 ** (failures - self.slowdown_after), self.slowdown_max_seconds)


@dataclass(frozen=True)
class Verdict:
    """The outcome of `reserve`: an attempt id to resolve, or a refusal with a French message."""

    attempt_id: int | None = None
    reason: str = ""  # "pair", "slowdown", "account", "address" when refused
    retry_after: int = 0  # seconds
    message: str = ""

    @property
    def refused(self):
        return self.attempt_id is None


def wait_text(seconds):
    """« 45 secondes », « 1 minute », « 12 minutes » (rounded up)."""
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


@contextmanager
def _serialised():
    """One check-and-write at a time across workers: SQLite's write lock, or a PostgreSQL advisory lock."""
    if is_sqlite():
        with write_transaction():  # BEGIN IMMEDIATE
            yield
        return
    with db.atomic():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        yield


def _failures(*where):
    query = (LoginAttempt.select(LoginAttempt.at)
             .where(LoginAttempt.succeeded == False, *where)  # noqa: E712 (SQL comparison)
             .order_by(LoginAttempt.at))
    return [row.at for row in query]


def _free_at(failures, limit, window):
    """When the count of `failures` (oldest first) drops below `limit` again."""
    return failures[len(failures) - limit] + window


def _refusal(reason, until, now, template):
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return Verdict(reason=reason, retry_after=seconds, message=template.format(wait=wait_text(seconds)))


def _decide(policy, email, address, now):
    since = now - policy.window
    latest = (LoginAttempt.select(LoginAttempt.at)
              .where(LoginAttempt.email == email, LoginAttempt.address == address,
                     LoginAttempt.succeeded == True)  # noqa: E712 (SQL comparison)
              .order_by(LoginAttempt.at.desc()).first())
    last_success = latest.at if latest else None
    trusted = last_success is not None and last_success > now - dt.timedelta(days=policy.trust_days)
    pair = _failures(LoginAttempt.email == email, LoginAttempt.address == address,
                     LoginAttempt.at > max(since, last_success or since))
    if len(pair) >= policy.pair_limit:
        return _refusal("pair", _free_at(pair, policy.pair_limit, policy.window), now, REFUSED)
    delay = policy.delay(len(pair))
    if delay and pair[-1] + dt.timedelta(seconds=delay) > now:
        return _refusal("slowdown", pair[-1] + dt.timedelta(seconds=delay), now, SLOWED)
    if trusted:
        return None
    account = _failures(LoginAttempt.email == email, LoginAttempt.at > since)
    if len(account) >= policy.account_limit:
        return _refusal("account", _free_at(account, policy.account_limit, policy.window), now, REFUSED)
    spraying = _failures(LoginAttempt.address == address, LoginAttempt.at > since)
    if len(spraying) >= policy.address_limit:
        return _refusal("address", _free_at(spraying, policy.address_limit, policy.window), now, REFUSED)
    return None


def reserve(policy, email, address, now=None):
    """Before checking a password: a refusal, or an attempt recorded as failed until `succeeded`."""
    now = now or utcnow()
    email, address = (email or "")[:254], (address or "inconnue")[:64]
    with _serialised():
        refusal = _decide(policy, email, address, now)
        if refusal is not None:
            return refusal
        attempt = LoginAttempt.create(email=email, address=address, at=now)
        keep = max(policy.window, dt.timedelta(days=policy.trust_days))
        LoginAttempt.delete().where(LoginAttempt.at < now - keep).execute()
    return Verdict(attempt_id=attempt.id)


def succeeded(verdict):
    """The password was right: the attempt counts as a success (and trusts this address)."""
    LoginAttempt.update(succeeded=True).where(LoginAttempt.id == verdict.attempt_id).execute()


def forget(email):
    """Delete the attempts recorded for an account (personal data, or lifting a lock by hand)."""
    return LoginAttempt.delete().where(LoginAttempt.email == email).execute()
