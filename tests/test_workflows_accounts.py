"""`flask users create`: real accounts, password asked and not echoed, clear refusals."""
import pytest

from models import User
from workflows.accounts import AccountError, create_user

from .factories import make_group

PASSWORD = "un mot de passe solide"


def _create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=f"{password}\n{password}\n")


def test_create_a_referent_from_the_command_line(conn, runner):
    make_group(slug="evry")
    result = _create(runner, "--email", "Camille@Example.org", "--role", "referent",
                     "--group", "evry", "--name", "Camille Martin")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = User.get()
    assert (user.email, user.role, user.group.slug) == ("camille@example.org", "referent", "evry")
    assert user.check_password(PASSWORD)


def test_duplicate_email_is_refused_and_nothing_written(conn, runner):
    assert _create(runner, "--email", "a@example.org", "--role", "observer").exit_code == 0
    result = _create(runner, "--email", "A@example.org", "--role", "coordination")
    assert result.exit_code == 1
    assert "Un compte existe déjà pour a@example.org" in result.output
    assert [u.role for u in User.select()] == ["observer"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "pas-un-email", "--role", "observer"], "Adresse e-mail invalide"),
        (["--email", "r@example.org", "--role", "referent"], "doit appartenir à un groupe"),
        (["--email", "r@example.org", "--role", "referent", "--group", "nulle-part"], "Groupe inconnu"),
        (["--email", "c@example.org", "--role", "coordination", "--group", "evry"],
         "Seul·es les référent·es"),
    ],
)
def test_bad_input_is_a_one_line_error(conn, runner, args, message):
    make_group(slug="evry")
    result = _create(runner, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert User.select().count() == 0


def test_short_password_is_refused(conn):
    with pytest.raises(AccountError, match="12 caractères"):
        create_user(email="x@example.org", password="court", role="observer")
    assert User.select().count() == 0
