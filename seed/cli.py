"""`flask seed reference` and `flask seed demo`."""
import datetime as dt
import re

import click

from models import Group
from models.database import cli_connection
from models.migrate import require_current_schema

from .demo import DEMO_PASSWORD, demo_logins, demo_present, load_demo
from .reference import ReferenceDataError, load_reference
from .scale import build_scale


def print_demo_logins(url="http://127.0.0.1:5000/"):
    """Echo the demo accounts (one referent per group is enough to show)."""
    emails = demo_logins()
    referents = [e for e in emails if e.startswith("referent-") and not re.search(r"-\d+@", e)]
    click.echo(f"\nPetites Victoires : {url}")
    click.echo(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for email in emails[:2]:
        click.echo(f"  {email}")
    if referents:
        click.echo(f"  {referents[0]}  (un compte par groupe : "
                   f"referent-<groupe>@example.org, {len(referents)} groupes)")


@click.group("seed")
def seed_cli():
    """Reference and demo data."""


@seed_cli.command("reference")
def reference_command():
    """Add the missing themes, Pacte measures, action kinds, checklist templates and durations."""
    with cli_connection():
        require_current_schema()
        try:
            created = load_reference()
        except ReferenceDataError as exc:
            raise click.ClickException(str(exc)) from None
    summary = ", ".join(f"{table} +{n}" for table, n in created.items())
    click.echo(f"Données de référence à jour ({summary}).")


@seed_cli.command("demo")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when groups already exist.")
def demo_command(today, if_empty):
    """Create the demo network (50 groups, demo accounts) on an empty database."""
    today = today.date() if today else dt.date.today()
    with cli_connection():
        require_current_schema()
        try:
            load_reference()
        except ReferenceDataError as exc:
            raise click.ClickException(str(exc)) from None
        if Group.select().exists():
            if demo_present():
                click.echo("Réseau de démonstration déjà chargé.")
                print_demo_logins()
                return
            if if_empty:
                click.echo("La base contient déjà des groupes : démo non installée.")
                return
            raise click.ClickException(
                "La base contient déjà des groupes : la démo ne s'installe que sur une base vide."
            )
        load_demo(today)
        click.echo(f"Réseau de démonstration créé ({Group.select().count()} groupes).")
        print_demo_logins()


@seed_cli.command("scale")
@click.option("--groups", type=click.IntRange(1, 100_000), required=True, help="Number of groups to add.")
@click.option("--records", type=click.IntRange(0, 20_000_000), default=0,
              help="About how many meetings, actions and checklist items to add.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
def scale_command(groups, records, today):
    """Generate a large network for benchmarks (bulk inserts, no history)."""
    today = today.date() if today else dt.date.today()
    with cli_connection():
        require_current_schema()
        try:
            load_reference()
        except ReferenceDataError as exc:
            raise click.ClickException(str(exc)) from None
        if Group.select().where(Group.slug.startswith("scale-")).exists():
            raise click.ClickException("Un réseau généré existe déjà dans cette base (groupes scale-*).")
        counts = build_scale(groups, records, today)
    click.echo("Réseau généré : " + ", ".join(f"{k} {v}" for k, v in counts.items()))
