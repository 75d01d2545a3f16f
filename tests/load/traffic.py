"""Mixed traffic from several logged-in clients, and the ledger of what the server acknowledged.

Each client loops for a bounded time over what people do at once on the network: read list
pages and a group's home, edit cells inline, create meetings from the referent's form (some
posted twice), pause and resume a campaign on the board. Every answer is checked (no 5xx, no
"database is locked", only the statuses that operation may give) and every acknowledged write
is written down with what must now be in the database: the version it produced, its value,
its change-log entry, its transition row, its one-time token. A request that got no answer at
all (a worker killed under it) was not acknowledged: its write may or may not have happened,
and the row it touched is marked "in doubt" so the audit allows for it.
"""
import datetime as dt
import itertools
import json
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from models import Action, Campaign, ChangeLog, FormSubmission, Meeting, Transition

from .server import Unacknowledged

VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]*)"')
LOCKED = "database is locked"
MODELS = {"meeting": Meeting, "action": Action, "campaign": Campaign}
# Values never seen before in the session: every acknowledged cell edit changes its cell.
_dates = itertools.count()
_numbers = itertools.count(100_000)


def unique_date():
    return (dt.date(2040, 1, 1) + dt.timedelta(days=next(_dates))).isoformat()


@dataclass(frozen=True)
class Target:
    """A group the clients work on: its rows and its campaign."""

    group_id: int
    slug: str
    meetings: tuple
    actions: tuple
    campaign_id: int


@dataclass(frozen=True)
class VersionedWrite:
    """An acknowledged write to a versioned row: a cell edit or a campaign move."""

    table: str
    row_id: int
    field: str
    value: object
    version_after: int
    email: str
    marker: str = ""  # a move's comment, found again on its transition row


@dataclass
class Ledger:
    """What the clients saw, shared by their threads."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)  # (operation, status) -> count
    answered_at: list = field(default_factory=list)  # monotonic time of every answer
    unacknowledged: list = field(default_factory=list)  # (operation, error)
    server_errors: list = field(default_factory=list)  # 5xx: (operation, path, status, excerpt)
    locked: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    writes: list = field(default_factory=list)  # VersionedWrite
    creates: list = field(default_factory=list)  # (group_id, marker, token)
    in_doubt: Counter = field(default_factory=Counter)  # (table, row_id) -> unanswered writes
    creates_in_doubt: list = field(default_factory=list)

    def add(self, attr, item):
        with self.lock:
            getattr(self, attr).append(item)

    @property
    def served(self):
        return sum(self.statuses.values())

    @property
    def conflicts(self):
        return sum(n for (_, status), n in self.statuses.items() if status == 409)

    def summary(self, clients, seconds):
        return (f"{clients} clients, {seconds:.1f} s, {self.served} requêtes servies "
                f"({self.served / seconds:.0f}/s), {self.conflicts} conflits 409, "
                f"{len(self.server_errors)} erreurs 5xx, {len(self.locked)} « database is locked », "
                f"{len(self.unacknowledged)} sans réponse, {len(self.writes)} modifications et "
                f"{len(self.creates)} créations acquittées")


# What each operation may answer; anything else is a failure of the test run.
EXPECTED = {
    "read": {200},
    "refresh": {200},
    "cell": {200, 409},
    "form": {200},
    "create": {302},
    "move": {200, 409},
}


class LoadClient:
    """One person: an HTTP client logged in as `email`, working on `targets`."""

    def __init__(self, http, email, targets, versions, states, ledger, seed):
        self.http, self.email, self.targets = http, email, targets
        self.versions, self.states = dict(versions), dict(states)
        self.ledger, self.rng = ledger, random.Random(seed)
        self.csrf = http.csrf_token("/admin/meetings/")
        self.serial = itertools.count()
        self.run_id = seed

    def run(self, deadline):
        operations = (self.read, self.edit_meeting, self.edit_action, self.edit_campaign_note,
                      self.create_meeting, self.move)
        weights = (40, 15, 10, 5, 15, 15)
        while time.monotonic() < deadline:
            self.rng.choices(operations, weights)[0]()

    # -- one request, checked --------------------------------------------------------------
    def call(self, operation, method, path, data=None, headers=None):
        try:
            reply = self.http.send(method, path, data, headers)
        except Unacknowledged as exc:
            self.ledger.add("unacknowledged", (operation, str(exc)))
            return None
        ledger = self.ledger
        with ledger.lock:
            ledger.statuses[(operation, reply.status)] += 1
            ledger.answered_at.append(time.monotonic())
        excerpt = (operation, method, path, reply.status, reply.body[:800])
        if reply.status >= 500:
            ledger.add("server_errors", excerpt)
        if LOCKED in reply.body:
            ledger.add("locked", excerpt)
        if reply.status not in EXPECTED[operation]:
            ledger.add("unexpected", excerpt)
        return reply

    def target(self):
        return self.rng.choice(self.targets)

    def marker(self):
        return f"charge-{self.run_id}-{next(self.serial)}"

    # -- reading ---------------------------------------------------------------------------------
    def read(self):
        group_id = self.target().group_id
        path = self.rng.choice(("/admin/meetings/", "/admin/actions/", "/admin/campaigns/",
                                "/admin/board/", "/admin/groups/", "/admin/demands/",
                                f"/groupe/{group_id}/", f"/groupe/{group_id}/rendez-vous"))
        self.call("read", "GET", path)

    def refresh(self, table, row_id):
        """Learn a row's current version from its edit page (after a conflict or no answer)."""
        self.versions.pop((table, row_id), None)
        reply = self.call("refresh", "GET", f"/admin/{table}s/edit/?id={row_id}")
        match = VERSION_RE.search(reply.body) if reply is not None and reply.status == 200 else None
        if match:
            self.versions[(table, row_id)] = int(match.group(1))

    # -- inline cell edits -------------------------------------------------------------------------
    def edit_cell(self, table, row_id, column, value):
        key = (table, row_id)
        if key not in self.versions:
            self.refresh(table, row_id)
            if key not in self.versions:
                return
        version = self.versions[key]
        reply = self.call("cell", "POST", f"/admin/{table}s/ajax/update/", {
            "list_form_pk": f"{row_id}:{version}", column: value, "csrf_token": self.csrf})
        if reply is None:
            with self.ledger.lock:
                self.ledger.in_doubt[key] += 1
            self.versions.pop(key, None)
        elif reply.status == 200 and reply.body.strip() == "Enregistré.":
            self.ledger.add("writes", VersionedWrite(table, row_id, column, value, version + 1, self.email))
            self.versions[key] = version + 1
        else:
            self.refresh(table, row_id)

    def edit_meeting(self):
        self.edit_cell("meeting", self.rng.choice(self.target().meetings), "follow_up_on", unique_date())

    def edit_action(self):
        self.edit_cell("action", self.rng.choice(self.target().actions), "people_expected",
                       next(_numbers))

    def edit_campaign_note(self):
        self.edit_cell("campaign", self.target().campaign_id, "note", f"Note {self.marker()}")

    # -- the referent's form, sometimes posted twice -----------------------------------------------
    def create_meeting(self):
        target = self.target()
        path = f"/groupe/{target.group_id}/rendez-vous"
        page = self.call("form", "GET", path)
        if page is None or page.status != 200:
            return
        token = TOKEN_RE.search(page.body).group(1)
        marker = self.marker()
        data = {"csrf_token": self.csrf, "version": "", "token": token, "with_whom": "adjoint",
                "contact_name": marker, "status": "demande", "requested_on": "", "date": "",
                "outcome": "Demande envoyée pendant le test de charge", "follow_up_on": ""}
        home = f"/groupe/{target.group_id}/"
        acknowledged = False
        for _ in range(2 if self.rng.random() < 0.25 else 1):
            reply = self.call("create", "POST", path, data)
            if reply is None:
                break
            acknowledged |= reply.status == 302 and reply.header("Location").endswith(home)
        if acknowledged:
            self.ledger.add("creates", (target.group_id, marker, token))
        elif reply is None:
            self.ledger.add("creates_in_doubt", marker)

    # -- the board: pause and resume (no guard) ------------------------------------------------------
    def move(self):
        campaign_id = self.target().campaign_id
        key = ("campaign", campaign_id)
        if key not in self.versions:
            self.refresh("campaign", campaign_id)
            if key not in self.versions:
                return
        event = "reprendre" if self.states.get(campaign_id) == "en_pause" else "suspendre"
        marker = self.marker()
        reply = self.call("move", "POST", "/admin/board/deplacer", {
            "campaign": campaign_id, "version": self.versions[key], "event": event, "comment": marker,
            "skip_reason": "", "next": "", "csrf_token": self.csrf}, {"X-Requested-With": "fetch"})
        if reply is None:
            with self.ledger.lock:
                self.ledger.in_doubt[key] += 1
            self.versions.pop(key, None)
            return
        try:
            body = json.loads(reply.body)
        except ValueError:
            return  # already recorded as unexpected
        if "version" in body:
            self.versions[key], self.states[campaign_id] = body["version"], body["state"]
        if reply.status == 200 and body.get("ok"):
            self.ledger.add("writes", VersionedWrite("campaign", campaign_id, "state", body["state"],
                                                     body["version"], self.email, marker))


# -- afterwards: is every acknowledged write in the database? ----------------------------------------
def audit(ledger, baseline):
    """Problems found (empty when every acknowledged write is there and nothing was lost).

    `baseline` maps (table, row_id) to the version before the run. Needs a bound connection.
    """
    problems = []
    by_row = defaultdict(list)
    for write in ledger.writes:
        by_row[(write.table, write.row_id)].append(write)
    for key in set(by_row) | set(ledger.in_doubt):
        problems += _audit_row(key, by_row[key], baseline[key], ledger.in_doubt[key])
    for group_id, marker, token in ledger.creates:
        rows = list(Meeting.select().where(Meeting.contact_name == marker))
        if len(rows) != 1 or rows[0].group_id != group_id:
            problems.append(f"création acquittée {marker} : {len(rows)} ligne(s) au lieu d'une")
        if not FormSubmission.select().where(FormSubmission.token == token).exists():
            problems.append(f"création acquittée {marker} : jeton {token} non enregistré")
    for marker in ledger.creates_in_doubt:
        count = Meeting.select().where(Meeting.contact_name == marker).count()
        if count > 1:
            problems.append(f"création sans réponse {marker} : {count} lignes")
    return problems


def _audit_row(key, writes, initial, in_doubt):
    table, row_id = key
    model = MODELS[table]
    row = model.get_by_id(row_id)
    label = f"{table} {row_id}"
    problems = []
    versions = Counter(w.version_after for w in writes)
    reused = sorted(v for v, n in versions.items() if n > 1)
    if reused:
        problems.append(f"{label} : deux écritures acquittées ont produit la version {reused} "
                        "(une mise à jour perdue)")
    low = initial + len(writes)
    if not low <= row.version <= low + in_doubt:
        problems.append(f"{label} : version {row.version}, attendue entre {low} et {low + in_doubt} "
                        f"({len(writes)} écritures acquittées, {in_doubt} sans réponse, départ {initial})")
    if in_doubt == 0:
        latest = {}
        for write in sorted(writes, key=lambda w: w.version_after):
            latest[write.field] = write
        for name, write in latest.items():
            stored = getattr(row, name)
            stored = stored.isoformat() if isinstance(stored, dt.date) else stored
            if stored != write.value:
                problems.append(f"{label}.{name} = {stored!r}, la dernière écriture acquittée "
                                f"(version {write.version_after}) était {write.value!r}")
    entries = [json.loads(e.new_value or "{}") for e in ChangeLog.select().where(
        ChangeLog.table_name == model._meta.table_name, ChangeLog.record_id == row_id,
        ChangeLog.kind == "update")]
    for write in writes:
        if write.marker:
            moves = Transition.select().where(Transition.campaign == row_id,
                                              Transition.comment == write.marker).count()
            if moves != 1:
                problems.append(f"{label} : déplacement acquitté « {write.marker} » : {moves} transition(s)")
            continue
        found = sum(1 for e in entries if e.get(write.field) == write.value)
        if found != 1:
            problems.append(f"{label}.{write.field} = {write.value!r} acquitté par {write.email} : "
                            f"{found} entrée(s) au journal au lieu d'une")
    return problems
