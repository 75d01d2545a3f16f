"""Reference data and the demo network; `flask seed ...` commands."""
from .cli import seed_cli


def init_app(app):
    """Register the `flask seed` commands."""
    app.cli.add_command(seed_cli)
