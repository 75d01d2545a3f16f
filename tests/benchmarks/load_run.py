"""`make loadtest`: locust against gunicorn (2 workers) on the 5,000-group network.

    python -m tests.benchmarks.load_run [--pg URL] [--users 8] [--rate 150] [--duration 60] ...

1. The dataset, built once and kept: SQLite `.bench/load-5000.sqlite3` (WAL), or with `--pg URL`
   / BENCH_PG_URL (a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres) the
   database `pv_load_5000` it creates there; both with the operator's commands (`flask db upgrade`,
   `flask seed reference`, `flask seed scale --groups 5000 --records 1000000 --today 2026-11-22`).
   The scale network has no accounts: one coordination account and referent accounts on a few
   running groups are added (load-*@example.org).
2. gunicorn as in production (SECRET_KEY set, no FLASK_DEBUG, sync workers) on 127.0.0.1,
   ready when /healthz answers 200; its access log gives each request's time inside the server.
3. locust, headless, one process (it shares the machine's cores with the server: its CPU use is
   measured and reported), tests/benchmarks/load_locustfile.py, in two phases:
   - "capacité": --users people with no pause between requests: the most the server serves;
   - "débit cible": --paced-users people offering --rate requests/s in all: latency at that load.
   Each phase runs --warmup seconds after the last user started, then --duration measured seconds.
4. Requests/s, p50/p95/p99 per endpoint, per group (list, home, edit) and in total, errors
   (5xx, no answer, any other unexpected status), 409 conflicts (expected, counted apart), CPU
   use; printed and written to .bench/load-report.md. gunicorn is stopped at the end.

Exit status 1 when a request failed (5xx, no answer, unexpected status), else 0; the targets
(>= 150 requests/s, p95 < 200 ms) are reported, not enforced.
"""
import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..load.server import child_pids, free_port, no_control_socket, server_env, stop_process

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".bench"
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
PASSWORD = "charge-5000-groupes-velo-tram"  # benchmark accounts only (load-*@example.org)
COORDINATION_EMAIL = "load-coordination@example.org"
RUNNING = ("etat_des_lieux", "priorisation", "rendez_vous", "mobilisation")
TARGET_RPS, TARGET_P95_MS = 150, 200
ACCESS_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(D)s'
ACCESS_RE = re.compile(r'^\[([^\]]+)\] "(\S+) (\S+)" (\d{3}) (\d+)$')
KINDS = ("list", "home", "edit", "refresh")


# -- commands ----------------------------------------------------------------------------------
def log(message):
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


def flask(env, *args, timeout=3600):
    """`flask --app app ...` as an operator runs it; stops the run with its output if it fails."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} a échoué :\n{done.stdout}\n{done.stderr}")
    log(f"flask {' '.join(args)} ({time.perf_counter() - started:.0f} s) {done.stdout.strip()[-200:]}")


def seed_commands(env, args):
    flask(env, "db", "upgrade")
    flask(env, "seed", "reference")
    flask(env, "seed", "scale", "--groups", str(args.groups), "--records", str(args.records),
          "--today", args.today)


# -- the dataset -------------------------------------------------------------------------------
def sqlite_dataset(args):
    """The SQLite file (built once, then kept); returns its URL."""
    path = BENCH / f"load-{args.groups}.sqlite3"
    instance = BENCH / "load-instance"
    if not path.exists():
        partial = path.with_suffix(".partial.sqlite3")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        log(f"construction de {path.relative_to(ROOT)} ({args.groups} groupes, ~{args.records} lignes)")
        seed_commands(server_env(f"sqlite:///{partial}", instance), args)
        partial.rename(path)
    url = f"sqlite:///{path}"
    flask(server_env(url, instance), "db", "upgrade")  # migrations added since the build
    return url


def _with_db(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def pg_dataset(args):
    """The PostgreSQL database pv_load_<groups> on the --pg server (built once, then kept)."""
    import psycopg
    from psycopg import sql

    name = f"pv_load_{args.groups}"
    building = f"{name}_build"
    instance = BENCH / "load-instance"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    if not exists:
        log(f"construction de la base PostgreSQL {name} ({args.groups} groupes, ~{args.records} lignes)")
        seed_commands(server_env(_with_db(args.pg, building), instance), args)
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(building), sql.Identifier(name)))
    url = _with_db(args.pg, name)
    flask(server_env(url, instance), "db", "upgrade")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # fresh planner statistics, as a production database has
    return url


def bind(url):
    """Point the models at `url` (this process only; closed before the server starts)."""
    from models import db
    from models.database import database_from_url

    if db.obj is not None and not db.is_closed():
        db.close()
    db.initialize(database_from_url(url))
    return db


def referent_groups(count):
    """Running scale groups with meetings and actions, spread over the network (by id)."""
    from models import Campaign, Group

    campaigns = list(Campaign.select(Campaign.id, Campaign.group).join(Group)
                     .where(Group.slug.startswith("scale-"), Campaign.state.in_(RUNNING))
                     .order_by(Group.id))
    if not campaigns:
        sys.exit("aucun groupe scale-* avec une campagne en cours : la base n'est pas le réseau généré")
    step = max(1, len(campaigns) // count)
    return campaigns[::step][:count]


def prepare_accounts(url, count):
    """One coordination account, one referent account on each of `count` groups (created once)."""
    from models import Group, User
    from workflows.accounts import create_user

    db = bind(url)
    with db.connection_context():
        wanted = [(COORDINATION_EMAIL, "coordination", None)]
        for campaign in referent_groups(count):
            slug = Group.get_by_id(campaign.group_id).slug
            wanted.append((f"load-referent-{slug}@example.org", "referent", slug))
        created = 0
        for email, role, slug in wanted:
            if not User.select().where(User.email == email).exists():
                create_user(email=email, password=PASSWORD, role=role, group_slug=slug,
                            full_name="Test de charge")
                created += 1
    db.close()
    log(f"comptes : {len(wanted)} ({created} créés)")


def build_plan(url, count, seed=2026):
    """Accounts, rows to work on and their current versions, for the locust users."""
    from models import Action, Campaign, Group, Meeting

    db = bind(url)
    rng = random.Random(seed)
    with db.connection_context():
        referents = []
        for campaign in referent_groups(count):
            group = Group.get_by_id(campaign.group_id)
            meetings = [m.id for m in Meeting.select(Meeting.id).where(Meeting.group == group)
                        .order_by(Meeting.id).limit(10)]
            actions = [a.id for a in Action.select(Action.id).where(Action.group == group)
                       .order_by(Action.id).limit(5)]
            if not meetings or not actions:
                sys.exit(f"le groupe {group.slug} n'a ni rendez-vous ni actions (seed scale --records 0 ?)")
            referents.append({"email": f"load-referent-{group.slug}@example.org", "group_id": group.id,
                              "meetings": meetings, "actions": actions, "campaign": campaign.id})
        scale = Group.slug.startswith("scale-")
        group_ids = [g.id for g in Group.select(Group.id).where(scale)]
        groups = sorted(rng.sample(group_ids, min(300, len(group_ids))))
        meeting_ids = [m.id for m in Meeting.select(Meeting.id).join(Group).where(scale)]
        action_ids = [a.id for a in Action.select(Action.id).join(Group).where(scale)]
        coordination = {
            "email": COORDINATION_EMAIL, "groups": groups,
            "meetings": sorted(rng.sample(meeting_ids, min(300, len(meeting_ids)))),
            "actions": sorted(rng.sample(action_ids, min(300, len(action_ids)))),
            "campaigns": [c.id for c in Campaign.select(Campaign.id).where(Campaign.group.in_(groups))],
        }
        versions = {}
        mine = {key: [i for r in referents for i in r[key]] for key in ("meetings", "actions")}
        for table, model, ids in (
                ("group", Group, coordination["groups"]),
                ("meeting", Meeting, coordination["meetings"] + mine["meetings"]),
                ("action", Action, coordination["actions"] + mine["actions"]),
                ("campaign", Campaign, coordination["campaigns"] + [r["campaign"] for r in referents])):
            for row in model.select(model.id, model.version).where(model.id.in_(ids)):
                versions[f"{table}:{row.id}"] = row.version
    db.close()
    return {"password": PASSWORD, "coordination": coordination, "referents": referents,
            "versions": versions}


def dataset_counts(url):
    from models import Action, Campaign, ChangeLog, ChecklistItem, Group, Meeting, User

    db = bind(url)
    with db.connection_context():
        counts = {name: model.select().count() for name, model in (
            ("groupes", Group), ("campagnes", Campaign), ("rendez-vous", Meeting), ("actions", Action),
            ("éléments de checklist", ChecklistItem), ("comptes", User), ("journal", ChangeLog))}
        if url.startswith("sqlite"):
            counts["journal_mode"] = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    db.close()
    return counts


# -- gunicorn ------------------------------------------------------------------------------------
class Server:
    """gunicorn -w N 'app:create_app()' on 127.0.0.1, with an access log of each request's time."""

    def __init__(self, url, workers, workdir):
        self.postgres = url.startswith("postgres")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        workdir.mkdir(parents=True, exist_ok=True)
        self.access_log = workdir / "gunicorn-access.log"
        self.error_log = workdir / "gunicorn-error.log"
        self.stderr_log = workdir / "gunicorn-stderr.log"
        for path in (self.access_log, self.error_log, self.stderr_log):
            path.unlink(missing_ok=True)
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                   "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", str(self.access_log),
                   "--access-logformat", ACCESS_FORMAT, "--error-logfile", str(self.error_log)]
        command += no_control_socket()
        with open(self.stderr_log, "wb") as stderr:
            self.process = subprocess.Popen([*command, "app:create_app()"], cwd=ROOT,
                                            env=server_env(url, BENCH / "load-instance"),
                                            stdout=stderr, stderr=stderr)
        self.wait_ready()

    def wait_ready(self, timeout=60):
        from urllib.error import URLError
        from urllib.request import urlopen

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn s'est arrêté :\n{self.errors()[-3000:]}")
            try:
                with urlopen(f"{self.base}/healthz", timeout=5) as reply:
                    if reply.status == 200 and len(child_pids(self.process.pid)) == self.workers:
                        return
            except (URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn : /healthz ne répond pas 200 après {timeout} s\n{self.errors()[-3000:]}")

    def errors(self):
        return "".join(path.read_text(errors="replace") for path in (self.error_log, self.stderr_log)
                       if path.exists())

    def access_offset(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def stop(self):
        stop_process(self.process)


# -- CPU use -------------------------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def postgres_seconds():
    """CPU seconds of every PostgreSQL process of this machine, the per-request backends included.

    Each request opens its own connection, so backends live a few milliseconds: their time is
    read from the postmaster's reaped-children counters (cutime, cstime). Every database of
    the server counts, not only the benchmark's.
    """
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if not head.endswith("(postgres"):
            continue
        fields = tail.split()
        total += int(fields[11]) + int(fields[12])
        try:
            parent = Path(f"/proc/{fields[1]}/comm").read_text().strip()
        except OSError:
            parent = ""
        if parent != "postgres":  # the postmaster
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def machine_busy():
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


class CpuSampler(threading.Thread):
    """Once a second: the CPU seconds used by gunicorn's workers, by locust, and by the machine."""

    def __init__(self, server, locust_pid, postgres):
        super().__init__(daemon=True)
        self.server, self.locust_pid, self.postgres = server, locust_pid, postgres
        self.samples = []  # (time, workers, locust, machine busy, machine total, postgres)
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            workers = child_pids(self.server.process.pid)
            busy, total = machine_busy()
            self.samples.append((time.time(), cpu_seconds(workers), cpu_seconds([self.locust_pid]),
                                 busy, total, postgres_seconds() if self.postgres else 0))
            self.done.wait(1)

    def window(self, start, end):
        """Cores used on average between start and end: workers, locust, whole machine."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return None
        first, last = inside[0], inside[-1]
        seconds = last[0] - first[0]
        cores = os.cpu_count() or 1
        return {"workers": (last[1] - first[1]) / seconds, "locust": (last[2] - first[2]) / seconds,
                "postgres": (last[5] - first[5]) / seconds,
                "machine": (last[3] - first[3]) / (last[4] - first[4]) * cores, "cores": cores}


# -- one phase: locust, then the figures ---------------------------------------------------------
def percentile(sorted_values, fraction):
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def summarise(times):
    values = sorted(times)
    return {"n": len(values), "p50": percentile(values, 0.50), "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99), "max": values[-1] if values else math.nan,
            "sum": sum(values)}


def run_locust(server, plan, label, users, rate, args):
    """Run one locust phase; returns what it measured."""
    work = BENCH / "load-run"
    work.mkdir(parents=True, exist_ok=True)
    plan_path, samples_path = work / "plan.json", work / f"samples-{label}.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    samples_path.unlink(missing_ok=True)
    spawn = math.ceil(users / args.spawn_rate)
    run_time = spawn + args.warmup + args.duration + 2
    env = dict(os.environ, LOAD_PLAN=str(plan_path), LOAD_SAMPLES=str(samples_path),
               LOAD_RATE_PER_USER=str(rate / users if rate else 0))
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
               "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{run_time}s", "--host", server.base,
               "--stop-timeout", "5", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    log(f"phase « {label} » : {users} utilisateurs, "
        f"{f'{rate} req/s offertes' if rate else 'sans pause'}, {run_time} s de locust")
    access_from = server.access_offset()
    with open(work / f"locust-{label}.log", "w") as out:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = CpuSampler(server, locust.pid, postgres=server.postgres)
        sampler.start()
        try:
            locust.wait(timeout=run_time + 120)
        finally:
            sampler.done.set()
            if locust.poll() is None:
                locust.kill()
    if not samples_path.exists():
        sys.exit(f"locust n'a rien écrit ; voir {work / f'locust-{label}.log'}")
    data = json.loads(samples_path.read_text(encoding="utf-8"))
    start = data.get("spawned_at", data["started_at"]) + args.warmup
    end = min(start + args.duration, data["stopped_at"])
    return analyse(data, start, end, server, access_from, sampler.window(start, end),
                   label=label, users=users, rate=rate)


def kind_of(name):
    return name.split(" ", 1)[0]


def analyse(data, start, end, server, access_from, cpu, **phase):
    seconds = end - start
    by_name, by_kind, total = defaultdict(list), defaultdict(list), []
    conflicts = defaultdict(int)
    errors = {"5xx": 0, "sans réponse": 0, "autre statut inattendu": 0}
    outside = 0
    for at, name, status, elapsed, error in data["samples"]:
        kind = kind_of(name)
        failed = bool(error)
        if not start <= at < end:
            outside += failed
            continue
        if status >= 500:
            errors["5xx"] += 1
        elif status == 0:
            errors["sans réponse"] += 1
        elif failed:
            errors["autre statut inattendu"] += 1
        if kind == "login":
            continue
        if kind == "edit" and status == 409:
            conflicts[name] += 1
        by_name[name].append(elapsed)
        by_kind[kind].append(elapsed)
        total.append(elapsed)
    return {**phase, "seconds": seconds, "total": summarise(total), "rps": len(total) / seconds,
            "kinds": {k: summarise(v) for k, v in by_kind.items()},
            "names": {k: summarise(v) for k, v in sorted(by_name.items())},
            "conflicts": dict(conflicts), "errors": errors, "errors_outside": outside,
            "excerpts": data.get("excerpts", []), "cpu": cpu,
            "server": server_times(server, access_from, start, end)}


def server_name(path):
    """The endpoint of an access-log path (no query string: ?page=N is folded into its list)."""
    if path == "/connexion":
        return "login"
    if re.fullmatch(r"/groupe/\d+/", path):
        return "home /groupe/<id>/"
    match = re.fullmatch(r"/admin/(\w+)/(ajax/update/|edit/)?", path)
    if match:
        table, action = match.groups()
        names = {"ajax/update/": f"edit {table}", "edit/": f"refresh {table}"}
        return names.get(action, f"list /admin/{table}/")
    return path


def server_times(server, offset, start, end):
    """Each endpoint's time inside gunicorn (no queueing), from the access log, within [start, end)."""
    times = defaultdict(list)
    with open(server.access_log, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        for line in f:
            match = ACCESS_RE.match(line.strip())
            if not match:
                continue
            stamp, _method, path, _status, micros = match.groups()
            try:
                at = dt.datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp()
            except ValueError:
                at = start
            if start - 1 <= at < end:
                times[server_name(path)].append(int(micros) / 1000)
    return {name: summarise(values) for name, values in sorted(times.items())}


# -- the report ------------------------------------------------------------------------------------
def ms(value):
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def phase_lines(result):
    t, e = result["total"], result["errors"]
    cpu = result["cpu"]
    lines = [f"### Phase « {result['label']} » — {result['users']} utilisateurs, "
             + (f"{result['rate']} req/s offertes" if result["rate"] else "sans pause entre les requêtes"),
             "", f"Fenêtre mesurée : {result['seconds']:.1f} s (après l'échauffement).", "",
             "| requêtes | req/s | p50 ms | p95 ms | p99 ms | max ms | erreurs 5xx | sans réponse "
             "| autres erreurs | conflits 409 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
             f"| {t['n']} | {result['rps']:.1f} | {ms(t['p50'])} | {ms(t['p95'])} | {ms(t['p99'])} "
             f"| {ms(t['max'])} | {e['5xx']} | {e['sans réponse']} | {e['autre statut inattendu']} "
             f"| {sum(result['conflicts'].values())} |", ""]
    if cpu:
        others = max(0.0, cpu["machine"] - cpu["workers"] - cpu["locust"] - cpu["postgres"])
        postgres = f"PostgreSQL (tout le serveur) {cpu['postgres']:.2f}, " if cpu["postgres"] else ""
        lines += [f"CPU (moyenne sur la fenêtre, en cœurs sur {cpu['cores']}) : workers gunicorn "
                  f"{cpu['workers']:.2f}, locust {cpu['locust']:.2f}, {postgres}autres processus "
                  f"{others:.2f}, total {cpu['machine']:.2f}.", ""]
    if result["errors_outside"]:
        lines += [f"Hors fenêtre (montée en charge, arrêt) : {result['errors_outside']} échec(s).", ""]
    lines += ["| groupe | requêtes | req/s | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        if kind in result["kinds"]:
            s = result["kinds"][kind]
            lines.append(f"| {kind} | {s['n']} | {s['n'] / result['seconds']:.1f} | {ms(s['p50'])} "
                         f"| {ms(s['p95'])} | {ms(s['max'])} |")
    lines += ["", "Par requête (temps vu par le client, file d'attente comprise) :", "",
              "| requête | n | req/s | p50 ms | p95 ms | max ms | 409 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in sorted(result["names"].items(), key=lambda item: -item[1]["p95"]):
        lines.append(f"| `{name}` | {s['n']} | {s['n'] / result['seconds']:.1f} | {ms(s['p50'])} "
                     f"| {ms(s['p95'])} | {ms(s['max'])} | {result['conflicts'].get(name, 0)} |")
    busy = sum(s["sum"] for s in result["server"].values()) or 1
    lines += ["", "Temps dans gunicorn (journal d'accès, sans l'attente devant les workers ; part = part "
              "du temps des workers passé sur ce point d'entrée) :", "",
              "| point d'entrée | n | moyenne ms | p50 ms | p95 ms | max ms | part |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in sorted(result["server"].items(), key=lambda item: -item[1]["sum"]):
        lines.append(f"| `{name}` | {s['n']} | {ms(s['sum'] / s['n'])} | {ms(s['p50'])} | {ms(s['p95'])} "
                     f"| {ms(s['max'])} | {100 * s['sum'] / busy:.0f} % |")
    if result["excerpts"]:
        lines += ["", "Premières réponses inattendues :", ""]
        for item in result["excerpts"][:5]:
            body = " ".join(item["body"].split())[:300]
            lines.append(f"- `{item['name']}` {item['path']} → {item['status']} : {body}")
    return [*lines, ""]


def verdict(result):
    t = result["total"]
    errors = sum(result["errors"].values())
    if result["rate"]:  # a paced phase serves at most what is offered: kept up (within 1%) or not
        kept = "tenu" if result["rps"] >= 0.99 * result["rate"] else "non tenu"
        below = f", moins que les {TARGET_RPS} visées" if result["rate"] < TARGET_RPS else ""
        served = f"{result['rps']:.1f} req/s servies sur {result['rate']:g} offertes ({kept}{below})"
    else:
        served = f"{result['rps']:.0f} req/s {'≥' if result['rps'] >= TARGET_RPS else '<'} {TARGET_RPS}"
    return (f"{served}, "
            f"p95 {ms(t['p95'])} ms {'<' if t['p95'] < TARGET_P95_MS else '≥'} {TARGET_P95_MS}, "
            f"{errors} erreur(s)")


def code_version():
    """The commit served, and whether the application's files differ from it (work in progress)."""
    def git(*args):
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "inconnu"
    changed = git("status", "--porcelain", "--", "app.py", "admin", "forms", "models", "workflows",
                  "templates", "static")
    count = len(changed.splitlines())
    return f"commit {head}" + (f" + {count} fichier(s) de l'application modifié(s)" if count else "")


def write_report(args, sections):
    import gunicorn
    import locust

    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    lines = ["# Test de charge — Petites Victoires", "",
             f"{time.strftime('%Y-%m-%d %H:%M:%S')} · `python -m tests.benchmarks.load_run "
             f"{' '.join(sys.argv[1:])}`".rstrip(), "",
             f"- Machine : {os.cpu_count()} cœurs ({cpu_model}), Python {platform.python_version()}.",
             f"- Serveur : gunicorn {gunicorn.__version__}, {args.workers} workers sync, 127.0.0.1, "
             "SECRET_KEY défini, sans FLASK_DEBUG.",
             f"- Client : locust {locust.__version__}, un seul processus (FastHttpUser), sur la même "
             "machine : il prend sa part des mêmes cœurs (voir « CPU »).",
             "- Mélange : coordination (1/3 des utilisateurs) : listes du réseau, page d'un groupe, "
             "modifications en ligne ; référent·es (2/3, deux par groupe) : page « Mon groupe », listes "
             "de leur groupe, modifications en ligne de leurs lignes. Un 409 (version périmée) est une "
             "issue attendue, comptée à part, suivie d'une relecture de la version (`refresh`).",
             f"- Objectif : ≥ {TARGET_RPS} req/s, p95 < {TARGET_P95_MS} ms, zéro erreur.", ""]
    for backend, counts, version, results in sections:
        seeded = f"seed scale --groups {args.groups} --records {args.records} --today {args.today}"
        lines += [f"## {backend}", "", f"Code servi : {version}.", "",
                  "Données : " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" ({seeded}).", ""]
        for result in results:
            lines.append(f"- **{result['label']}** : {verdict(result)}")
        lines.append("")
        for result in results:
            lines += phase_lines(result)
    report = Path(args.report)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines), encoding="utf-8")
    return report


def print_summary(backend, result):
    t = result["total"]
    log(f"[{backend}] {result['label']} : {result['total']['n']} requêtes en {result['seconds']:.0f} s, "
        f"{result['rps']:.1f} req/s, p50 {ms(t['p50'])} ms, p95 {ms(t['p95'])} ms, p99 {ms(t['p99'])} ms, "
        f"erreurs {result['errors']}, 409 {sum(result['conflicts'].values())}")
    for kind in KINDS:
        if kind in result["kinds"]:
            s = result["kinds"][kind]
            log(f"    {kind:8} n={s['n']:6} p50 {ms(s['p50']):>5} ms  p95 {ms(s['p95']):>5} ms")
    if result["cpu"]:
        c = result["cpu"]
        others = max(0.0, c["machine"] - c["workers"] - c["locust"] - c["postgres"])
        log(f"    CPU (cœurs) : workers {c['workers']:.2f}, locust {c['locust']:.2f}, postgres "
            f"{c['postgres']:.2f}, autres {others:.2f}, machine {c['machine']:.2f}")


# -- main ------------------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", ""),
                        help="PostgreSQL server URL (default: $BENCH_PG_URL); a database pv_load_<groups> "
                             "is created there")
    parser.add_argument("--backends", default=None,
                        help="sqlite, postgresql or both, comma-separated (default: sqlite, plus "
                             "postgresql when --pg is given)")
    parser.add_argument("--groups", type=int, default=5000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=8, help="users of the capacity phase (no pause)")
    parser.add_argument("--paced-users", type=int, default=30, help="users of the target-rate phase")
    parser.add_argument("--rate", type=float, default=TARGET_RPS,
                        help="requests/s offered in the target-rate phase (0: skip the phase)")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds per phase")
    parser.add_argument("--warmup", type=int, default=10, help="seconds after the last user started")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--referent-groups", type=int, default=8, help="groups with a referent account")
    parser.add_argument("--report", default=str(BENCH / "load-report.md"))
    parser.add_argument("--build-only", action="store_true", help="build datasets and accounts, then stop")
    args = parser.parse_args(argv)
    if args.backends is None:
        args.backends = "sqlite,postgresql" if args.pg else "sqlite"
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in args.backends and not args.pg:
        parser.error("postgresql demande --pg URL (ou BENCH_PG_URL)")
    return args


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    BENCH.mkdir(exist_ok=True)
    sections, failed = [], False
    for backend in args.backends:
        url = pg_dataset(args) if backend == "postgresql" else sqlite_dataset(args)
        prepare_accounts(url, args.referent_groups)
        counts = dataset_counts(url)
        if args.build_only:
            log(f"[{backend}] prêt : {counts}")
            continue
        name = "SQLite (WAL)" if backend == "sqlite" else "PostgreSQL"
        version = code_version()  # the workers import the code once, at start
        server = Server(url, args.workers, BENCH / "load-run")
        log(f"[{backend}] gunicorn {args.workers} workers sur {server.base} ({counts})")
        results = []
        try:
            phases = [("capacité", args.users, 0)]
            if args.rate:
                phases.append(("débit cible", args.paced_users, args.rate))
            for label, users, rate in phases:
                result = run_locust(server, build_plan(url, args.referent_groups), label, users, rate, args)
                print_summary(backend, result)
                results.append(result)
                failed |= bool(sum(result["errors"].values()))
        finally:
            server.stop()
        log_text = server.errors()
        for marker in ("Traceback", "WORKER TIMEOUT", "database is locked"):
            if marker in log_text:
                failed = True
                log(f"[{backend}] « {marker} » dans le journal de gunicorn ({server.error_log})")
        sections.append((name, counts, version, results))
        report = write_report(args, sections)  # after each backend: a partial report survives a crash
        log(f"rapport : {report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
