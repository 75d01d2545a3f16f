"""Login, logout, sessions and redirects."""
import pytest

from models import User

from .network import PASSWORD, csrf_token, login


def test_login_page_is_french(client):
    html = client.get("/connexion").get_data(as_text=True)
    assert "Connexion" in html and "Mot de passe" in html
    assert 'for="email"' in html and 'id="email"' in html  # labels tied to inputs


def test_login_then_logout(app, network):
    client = login(app.test_client(), "referent-a@example.org")
    assert client.get("/admin/meetings/").status_code == 200
    token = csrf_token(client, "/admin/")
    response = client.post("/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/admin/meetings/").status_code == 302


def test_logout_needs_csrf(app, network):
    client = login(app.test_client(), "referent-a@example.org")
    assert client.post("/deconnexion", data={}).status_code == 400
    assert client.get("/admin/meetings/").status_code == 200


def test_wrong_password_is_refused_in_french(client, network):
    response = client.post("/connexion", data={
        "email": "referent-a@example.org", "password": "faux", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_login_without_csrf_is_refused(client, network):
    response = client.post("/connexion", data={"email": "referent-a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/meetings/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_next_never_leaves_the_site(client, network, target):
    response = client.post(f"/connexion?next={target}", data={
        "email": "referent-a@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    # a referent lands on their own group's page, never elsewhere
    assert response.headers["Location"] == f"/groupe/{network.a.group.id}/"


def test_next_to_a_local_page_is_followed(client, network):
    response = client.post("/connexion?next=/admin/meetings/", data={
        "email": "referent-a@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/meetings/"


def test_anonymous_is_sent_to_login(client, network):
    response = client.get("/admin/meetings/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


def test_password_change_ends_existing_sessions(app, network):
    client = login(app.test_client(), "referent-a@example.org")
    user = User.get(User.email == "referent-a@example.org")
    user.set_password("un tout nouveau mot de passe")
    user.save()
    assert client.get("/admin/meetings/").status_code == 302


def test_disabling_a_user_ends_their_sessions(app, network):
    client = login(app.test_client(), "referent-a@example.org")
    coordination = login(app.test_client(), "coordination@example.org")
    user = User.get(User.email == "referent-a@example.org")
    response = coordination.post("/admin/users/ajax/update/", data={
        "list_form_pk": f"{user.id}:{user.version}", "is_active": "",
        "csrf_token": csrf_token(coordination, "/admin/users/")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert not User.get_by_id(user.id).is_active
    assert client.get("/admin/meetings/").status_code == 302
    again = app.test_client()
    refused = again.post("/connexion", data={"email": "referent-a@example.org", "password": PASSWORD,
                                             "csrf_token": csrf_token(again)})
    assert refused.status_code == 400


def test_session_cookie_flags(app, network):
    client = app.test_client()
    response = client.post("/connexion", data={
        "email": "referent-a@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_outside_development(database_url, tmp_path):
    from .conftest import make_app

    app = make_app(database_url, tmp_path, TESTING=False, SECRET_KEY="prod")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_outdated_hash_is_upgraded_at_login(app, network):
    from argon2 import PasswordHasher

    user = User.get(User.email == "referent-a@example.org")
    User.update(password_hash=PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(PASSWORD)) \
        .where(User.id == user.id).execute()
    login(app.test_client(), "referent-a@example.org")
    assert User.get_by_id(user.id).password_hash != user.password_hash
    assert "p=1" in User.get_by_id(user.id).password_hash
