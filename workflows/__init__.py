"""Business operations: accounts, the campaign state machine, flags, exports. No request, no templates."""
from .accounts import AccountError, create_user
from .cli import followup_cli, personal_cli, users_cli, workflow_cli


def init_app(app):
    """Register the workflow CLI commands."""
    app.cli.add_command(users_cli)
    app.cli.add_command(workflow_cli)
    app.cli.add_command(followup_cli)
    app.cli.add_command(personal_cli)


__all__ = ["AccountError", "create_user", "init_app"]
