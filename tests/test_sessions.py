"""Sessions end when they should: logout, password or e-mail change, disabling, idle and absolute
time limits; « Mon compte » asks the current password; the password rule and its French messages."""
import html
import json
import logging

import pytest
from flask_login.utils import encode_cookie

from models import ChangeLog, User, db
from workflows.password_policy import MAX_PASSWORD_LENGTH

from .network import PASSWORD, csrf_token, form_data, login

EMAIL = "referent-a@example.org"
PROTECTED = "/admin/meetings/"
NEW_PASSWORD = "trois baleines bleues dansent"


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(client):
    return client.get(PROTECTED).status_code == 200


def logout(client):
    return client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/compte")})


def user():
    return User.get(User.email == EMAIL)


def post_account(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/compte"), **data})


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_account(client, "/compte/mot-de-passe", current_password=current, new_password=new,
                        confirm=new if confirm is None else confirm)


def text(response):
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


# -- a copied cookie dies with the session --------------------------------------------------------
def test_a_copied_cookie_works_until_logout_then_is_anonymous(app, network):
    client = login(app.test_client(), EMAIL)
    thief = copy_of(app, client)
    assert logged_in(thief)  # the copy is as good as the original...
    assert logout(client).status_code == 302
    assert not logged_in(client)
    assert not logged_in(thief)  # ...until the owner logs out
    assert thief.get("/compte").status_code == 302


def test_logout_ends_the_sessions_on_other_devices_too(app, network):
    phone = login(app.test_client(), EMAIL)
    laptop = login(app.test_client(), EMAIL)
    logout(laptop)
    assert not logged_in(phone)
    assert logged_in(login(app.test_client(), EMAIL))  # logging in again works


def test_a_copied_cookie_is_anonymous_after_the_password_change_and_the_changer_stays_in(app, network):
    client = login(app.test_client(), EMAIL)
    thief = copy_of(app, client)
    other_device = login(app.test_client(), EMAIL)
    response = change_password(client)
    assert response.status_code == 302 and response.headers["Location"] == "/compte"
    assert "Mot de passe changé" in text(client.get("/compte"))
    assert logged_in(client)
    assert not logged_in(thief) and not logged_in(other_device)
    assert user().check_password(NEW_PASSWORD) and not user().check_password(PASSWORD)
    refused = app.test_client()
    assert refused.post("/connexion", data={"email": EMAIL, "password": PASSWORD,
                                            "csrf_token": csrf_token(refused)}).status_code == 400
    assert logged_in(login(app.test_client(), EMAIL, NEW_PASSWORD))


def test_a_copied_cookie_is_anonymous_after_the_account_is_disabled(app, network):
    client = login(app.test_client(), EMAIL)
    thief = copy_of(app, client)
    coordination = login(app.test_client(), "coordination@example.org")
    account = user()
    response = coordination.post("/admin/users/ajax/update/", data={
        "list_form_pk": f"{account.id}:{account.version}", "is_active": "",
        "csrf_token": csrf_token(coordination, "/admin/users/")})
    assert response.status_code == 200, text(response)
    assert not logged_in(client) and not logged_in(thief)


def test_a_copied_cookie_is_anonymous_after_the_email_change(app, network):
    client = login(app.test_client(), EMAIL)
    thief = copy_of(app, client)
    response = post_account(client, "/compte/adresse", email=" Nouvelle@Example.org ",
                            current_password=PASSWORD)
    assert response.status_code == 302
    assert logged_in(client) and not logged_in(thief)
    assert User.get_by_id(network.a.referent.id).email == "nouvelle@example.org"
    assert logged_in(login(app.test_client(), "nouvelle@example.org"))


def test_a_remember_cookie_never_logs_in(app, network):
    """The app never sets one; even a validly signed cookie carrying the live token is refused."""
    login(app.test_client(), EMAIL)
    with app.app_context():
        forged = encode_cookie(user().get_id())
    stranger = app.test_client()
    stranger.set_cookie("remember_token", forged)
    assert not logged_in(stranger)
    assert not logged_in(stranger)  # nor on the next request


# -- time limits ---------------------------------------------------------------------------------
def age_session(client, *, idle_minutes=0, since_login_hours=0.0):
    with client.session_transaction() as session:
        session["pv_seen_at"] -= int(idle_minutes * 60)
        session["pv_login_at"] -= int(since_login_hours * 3600)


def test_an_idle_session_expires_with_a_french_message(app, network):
    client = login(app.test_client(), EMAIL)
    age_session(client, idle_minutes=119)
    assert logged_in(client)  # 119 minutes idle: still fine, and the clock restarts
    age_session(client, idle_minutes=119)
    assert logged_in(client)
    age_session(client, idle_minutes=121)
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=/admin/meetings/")
    page = client.get(response.headers["Location"])
    assert "Votre session a expiré : reconnectez-vous." in text(page)
    assert not logged_in(client)


def test_a_copy_of_an_expired_session_is_expired_too(app, network):
    client = login(app.test_client(), EMAIL)
    age_session(client, idle_minutes=121)
    thief = copy_of(app, client)
    assert not logged_in(thief)


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(app, network):
    client = login(app.test_client(), EMAIL)
    age_session(client, since_login_hours=11.9)
    assert logged_in(client)
    age_session(client, since_login_hours=0.2)  # 12 h 06 since the login, active a second ago
    response = client.get("/compte")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert "Votre session a expiré" in text(client.get("/connexion"))


def test_a_password_change_does_not_extend_the_absolute_lifetime(app, network):
    client = login(app.test_client(), EMAIL)
    age_session(client, since_login_hours=11.9)
    assert change_password(client).status_code == 302
    age_session(client, since_login_hours=0.2)
    assert not logged_in(client)


def test_time_limits_are_configurable(database_url, tmp_path, network):
    from .conftest import make_app

    db.close()  # the network's connection belongs to the first app's database object
    app = make_app(database_url, tmp_path, SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    client = login(app.test_client(), EMAIL)
    age_session(client, idle_minutes=4)
    assert logged_in(client)
    age_session(client, idle_minutes=6)
    assert not logged_in(client)
    client = login(app.test_client(), EMAIL)
    age_session(client, since_login_hours=1.1)
    assert not logged_in(client)


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_a_bad_time_limit_stops_the_start_with_a_clear_message(database_url, tmp_path, value):
    from .conftest import make_app

    with pytest.raises(RuntimeError, match="SESSION_IDLE_MINUTES doit être un nombre entier"):
        make_app(database_url, tmp_path, SESSION_IDLE_MINUTES=value)


# -- « Mon compte » ------------------------------------------------------------------------------
def test_account_page_is_for_logged_in_users(app, client, network):
    response = client.get("/compte")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion?next=")
    for email in (EMAIL, "coordination@example.org", "observateur@example.org"):
        page = text(login(app.test_client(), email).get("/compte"))
        assert "Mon compte" in page and email in page
        assert "Changer de mot de passe" in page and "Mot de passe actuel" in page


def test_wrong_current_password_changes_nothing(app, network):
    client = login(app.test_client(), EMAIL)
    other_device = login(app.test_client(), EMAIL)
    before = user()
    response = change_password(client, current="pas le bon mot de passe")
    assert response.status_code == 400
    assert "Mot de passe actuel incorrect : rien n'a été modifié." in text(response)
    after = user()
    assert (after.password_hash, after.session_token, after.version) == (
        before.password_hash, before.session_token, before.version)
    assert logged_in(client) and logged_in(other_device)
    response = post_account(client, "/compte/adresse", email="autre@example.org",
                            current_password="pas le bon mot de passe")
    assert response.status_code == 400 and "Mot de passe actuel incorrect" in text(response)
    assert user().email == EMAIL


def test_email_change_refusals(app, network):
    client = login(app.test_client(), EMAIL)
    for email, message in (
            ("pas-une-adresse", "Adresse e-mail invalide"),
            ("COORDINATION@example.org", "Un compte existe déjà pour coordination@example.org"),
            (EMAIL, "C'est déjà votre adresse e-mail.")):
        response = post_account(client, "/compte/adresse", email=email, current_password=PASSWORD)
        assert response.status_code == 400
        assert message in text(response)
    assert user().email == EMAIL and user().version == network.a.referent.version
    assert logged_in(client)


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("court", None, "Mot de passe trop court : 12 caractères au minimum."),
    ("x" * (MAX_PASSWORD_LENGTH - 3) + "abcd", None, "Mot de passe trop long : 1024 caractères au maximum."),
    ("motdepasse123", None, "Ce mot de passe est trop courant"),
    ("Azertyuiop2024!", None, "Ce mot de passe est trop courant"),
    ("Mot de passe 2024", None, "Ce mot de passe est trop courant"),
    ("P@ssw0rd123456", None, "Ce mot de passe est trop courant"),
    ("petitesvictoires", None, "Ce mot de passe est trop courant"),
    ("aaaaaaaaaaaaaaaa", None, "Ce mot de passe est trop courant"),
    ("referent-a-1990", None, "Le mot de passe ne doit pas reprendre votre adresse e-mail."),
    (NEW_PASSWORD, "trois baleines bleues", "Les deux saisies du nouveau mot de passe sont différentes."),
])
def test_password_policy_messages(app, network, new, confirm, message):
    client = login(app.test_client(), EMAIL)
    before = user()
    response = change_password(client, new=new, confirm=confirm)
    assert response.status_code == 400
    assert message in text(response)
    assert (user().password_hash, user().session_token) == (before.password_hash, before.session_token)
    assert logged_in(client)


def test_long_passphrases_are_accepted(app, network):
    client = login(app.test_client(), EMAIL)
    longest = ("le vélo c'est la vie " * 60)[:MAX_PASSWORD_LENGTH]
    assert change_password(client, new=longest).status_code == 302
    assert user().check_password(longest)


def test_the_change_log_says_the_password_changed_but_not_its_hash(app, network):
    client = login(app.test_client(), EMAIL)
    before = user()
    change_password(client)
    entry = (ChangeLog.select().where(ChangeLog.table_name == "user", ChangeLog.record_id == before.id)
             .order_by(ChangeLog.id.desc()).get())
    assert entry.user_id == before.id
    assert set(json.loads(entry.new_value)) >= {"password_hash", "session_token"}
    assert before.password_hash not in entry.old_value and user().password_hash not in entry.new_value
    assert user().session_token not in entry.new_value


@pytest.mark.parametrize("new, accepted", [("motdepasse123", False), ("azertyuiop123", False),
                                            ("court", False), (NEW_PASSWORD, True)])
def test_the_same_rule_applies_when_coordination_sets_a_password(app, network, new, accepted):
    coordination = login(app.test_client(), "coordination@example.org")
    account = user()
    url = f"/admin/users/edit/?id={account.id}"
    data = form_data(coordination, url)
    data["new_password"] = new
    response = coordination.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    after = user()
    assert after.check_password(new) is accepted
    assert after.check_password(PASSWORD) is not accepted  # refused: the old password still works
    if not accepted:
        assert after.session_token == account.session_token and after.version == account.version
        assert "mot de passe" in text(response).lower()


def test_the_same_rule_applies_on_the_command_line(conn, runner):
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "observer"],
                           input="azertyuiop2024\nazertyuiop2024\n")
    assert result.exit_code == 1
    assert "Ce mot de passe est trop courant" in result.output
    assert User.select().count() == 0


# -- logs ----------------------------------------------------------------------------------------
def test_every_403_is_logged_with_who_and_where(app, network, caplog):
    referent = login(app.test_client(), EMAIL)
    observer = login(app.test_client(), "observateur@example.org")
    for client in (referent, observer):
        client.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    meeting = network.a.meeting
    with caplog.at_level(logging.WARNING, logger="petites_victoires.security"):
        assert referent.get("/admin/users/").status_code == 403  # the error page
        refused = observer.post("/admin/meetings/ajax/update/", data={  # an inline edit's direct answer
            "list_form_pk": f"{meeting.id}:{meeting.version}", "status": "tenu",
            "csrf_token": csrf_token(observer, "/admin/meetings/")})
        assert refused.status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "petites_victoires.security"]
    assert len(lines) == 2
    assert all(m.startswith("permission refused") and "198.51.100.4" in m for m in lines)
    assert EMAIL in lines[0] and "/admin/users/" in lines[0]
    assert "observateur@example.org" in lines[1] and "/admin/meetings/ajax/update/" in lines[1]


def test_permission_refusals_are_logged(app, network, caplog):
    from flask_login import login_user

    from admin.auth import log_refusal

    with caplog.at_level(logging.WARNING, logger="petites_victoires.security"):
        with app.test_request_context("/admin/users/", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
            login_user(user())
            log_refusal("réservé à la coordination")
    [record] = [r for r in caplog.records if r.name == "petites_victoires.security"]
    message = record.getMessage()
    assert EMAIL in message and "198.51.100.4" in message and "/admin/users/" in message
    assert "réservé à la coordination" in message
