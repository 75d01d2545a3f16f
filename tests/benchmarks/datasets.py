"""The benchmark datasets, built once as an operator would: `flask db upgrade`, then `flask seed ...`.

    python -m tests.benchmarks.datasets build   # build what is missing, migrate the rest (`make bench`)
    python -m tests.benchmarks.datasets clean   # delete them all (`make bench-clean`)

"50" is the demo network, "5000" a generated network of 5,000 groups, "5000+1M" the same with
about 1,000,000 meetings, actions and checklist items. Each exists as a SQLite file in .bench/ and,
when BENCH_PG_URL answers, as a PostgreSQL database (pv_bench_50, pv_bench_5000, pv_bench_5000_1m).
A dataset is built under a temporary name and renamed once complete, so an interrupted build is
started again, never benchmarked.
"""
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / ".bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = "2026-11-22"  # the date the data is generated around (the export's week is 2026-W47)
SCALE = ["seed", "scale", "--groups", "5000", "--today", TODAY]
SEEDS = {
    "50": [["seed", "demo", "--today", TODAY]],
    "5000": [["seed", "reference"], SCALE],
    "5000+1M": [["seed", "reference"], [*SCALE, "--records", "1000000"]],
}
DATASETS = tuple(SEEDS)
BACKENDS = ("sqlite", "postgresql")


def db_name(dataset):
    """pv_bench_50, pv_bench_5000, pv_bench_5000_1m."""
    return "pv_bench_" + dataset.lower().replace("+", "_")


def sqlite_path(dataset, suffix=""):
    return BENCH_DIR / f"{db_name(dataset)}{suffix}.sqlite3"


def pg_url(name):
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


def _pg_admin():
    return psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)


def pg_unreachable_reason():
    """None when the PostgreSQL server at BENCH_PG_URL answers, else why not."""
    try:
        with _pg_admin():
            return None
    except psycopg.Error as exc:
        return f"{PG_URL}: {(str(exc).strip().splitlines() or [type(exc).__name__])[0]}"


def _pg_databases():
    with _pg_admin() as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


def available():
    """[(dataset, backend, database URL)] of the datasets already built, in a stable order."""
    found = [(d, "sqlite", f"sqlite:///{sqlite_path(d)}") for d in DATASETS if sqlite_path(d).exists()]
    if pg_unreachable_reason() is None:
        names = _pg_databases()
        found += [(d, "postgresql", pg_url(db_name(d))) for d in DATASETS if db_name(d) in names]
    return found


def flask(url, *args):
    """`flask --app app ...` on the database at `url`, with a production-like environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), INSTANCE_PATH=str(BENCH_DIR / "instance"))
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=True)


def _seed(dataset, url):
    flask(url, "db", "upgrade")
    for command in SEEDS[dataset]:
        flask(url, *command)


def _remove_sqlite(path):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_sqlite(dataset):
    building = sqlite_path(dataset, ".building")
    _remove_sqlite(building)
    _seed(dataset, f"sqlite:///{building}")
    with closing(sqlite3.connect(building)) as conn:  # fold the WAL into the file before it is renamed
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    building.rename(sqlite_path(dataset))
    _remove_sqlite(building)


def _drop_pg(conn, name):
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def build_pg(dataset):
    final, building = db_name(dataset), db_name(dataset) + "_building"
    with _pg_admin() as conn:
        _drop_pg(conn, building)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    _seed(dataset, pg_url(building))
    # What autovacuum does on a live server after a bulk load: planner statistics, visibility map.
    with psycopg.connect(pg_url(building), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    with _pg_admin() as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(building), sql.Identifier(final)))


def build():
    """Build every dataset that is missing (PostgreSQL ones only when the server answers)."""
    BENCH_DIR.mkdir(exist_ok=True)
    reason = pg_unreachable_reason()
    if reason:
        print(f"PostgreSQL unreachable, SQLite only ({reason})")
    existing = {(d, b): url for d, b, url in available()}
    for (dataset, backend), url in existing.items():
        print(f"Dataset {dataset} on {backend}: schema brought up to date", flush=True)
        flask(url, "db", "upgrade")  # as after a deployment: migrations added since it was built
    for backend in BACKENDS:
        if backend == "postgresql" and reason:
            continue
        for dataset in DATASETS:
            if (dataset, backend) in existing:
                continue
            print(f"Building dataset {dataset} on {backend}...", flush=True)
            start = time.perf_counter()
            (build_sqlite if backend == "sqlite" else build_pg)(dataset)
            print(f"Dataset {dataset} on {backend} built in {time.perf_counter() - start:.0f} s", flush=True)


def clean():
    """Delete every dataset (and half-built ones)."""
    for dataset in DATASETS:
        _remove_sqlite(sqlite_path(dataset))
        _remove_sqlite(sqlite_path(dataset, ".building"))
    if pg_unreachable_reason() is None:
        with _pg_admin() as conn:
            for dataset in DATASETS:
                _drop_pg(conn, db_name(dataset))
                _drop_pg(conn, db_name(dataset) + "_building")
    print("Benchmark datasets deleted.")


if __name__ == "__main__":
    commands = {"build": build, "clean": clean}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python -m tests.benchmarks.datasets build|clean")
    commands[sys.argv[1]]()
