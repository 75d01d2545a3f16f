"""Locust users for `make loadtest` (run by tests/benchmarks/load_run.py, never by pytest).

Two kinds of people, each logged in once (login throttling: one successful login per locust
user, never a failed one):

- coordination: list pages over the whole network, any group's « Mon groupe » page, inline
  edits of rows across the network (and sometimes of the referents' rows, hence conflicts);
- referents: their group's home page, their group's list pages, inline edits of their rows
  (two locust users per referent group: they edit the same rows, hence conflicts).

An inline edit posts `list_form_pk = "id:version"`; a 409 is the expected answer to a stale
version (counted apart, never as an error), after which the version is read again from the
row's edit page. Every answer is written to LOAD_SAMPLES (JSON) for the runner, which computes
the figures; LOAD_PLAN (JSON, written by the runner) names the accounts and the rows.
"""
import itertools
import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
RATE_PER_USER = float(os.environ.get("LOAD_RATE_PER_USER") or 0)  # 0: no pause between tasks
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SAVED = "Enregistré."
LOCKED = "database is locked"
# What each kind of request may answer; anything else is an error of the run.
EXPECTED = {"login": {200, 302}, "list": {200}, "home": {200}, "edit": {200, 409}, "refresh": {200}}
TABLE_URLS = {"meeting": "meetings", "action": "actions", "campaign": "campaigns", "group": "groups"}

_referent_slots = itertools.count()
_values = itertools.count(1)
_started = time.time()
_samples = []
_marks = {}
_excerpts = []


class LocalCookies(DefaultCookiePolicy):
    """Send the `Secure` session cookie over plain HTTP to 127.0.0.1 (TLS ends at the proxy)."""

    def return_ok_secure(self, cookie, request):
        return True


# -- what the runner reads back ----------------------------------------------------------------
@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    error = f"{type(exception).__name__}: {exception}"[:300] if exception else ""
    _samples.append((start_time or time.time(), name, status, round(response_time, 2), error))


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    _marks.setdefault("spawned_at", time.time())
    _marks["users"] = user_count


@events.quitting.add_listener
def _write(environment, **_kwargs):
    out = os.environ.get("LOAD_SAMPLES")
    if out:
        Path(out).write_text(json.dumps({
            "started_at": _started, "stopped_at": time.time(), **_marks,
            "samples": _samples, "excerpts": _excerpts[:30],
        }), encoding="utf-8")


# -- one person --------------------------------------------------------------------------------
class Person(FastHttpUser):
    abstract = True
    role = ""
    network_timeout = connection_timeout = 60.0
    sent = 0  # requests since the last pause (logging in is not counted: on_start resets it)

    def wait_time(self):
        """With a rate: each user offers RATE_PER_USER requests a second, counting requests, not
        tasks (an edit refused as stale is read again: two requests). Without: no pause."""
        if not RATE_PER_USER:
            return 0
        now = time.monotonic()
        wait = max(0.0, self.sent / RATE_PER_USER - (now - self.paced_since))
        self.sent, self.paced_since = 0, now + wait
        return wait

    def on_start(self):
        self.client.cookiejar.set_policy(LocalCookies())
        self.rng = random.Random(f"{self.role}-{id(self)}")
        self.versions = dict(PLAN["versions"])
        self.account = self.choose_account()
        self.login(self.account["email"])
        page = self.call("login", "csrf", "GET", "/admin/meetings/")  # the tables' CSRF token
        match = CSRF_RE.search(page.text or "") if page is not None else None
        if match is None:
            raise StopUser()
        self.csrf = match.group(1)
        self.sent, self.paced_since = 0, time.monotonic()  # logging in is not paced

    def choose_account(self):
        raise NotImplementedError

    def login(self, email):
        page = self.call("login", "page", "GET", "/connexion")
        match = CSRF_RE.search(page.text or "") if page is not None else None
        if match is None:
            raise StopUser()
        reply = self.call("login", "post", "POST", "/connexion", {
            "email": email, "password": PLAN["password"], "csrf_token": match.group(1)})
        if reply is None or reply.status_code != 302:
            raise StopUser()  # never try again: a failed login counts against the throttle

    # -- one request, checked ---------------------------------------------------------------------
    def call(self, kind, what, method, path, data=None):
        """One request named "<kind> <what> [role]"; returns the response (None if no answer)."""
        name = f"{kind} {what} [{self.role}]"
        self.sent += 1
        body = urlencode(data) if data is not None else None
        with self.client.request(method, path, name=name, data=body, headers=FORM if body else None,
                                 allow_redirects=False, catch_response=True) as reply:
            status = reply.status_code or 0
            text = (reply.text or "") if status else ""
            if not status:
                reply.failure(f"pas de réponse : {getattr(reply, 'error', '')}")
                return None
            if status not in EXPECTED[kind] or LOCKED in text:
                reply.failure(f"{status} inattendu")
                _excerpts.append({"name": name, "path": path, "status": status, "body": text[:600]})
            elif kind == "edit" and status == 200 and text.strip() != SAVED:
                reply.failure("200 sans « Enregistré. »")
                _excerpts.append({"name": name, "path": path, "status": status, "body": text[:600]})
            else:
                reply.success()  # a 409 on an edit is an expected outcome, counted by the runner
            return reply

    # -- the three things people do -----------------------------------------------------------
    def list_page(self, what, path):
        self.call("list", what, "GET", path)

    def home(self, group_id):
        self.call("home", "/groupe/<id>/", "GET", f"/groupe/{group_id}/")

    def edit(self, table, row_id, column, value):
        key = f"{table}:{row_id}"
        if key not in self.versions and not self.refresh(table, row_id):
            return
        reply = self.call("edit", table, "POST", f"/admin/{TABLE_URLS[table]}/ajax/update/", {
            "list_form_pk": f"{row_id}:{self.versions[key]}", column: value, "csrf_token": self.csrf})
        if reply is not None and reply.status_code == 200:
            self.versions[key] += 1
        else:  # 409 (someone saved first) or no answer: read the current version again
            self.refresh(table, row_id)

    def refresh(self, table, row_id):
        key = f"{table}:{row_id}"
        self.versions.pop(key, None)
        reply = self.call("refresh", f"{table} version", "GET",
                          f"/admin/{TABLE_URLS[table]}/edit/?id={row_id}")
        ok = reply is not None and reply.status_code == 200
        match = VERSION_RE.search(reply.text or "") if ok else None
        if match:
            self.versions[key] = int(match.group(1))
        return match is not None

    def edit_meeting(self, meetings):
        self.edit("meeting", self.rng.choice(meetings), "follow_up_on",
                  f"2027-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}")

    def edit_action(self, actions):
        self.edit("action", self.rng.choice(actions), "people_expected", next(_values) % 100_000)

    def edit_campaign(self, campaigns):
        self.edit("campaign", self.rng.choice(campaigns), "note", f"Note de charge {next(_values)}")


class Coordination(Person):
    """The national team: the whole network's tables."""

    weight = 1
    role = "coord"

    def choose_account(self):
        self.targets = PLAN["coordination"]
        self.shared = list(PLAN["referents"])
        return self.targets

    def rows(self, table):
        """Mostly rows across the network; one time in five a referent's row (conflicts)."""
        if self.shared and self.rng.random() < 0.2:
            referent = self.rng.choice(self.shared)
            return [referent["campaign"]] if table == "campaigns" else referent[table]
        return self.targets[table]

    @task(4)
    def list_groups(self):
        self.list_page("/admin/groups/", "/admin/groups/")

    @task(1)
    def list_groups_deep(self):
        self.list_page("/admin/groups/?page=N", f"/admin/groups/?page={self.rng.randint(1, 99)}")

    @task(3)
    def list_meetings(self):
        self.list_page("/admin/meetings/", "/admin/meetings/")

    @task(3)
    def list_actions(self):
        self.list_page("/admin/actions/", "/admin/actions/")

    @task(3)
    def list_campaigns(self):
        self.list_page("/admin/campaigns/", "/admin/campaigns/")

    @task(1)
    def list_steps(self):
        self.list_page("/admin/campaign_steps/", "/admin/campaign_steps/")

    @task(1)
    def list_checklist(self):
        self.list_page("/admin/checklist/", "/admin/checklist/")

    @task(3)
    def group_home(self):
        self.home(self.rng.choice(self.targets["groups"]))

    @task(2)
    def meeting(self):
        self.edit_meeting(self.rows("meetings"))

    @task(2)
    def action(self):
        self.edit_action(self.rows("actions"))

    @task(1)
    def campaign(self):
        self.edit_campaign(self.rows("campaigns"))

    @task(1)
    def group(self):
        self.edit("group", self.rng.choice(self.targets["groups"]), "mobilisable_count",
                  next(_values) % 1000)


class Referent(Person):
    """A referent on a phone: their group's page, their rows."""

    weight = 2
    role = "ref"

    def choose_account(self):
        referents = PLAN["referents"]
        # Users 0 and 1 share the first account, 2 and 3 the second… (same rows: conflicts).
        return referents[(next(_referent_slots) // 2) % len(referents)]

    @task(6)
    def own_home(self):
        self.home(self.account["group_id"])

    @task(2)
    def list_meetings(self):
        self.list_page("/admin/meetings/", "/admin/meetings/")

    @task(2)
    def list_actions(self):
        self.list_page("/admin/actions/", "/admin/actions/")

    @task(1)
    def list_campaigns(self):
        self.list_page("/admin/campaigns/", "/admin/campaigns/")

    @task(2)
    def meeting(self):
        self.edit_meeting(self.account["meetings"])

    @task(2)
    def action(self):
        self.edit_action(self.account["actions"])

    @task(1)
    def campaign(self):
        self.edit_campaign([self.account["campaign"]])
