"""Backups of the configured database and restoring them, checked before anything is replaced.

SQLite: the online backup API copies the database in one step inside a read transaction, so a
backup taken while the app writes is a consistent snapshot (WAL lets the writers go on). The
backup file is checked (integrity, foreign keys, tables) before it is copied back into the live
database, again through the backup API, which takes the live database's write lock.

PostgreSQL: `pg_dump` in custom format (one consistent snapshot). A restore unpacks the whole
archive first (a damaged one fails there), then replays it in one psql transaction that drops and
recreates the `public` schema, loads the rows and checks every table's row count against the
archive before COMMIT: a failure anywhere rolls everything back.

Every refusal is a BackupError with a one-line French message; nothing has been changed then.
"""
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
HISTORY_TABLE = "schema_migration"
# Tables without which a file is not a backup of this application.
CORE_TABLES = (HISTORY_TABLE, "group", "user", "change_log")
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
FILE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL (pg_dump)"}
DATABASE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TOOL_TIMEOUT = 3600
# A restore waits this long for the running app to release its locks, then gives up (nothing changed).
LOCK_TIMEOUT = "15s"


class BackupError(RuntimeError):
    """A backup or a restore cannot be done as asked; nothing was changed."""


@dataclass
class Restored:
    """What a restore put in place."""

    counts: dict
    migrations: list
    safety_copy: Path | None = None
    pending: list = field(default_factory=list)  # migrations to apply after the restore


def default_backup_path(folder, kind, now=None):
    """instance/backups/petites-victoires-YYYYmmdd-HHMMSS.<suffix> (-2, -3... within one second)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = Path(folder) / f"petites-victoires-{stamp}{SUFFIXES[kind]}"
    n = 1
    while path.exists():
        n += 1
        path = Path(folder) / f"petites-victoires-{stamp}-{n}{SUFFIXES[kind]}"
    return path


def backend_of(database):
    """'sqlite' or 'postgresql' for a peewee database (or its proxy)."""
    from peewee import SqliteDatabase

    target = getattr(database, "obj", database)
    return "sqlite" if isinstance(target, SqliteDatabase) else "postgresql"


def file_kind(path):
    """'sqlite', 'postgresql' or None, from the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def _check_backup_file(path, kind):
    """The file exists, and holds a backup of the configured kind."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Fichier de sauvegarde introuvable : {path}")
    found = file_kind(path)
    if found is None:
        raise BackupError(f"{path} n'est pas une sauvegarde de Petites Victoires (ni SQLite, ni pg_dump "
                          "au format custom) : rien n'a été modifié.")
    if found != kind:
        raise BackupError(f"{path} est une sauvegarde {FILE_LABELS[found]} alors que la base configurée est "
                          f"{DATABASE_LABELS[kind]} : rien n'a été modifié.")
    return path


def _check_out_path(out):
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} existe déjà : choisissez un autre fichier (--out).")
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return out


def _publish(tmp, out):
    """Make the finished backup visible under its name, readable by its owner only (personal data)."""
    os.chmod(tmp, 0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, out)


def _check_migrations(names, known):
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise BackupError("Sauvegarde faite par une version plus récente de l'application (migrations "
                          f"inconnues : {', '.join(unknown)}) : mettez l'application à jour d'abord.")


def _missing_tables(tables):
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        raise BackupError("Ce fichier n'est pas une sauvegarde de Petites Victoires (tables absentes : "
                          f"{', '.join(missing)}) : rien n'a été modifié.")


# -- SQLite --------------------------------------------------------------------------------------
def _sqlite_tables(conn):
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _sqlite_counts(conn, tables=None):
    tables = tables if tables is not None else _sqlite_tables(conn)
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def check_sqlite_file(path, shown_as=None):
    """Integrity, foreign keys and tables of a SQLite file; returns ({table: rows}, migrations).

    Raises BackupError when the file is damaged or is not one of our databases (messages name
    the file as `shown_as`, the user's file when `path` is a private copy of it).
    """
    shown_as = shown_as or path
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"Sauvegarde endommagée ({shown_as}) : {result[0][0]} — "
                                  "rien n'a été modifié.")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise BackupError(f"Sauvegarde incohérente ({shown_as}) : {len(broken)} référence(s) "
                                  f"cassée(s), par exemple dans la table {broken[0][0]} — "
                                  "rien n'a été modifié.")
            tables = _sqlite_tables(conn)
            _missing_tables(tables)
            counts = _sqlite_counts(conn, tables)
            migrations = [r[0] for r in conn.execute(f'SELECT name FROM "{HISTORY_TABLE}" ORDER BY name')]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Sauvegarde illisible ou endommagée ({shown_as}) : {exc} — "
                          "rien n'a été modifié.") from None
    return counts, migrations


def backup_sqlite(live_path, out):
    """Copy the live SQLite database to `out` (a consistent snapshot, even while the app writes)."""
    live_path = Path(live_path)
    if not live_path.is_file():
        raise BackupError(f"Base SQLite introuvable : {live_path}")
    out = _check_out_path(out)
    tmp = out.with_name(out.name + ".partiel")
    try:
        source = sqlite3.connect(live_path, timeout=30)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # pages=-1: everything in one step, from one read transaction
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            target.close()
            source.close()
        counts, _ = check_sqlite_file(tmp)
        _publish(tmp, out)
    except sqlite3.Error as exc:
        raise BackupError(f"Sauvegarde impossible : {exc}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return counts


def restore_sqlite(path, live_path, known_migrations, force=False, safety_folder=None):
    """Replace the live database by the backup at `path`, after checking the backup."""
    path = _check_backup_file(path, "sqlite")
    live_path = Path(live_path)
    # Next to the live database when its folder exists (same disk), else the system's temp folder.
    with tempfile.TemporaryDirectory(dir=live_path.parent if live_path.parent.is_dir() else None) as work:
        # Checked on a private copy: the backup file itself is never opened for writing.
        copy = Path(work) / "restauration.sqlite3"
        shutil.copyfile(path, copy)
        counts, migrations = check_sqlite_file(copy, shown_as=path)
        _check_migrations(migrations, known_migrations)
        safety = None
        if live_path.exists():
            current = _live_sqlite_rows(live_path)
            if current and not force:
                raise _not_empty(current)
            if current:
                safety = default_backup_path(safety_folder or live_path.parent, "sqlite")
                backup_sqlite(live_path, safety)
        live_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            source = sqlite3.connect(copy)
            target = sqlite3.connect(live_path, timeout=30)
            try:
                source.backup(target)  # under the live database's write lock, all or nothing
                target.execute("PRAGMA journal_mode = WAL")
                result = target.execute("PRAGMA integrity_check").fetchall()
                after = _sqlite_counts(target)
            finally:
                target.close()
                source.close()
        except sqlite3.Error as exc:
            raise BackupError(f"Restauration impossible : {exc}") from None
    if result != [("ok",)] or after != counts:
        raise BackupError("La base restaurée ne correspond pas à la sauvegarde : vérifiez-la "
                          "(« flask db backup » puis restauration d'une sauvegarde antérieure).")
    return Restored(counts=counts, migrations=migrations, safety_copy=safety,
                    pending=[m for m in known_migrations if m not in migrations])


def _live_sqlite_rows(live_path):
    """{table: rows} for the app's tables that hold rows (schema history aside)."""
    if Path(live_path).stat().st_size == 0:
        return {}
    try:
        conn = sqlite3.connect(live_path, timeout=30)
        try:
            counts = _sqlite_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return {f"base illisible ({exc})": 1}  # replacing it needs --force too
    return {t: n for t, n in counts.items() if n and t != HISTORY_TABLE}


def _not_empty(current):
    summary = f"{sum(current.values())} lignes, dont {current.get('group', 0)} groupes et " \
              f"{current.get('user', 0)} comptes"
    return BackupError(f"La base configurée contient déjà des données ({summary}) : ajoutez --force pour "
                       "la remplacer (une sauvegarde de sécurité en est faite d'abord).")


# -- PostgreSQL ----------------------------------------------------------------------------------
def pg_environment(database):
    """libpq variables for the configured PostgreSQL database (the password never on a command line)."""
    target = getattr(database, "obj", database)
    params = dict(target.connect_params)
    env = dict(os.environ)
    env.update({"PGDATABASE": target.database, "PGCONNECT_TIMEOUT": "10"})
    env.setdefault("PGOPTIONS", "-c client_min_messages=warning")
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if params.get(key) is not None:
            env[var] = str(params[key])
    return env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} introuvable : installez le client PostgreSQL (paquet postgresql-client).")
    return path


def tool_major(name):
    """Major version of a PostgreSQL client tool (pg_dump 15.20 -> 15)."""
    result = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\)\s*(\d+)", result.stdout)  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    return int(match.group(1)) if match else None


def server_major(database):
    return int(database.execute_sql("SHOW server_version_num").fetchone()[0]) // 10000


def _run(args, env, what):
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT,
                                stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} : délai dépassé ({TOOL_TIMEOUT} s).") from None
    if result.returncode != 0:
        raise BackupError(f"{what} : {_first_error(result.stderr)}")
    return result.stdout


def _first_error(stderr):
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "erreur" in line.lower() or "fatal" in line.lower():
            return line
    return lines[0] if lines else "échec sans message"


TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE public (\S+) ")
TOC_FROM = re.compile(r"^;\s+Dumped from database version: (\d+)")


def read_archive_toc(path):
    """(tables, major version of the server it was dumped from) of a pg_dump custom archive."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], os.environ.copy(),
                   f"Sauvegarde illisible ou endommagée ({path}), rien n'a été modifié")
    tables = [m.group(1).strip('"') for m in map(TOC_TABLE.match, listing.splitlines()) if m]
    dumped_from = next((int(m.group(1)) for m in map(TOC_FROM.match, listing.splitlines()) if m), None)
    return tables, dumped_from


def backup_postgresql(database, out):
    """pg_dump (custom format) of the configured database to `out`; returns the archive's tables."""
    server = server_major(database)
    client = tool_major("pg_dump")
    if client is None or client < server:
        raise BackupError(f"pg_dump {client} est plus ancien que le serveur PostgreSQL {server} : installez "
                          f"postgresql-client-{server}.")
    out = _check_out_path(out)
    tmp = out.with_name(out.name + ".partiel")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={tmp}"],
             pg_environment(database), "pg_dump a échoué")
        tables, _ = read_archive_toc(tmp)
        _missing_tables(tables)
        _publish(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return tables


COPY_START = re.compile(r'^COPY public\.("?)([^" ]+)\1 \((.*)\) FROM stdin;$')


def count_copy_rows(sql_path):
    """{table: rows} in a pg_restore SQL script (COPY text format: one row per line)."""
    counts, current = {}, None
    with open(sql_path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if current is None:
                match = COPY_START.match(line)
                if match:
                    current = match.group(2)
                    counts[current] = 0
            elif line == "\\.":
                current = None
            else:
                counts[current] += 1
    if current is not None:
        raise BackupError("Sauvegarde tronquée : les données d'une table s'arrêtent en cours de route.")
    return counts


def _sql_literal(text):
    return "'" + str(text).replace("'", "''") + "'"


def _restore_script(sql_path, counts):
    """psql script: one transaction that empties the schema, loads the archive and checks the rows."""
    checks = "\n".join(
        f"  IF (SELECT count(*) FROM public.\"{table}\") <> {n} THEN "
        f"RAISE EXCEPTION 'table % : nombre de lignes différent de la sauvegarde', {_sql_literal(table)}; "
        "END IF;"
        for table, n in sorted(counts.items()))
    return f"""\\set ON_ERROR_STOP on
SET lock_timeout = '{LOCK_TIMEOUT}';
BEGIN;
DROP SCHEMA public CASCADE;
CREATE SCHEMA public;
ALTER SCHEMA public OWNER TO pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
\\i {_sql_literal(sql_path)}
DO $check$
BEGIN
{checks}
  IF EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = 'public' AND c.contype = 'f' AND NOT c.convalidated) THEN
    RAISE EXCEPTION 'clé étrangère non vérifiée';
  END IF;
END
$check$;
COMMIT;
"""


def _live_pg_rows(database):
    tables = [t for t in database.get_tables() if t != HISTORY_TABLE]
    counts = {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return {t: n for t, n in counts.items() if n}


def restore_postgresql(path, database, known_migrations, force=False, safety_folder="."):
    """Replace the configured database's content by the archive at `path` (all or nothing)."""
    path = _check_backup_file(path, "postgresql")
    tables, dumped_from = read_archive_toc(path)
    _missing_tables(tables)
    server = server_major(database)
    if dumped_from and dumped_from > server:
        raise BackupError(f"Sauvegarde d'un serveur PostgreSQL {dumped_from}, plus récent que celui-ci "
                          f"({server}) : rien n'a été modifié.")
    with tempfile.TemporaryDirectory() as work:
        sql_path = Path(work) / "restauration.sql"
        # Unpacks every row: a damaged archive fails here, before the database is touched.
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={sql_path}", str(path)],
             os.environ.copy(), f"Sauvegarde endommagée ({path}), rien n'a été modifié")
        counts = count_copy_rows(sql_path)
        migrations = sorted(_copy_values(sql_path, HISTORY_TABLE, "name"))
        _check_migrations(migrations, known_migrations)
        current = _live_pg_rows(database)
        if current and not force:
            raise _not_empty(current)
        safety = None
        if current:
            safety = default_backup_path(safety_folder, "postgresql")
            backup_postgresql(database, safety)
        script = Path(work) / "transaction.sql"
        script.write_text(_restore_script(sql_path, counts), encoding="utf-8")
        if not database.is_closed():
            database.close()  # our own connection would hold locks the DROP SCHEMA waits for
        _run([_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", f"--file={script}"],
             pg_environment(database), "Restauration annulée, base inchangée")
    database.connect(reuse_if_open=True)
    after = {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in counts}
    if after != counts:
        raise BackupError("La base restaurée ne correspond pas à la sauvegarde : vérifiez-la.")
    return Restored(counts=counts, migrations=migrations, safety_copy=safety,
                    pending=[m for m in known_migrations if m not in migrations])


def _copy_values(sql_path, table, column):
    """One column of a table's COPY block (text format, tab-separated)."""
    values, index = [], None
    with open(sql_path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if index is None:
                match = COPY_START.match(line)
                if match and match.group(2) == table:
                    names = [c.strip().strip('"') for c in match.group(3).split(",")]
                    index = names.index(column)
            elif line == "\\.":
                break
            else:
                values.append(line.split("\t")[index])
    return values
