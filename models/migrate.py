"""Versioned schema migrations (peewee's runner) and the `flask db` commands (backups included)."""
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from playhouse.migrations import Migration, MigrationError, Runner

from . import backup
from .base import db
from .database import cli_connection, is_sqlite

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def runner():
    """A migration runner on the bound database."""
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def known_migrations():
    """Names of the migration files shipped with this code, in order."""
    return [m.name for m in Migration.load_directory(str(MIGRATIONS_DIR))]


def pending_migrations():
    """Names of the migrations not yet applied."""
    return [m.name for m in runner().status() if not m.applied and m.path]


def require_current_schema():
    """Refuse to work on a database whose schema is behind the code."""
    pending = pending_migrations()
    if pending:
        raise click.ClickException(
            f"Schéma de la base pas à jour ({len(pending)} migration(s) en attente) : "
            "lancez d'abord « flask db upgrade »."
        )


def upgrade(target=None):
    """Apply pending migrations in order; returns their names.

    On SQLite the runner switches foreign keys off around table rebuilds (so
    ON DELETE actions do not fire); we check afterwards that every reference
    still points somewhere.
    """
    applied = runner().up(target)
    if applied and is_sqlite():
        broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise MigrationError(
                f"Clés étrangères incohérentes après migration : {broken[:5]}"
            )
    return applied


@click.group("db")
def db_cli():
    """Schema migrations, backups and restores."""


@db_cli.command("upgrade")
@click.option("--target", help="Stop after this migration (name).")
def upgrade_command(target):
    """Apply every pending migration."""
    with cli_connection():
        try:
            names = upgrade(target)
        except MigrationError as exc:
            raise click.ClickException(str(exc)) from None
    for name in names:
        click.echo(f"appliquée : {name}")
    if not names:
        click.echo("Schéma à jour, aucune migration à appliquer.")


@db_cli.command("status")
def status_command():
    """List migrations, applied or pending (exit code 1 when some are pending)."""
    with cli_connection():
        rows = runner().status()
    for m in rows:
        mark = "x" if m.applied else " "
        when = f"  {m.applied:%Y-%m-%d %H:%M:%S}" if m.applied else ""
        click.echo(f"[{mark}] {m.name}{when}")
    if any(not m.applied for m in rows):
        raise SystemExit(1)


def _backups_folder():
    return Path(current_app.instance_path) / "backups"


@db_cli.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: instance/backups/petites-victoires-<date>.sqlite3 or .pgdump).")
@with_appcontext
def backup_command(out):
    """Write a consistent backup of the database (safe while the app is running)."""
    kind = backup.backend_of(db)
    out = out or backup.default_backup_path(_backups_folder(), kind)
    started = time.perf_counter()
    with cli_connection():
        try:
            if kind == "sqlite":
                backup.backup_sqlite(db.obj.database, out)
            else:
                backup.backup_postgresql(db.obj, out)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Sauvegarde écrite : {out} ({out.stat().st_size} octets, "
               f"{time.perf_counter() - started:.1f} s).")


@db_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database that already holds data (a safety backup of it is written first).")
@with_appcontext
def restore_command(file, force):
    """Replace the database by a backup, after checking the backup (all or nothing)."""
    kind = backup.backend_of(db)
    started = time.perf_counter()
    try:
        if kind == "sqlite":
            done = backup.restore_sqlite(file, db.obj.database, known_migrations(), force=force,
                                         safety_folder=_backups_folder())
        else:
            with cli_connection():
                done = backup.restore_postgresql(file, db.obj, known_migrations(), force=force,
                                                 safety_folder=_backups_folder())
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if done.safety_copy:
        click.echo(f"Sauvegarde de sécurité de la base remplacée : {done.safety_copy}")
    counts = done.counts
    click.echo(f"Base restaurée depuis {file} en {time.perf_counter() - started:.1f} s : "
               f"{counts.get('group', 0)} groupes, {counts.get('user', 0)} comptes, "
               f"{counts.get('change_log', 0)} entrées d'historique, {sum(counts.values())} lignes en tout.")
    if done.pending:
        click.echo(f"Migrations à appliquer ({', '.join(done.pending)}) : lancez « flask db upgrade ».")
