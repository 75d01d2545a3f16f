"""Concurrent load on a real gunicorn server (4 worker processes), on SQLite (WAL) and PostgreSQL.

Eight people at once (two referents per group on three groups, two from the coordination
team) read pages, edit the same cells, post forms (some twice) and pause/resume the same
campaigns for a bounded time. Nothing the server acknowledged may be missing afterwards, no
answer may be a 5xx or mention "database is locked", and conflicting saves are refused (409),
never lost. Then the same traffic runs while workers are killed with SIGKILL: requests in
flight on a killed worker get no answer (counted apart, never acknowledged), the master starts
new workers, the others keep serving, and still nothing acknowledged is lost.

Figures (clients, duration, requests served, errors) are printed and kept in
tests/artifacts/load-<backend>.txt.
"""
import shutil
import threading
import time
from pathlib import Path

import pytest

from models import Campaign, Group, LoginAttempt, User, db
from models.database import database_from_url

from .. import dbutil
from .server import REQUIRE_GUNICORN, Gunicorn, HttpClient, gunicorn_unavailable_reason, seed, server_env
from .traffic import MODELS, Ledger, LoadClient, Target, audit

GROUPS = 3  # groups under load; two referents on each, plus two coordination clients
COORDINATION = 2
LOAD_SECONDS = 10
FAULT_SECONDS = 8
KILLS_AT = (0.3, 0.6)  # fractions of the fault run at which one worker is killed
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(backend, tmp_path_factory):
    """A seeded database (demo network) served by gunicorn with 4 workers."""
    reason = gunicorn_unavailable_reason()
    if reason:
        if REQUIRE_GUNICORN:
            pytest.fail(f"REQUIRE_GUNICORN=1 mais {reason}")
        pytest.skip(reason)
    root = tmp_path_factory.mktemp(f"load_{backend}")
    url = dbutil.create_pg_database() if backend == "postgresql" else f"sqlite:///{root / 'load.sqlite3'}"
    env = server_env(url, root / "instance")
    gunicorn = None
    try:
        seed(env)
        gunicorn = Gunicorn(env, root)
        gunicorn.database_url, gunicorn.backend = url, backend
        yield gunicorn
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        _close()
        if backend == "postgresql":
            dbutil.drop_pg_database(url)
        shutil.rmtree(root, ignore_errors=True)


def _close():
    if db.obj is not None and not db.is_closed():
        db.close()


def _bind(server):
    _close()
    db.initialize(database_from_url(server.database_url))


@pytest.fixture(scope="module")
def people(server):
    """The groups under load and one logged-in HTTP client per person (logged in once)."""
    _bind(server)
    with db.connection_context():
        targets, emails = [], []
        campaigns = (Campaign.select(Campaign, Group).join(Group)
                     .where(Campaign.state.in_(("etat_des_lieux", "priorisation", "rendez_vous",
                                                "mobilisation")))
                     .order_by(Group.id))
        for campaign in campaigns:
            group = campaign.group
            second = f"referent-{group.slug}-2@example.org"
            meetings = tuple(m.id for m in group.meetings)
            actions = tuple(a.id for a in group.actions)
            if meetings and actions and User.select().where(User.email == second).exists():
                targets.append(Target(group.id, group.slug, meetings, actions, campaign.id))
                emails += [(f"referent-{group.slug}@example.org", [targets[-1]]), (second, [targets[-1]])]
            if len(targets) == GROUPS:
                break
    assert len(targets) == GROUPS, "le réseau de démonstration n'a plus assez de groupes actifs"
    emails += [("coordination@example.org", targets)] * COORDINATION
    return [(HttpClient(server.url).login(email), email, scope) for email, scope in emails]


def _current(targets):
    """Versions of every row under load, and the campaigns' states (needs a connection)."""
    versions, states = {}, {}
    for t in targets:
        for table, ids in (("meeting", t.meetings), ("action", t.actions), ("campaign", (t.campaign_id,))):
            for row in MODELS[table].select().where(MODELS[table].id.in_(ids)):
                versions[(table, row.id)] = row.version
        states[t.campaign_id] = Campaign.get_by_id(t.campaign_id).state
    return versions, states


def _run(server, people, seconds, during=None):
    """Drive every person for `seconds`; `during(start)` runs meanwhile in this thread."""
    all_targets = people[-1][2]
    _bind(server)
    with db.connection_context():
        baseline, states = _current(all_targets)
    ledger = Ledger()
    clients = [LoadClient(http, email, scope, baseline, states, ledger, seed=f"{server.backend}-{i}"
                          f"-{time.monotonic_ns()}")
               for i, (http, email, scope) in enumerate(people)]
    start = time.monotonic()
    threads = [threading.Thread(target=c.run, args=(start + seconds,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    extra = during(start) if during else None
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - start
    assert not any(t.is_alive() for t in threads), "un client est resté bloqué"
    with db.connection_context():
        problems = audit(ledger, baseline)
    return ledger, elapsed, problems, extra


def _report(server, name, people, ledger, seconds, extra=""):
    line = f"[{server.backend}] {name} : {ledger.summary(len(people), seconds)}{extra}"
    print("\n" + line)
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / f"load-{server.backend}.txt", "a") as out:
        out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")


def _no_errors(server, ledger, log_before):
    log = server.stderr()[log_before:]
    first_traceback = log[log.find("Traceback"):][:4000] if "Traceback" in log else ""
    assert not ledger.server_errors, f"réponses 5xx : {ledger.server_errors[:2]}\n{first_traceback}"
    assert not ledger.locked, f"« database is locked » dans des réponses : {ledger.locked[:3]}"
    assert "database is locked" not in log, log[-5000:]
    assert "Traceback" not in log, log[-5000:]
    assert not ledger.unexpected, f"réponses inattendues : {ledger.unexpected[:5]}"


def test_concurrent_load_loses_nothing(server, people):
    log_before = len(server.stderr())
    ledger, elapsed, problems, _ = _run(server, people, LOAD_SECONDS)
    _report(server, "charge", people, ledger, elapsed)
    _no_errors(server, ledger, log_before)
    assert not ledger.unacknowledged, f"requêtes sans réponse : {ledger.unacknowledged[:5]}"
    assert not problems, "\n".join(problems[:20])
    # the traffic did what it claims: enough requests, writes, double posts and conflicts
    assert ledger.served > 200
    assert len(ledger.creates) >= 10 and len(ledger.writes) >= 30
    assert ledger.statuses[("move", 200)] >= 5
    assert ledger.conflicts > 0  # two people on the same rows: some saves were refused


def test_killed_worker_loses_nothing_acknowledged(server, people):
    log_before = len(server.stderr())
    killed = []

    def kill_workers(start):
        for fraction in KILLS_AT:
            time.sleep(max(0.0, start + fraction * FAULT_SECONDS - time.monotonic()))
            victim = sorted(server.worker_pids())[0]
            server.kill_worker(victim)
            killed.append((victim, time.monotonic()))

    ledger, elapsed, problems, _ = _run(server, people, FAULT_SECONDS, during=kill_workers)
    respawned = server.wait_workers(excluding=[pid for pid, _ in killed])
    last_kill = killed[-1][1]
    after = sum(1 for t in ledger.answered_at if t > last_kill + 1.0)
    _report(server, "arrêt brutal de 2 workers", people, ledger, elapsed,
            f", {after} réponses après le dernier arrêt")
    log = server.stderr()[log_before:]
    assert all(f"pid:{pid}" in log for pid, _ in killed), log[-3000:]  # the master saw each death
    assert len(respawned) == server.workers
    _no_errors(server, ledger, log_before)
    assert not problems, "\n".join(problems[:20])
    assert after > 20, "le serveur n'a plus répondu après l'arrêt d'un worker"
    for http, email, _ in people:  # sessions survive: every person still reaches their pages
        assert http.get("/admin/board/").status == 200, email


def test_login_throttling_holds_across_workers(server):
    """Twelve guesses at once, each on its own connection (the 4 workers share them): the
    database-backed count lets 3 failures through, refuses the rest with a French 429, and the
    owner still gets in once the short wait is over. Runs last: the others log in first."""
    email, attempts = "observateur@example.org", 12
    replies, barrier = [], threading.Barrier(attempts)

    def guess():
        client = HttpClient(server.url)
        token = client.csrf_token("/connexion")
        barrier.wait()
        replies.append(client.post("/connexion", {"email": email, "password": "mauvais-mot-de-passe",
                                                  "csrf_token": token}))

    threads = [threading.Thread(target=guess) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(r.status for r in replies)
    assert statuses == [400] * 3 + [429] * (attempts - 3), statuses  # 400: wrong password, shown
    refused = [r for r in replies if r.status == 429]
    assert all("Trop de tentatives de connexion" in r.body and int(r.header("Retry-After")) > 0
               for r in refused)
    _bind(server)
    with db.connection_context():
        failures = LoginAttempt.select().where(LoginAttempt.email == email, ~LoginAttempt.succeeded).count()
    assert failures == 3  # refused guesses are not even recorded
    wait = max(int(r.header("Retry-After")) for r in refused)
    time.sleep(wait + 0.5)
    HttpClient(server.url).login(email)  # the owner is not locked out
