"""`flask users ...`, `flask workflow ...`, `flask followup ...` and `flask personal ...` commands."""
import datetime as dt
import time
from pathlib import Path

import click

from models.database import cli_connection
from models.migrate import require_current_schema
from models.user import ROLES

from .accounts import AccountError, create_user
from .definition import mermaid
from .flags import OVERDUE_HEADERS, overdue_rows
from .followup import FORMATS, FollowupError, Week, export_files
from .personal_data import PersonalDataError, anonymise_person, anonymise_preview, export_json, find_person
from .spreadsheet import csv_bytes


@click.group("users")
def users_cli():
    """User accounts."""


@users_cli.command("create")
@click.option("--email", prompt="Adresse e-mail", help="Login e-mail address.")
@click.option("--role", type=click.Choice([code for code, _ in ROLES]), prompt="Rôle")
@click.option("--group", "group_slug", help="Group slug (referents only).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmez")
def create_command(email, role, group_slug, full_name, password):
    """Create an account (the password is asked, not echoed)."""
    with cli_connection():
        require_current_schema()
        try:
            user = create_user(
                email=email, password=password, role=role,
                group_slug=group_slug, full_name=full_name,
            )
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Compte créé : {user.email} ({dict(ROLES)[user.role]})")


@click.group("workflow")
def workflow_cli():
    """Campaign workflow: overdue steps and the state graph."""


@workflow_cli.command("overdue")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
def overdue_command(today, fmt):
    """List overdue steps and checklist items, most late first (exit code 0 either way)."""
    today = today.date() if today else dt.date.today()
    with cli_connection():
        require_current_schema()
        rows = overdue_rows(today)
    if fmt == "csv":
        click.echo(csv_bytes(OVERDUE_HEADERS, rows).decode("utf-8-sig"), nl=False)
        return
    if not rows:
        click.echo(f"Rien en retard au {today:%d/%m/%Y}.")
        return
    click.echo(f"{len(rows)} retard(s) au {today:%d/%m/%Y} :")
    for kind, group, what, due, late in rows:
        click.echo(f"  {late:>4} j  {group} — {kind} : {what} (échéance {due:%d/%m/%Y})")


@workflow_cli.command("graph")
@click.option("--current", help="State to highlight.")
def graph_command(current):
    """Print the campaign state graph as Mermaid text."""
    click.echo(mermaid(current))


@click.group("followup")
def followup_cli():
    """The weekly follow-up spreadsheet."""


@followup_cli.command("export")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the current week).")
@click.option("--format", "fmt", default="xlsx", show_default=True, help="xlsx, csv (zipped) or both.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write the files to.")
def export_command(week, fmt, out_dir):
    """Write the week's follow-up (state as of the end of that week)."""
    try:
        chosen = Week.parse(week) if week else Week.of(dt.date.today())
        if fmt not in FORMATS:
            raise FollowupError(f"Format « {fmt} » inconnu : choisissez xlsx, csv ou both.")
    except FollowupError as exc:
        raise click.ClickException(str(exc)) from None
    started = time.perf_counter()
    with cli_connection():
        require_current_schema()
        files = export_files(chosen, fmt)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (out_dir / name).write_bytes(body)
        click.echo(f"Écrit : {out_dir / name} ({len(body)} octets)")
    click.echo(f"Suivi de la semaine {chosen} en {time.perf_counter() - started:.2f} s.")


@click.group("personal")
def personal_cli():
    """Personal data (GDPR): export what is held about a person, or anonymise it."""


def _person_options(command):
    command = click.option("--ally", "ally_id", help="Ally id: its contact person.")(command)
    return click.option("--email", help="The person's e-mail address.")(command)


def _find(email, ally_id):
    try:
        return find_person(email=email, ally_id=ally_id)
    except PersonalDataError as exc:
        raise click.ClickException(str(exc)) from None


@personal_cli.command("export")
@_person_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
def personal_export_command(email, ally_id, out):
    """Everything held about a person, as JSON (account, history, ally and group contacts)."""
    with cli_connection():
        require_current_schema()
        body = export_json(_find(email, ally_id))
    if out is None:
        click.echo(body)
        return
    out.write_text(body + "\n", encoding="utf-8")
    out.chmod(0o600)
    click.echo(f"Écrit : {out} ({len(body.encode())} octets)")


@personal_cli.command("anonymise")
@_person_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def personal_anonymise_command(email, ally_id, yes):
    """Replace a person's name, e-mail and phone with neutral values, everywhere (irreversible)."""
    with cli_connection():
        require_current_schema()
        person = _find(email, ally_id)
        for line in anonymise_preview(person):
            click.echo(f"  {line}")
        if not yes and not click.confirm(f"Anonymiser définitivement {person.label} ?", default=False):
            raise click.ClickException("Abandon : rien n'a été modifié.")
        try:
            done = anonymise_person(person)
        except PersonalDataError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo("Anonymisé : " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in done.items()) + ".")
