"""Error pages are French and show nothing of what went wrong inside: no exception text,
traceback, SQL or file path, even when the exception carries data (which goes to the log)."""
import html
import logging

import pytest
from werkzeug.exceptions import TooManyRequests

from .conftest import make_app

SECRET = "SELECT password_hash FROM \"user\" WHERE email = 'paule@example.org'"
LEAKS = ("Traceback", "SELECT", "password_hash", "paule@example.org", "RuntimeError", ".py", "line ")


def assert_no_leak(text):
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.fixture
def failing_app(database_url, tmp_path):
    """The real app plus test-only routes that fail, with errors handled as in production."""
    app = make_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/test-only/boom")
    def boom():
        raise RuntimeError(SECRET)

    @app.route("/test-only/slow-down")
    def slow_down():
        raise TooManyRequests(retry_after=60)

    return app


def test_an_unexpected_error_shows_a_french_page_and_logs_the_details(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/test-only/boom")
    assert response.status_code == 500
    text = html.unescape(response.get_data(as_text=True))
    assert '<html lang="fr">' in text and "Erreur 500 : Erreur interne" in text
    assert "prévenez l'équipe de coordination" in text
    assert_no_leak(text)
    assert any(SECRET in (r.exc_text or "") or SECRET in str(r.exc_info) for r in caplog.records)


def test_an_unexpected_error_in_a_script_request_answers_short_text_or_json(failing_app):
    client = failing_app.test_client()
    inline_edit = client.get("/test-only/boom", headers={"X-Requested-With": "XMLHttpRequest"})
    assert inline_edit.status_code == 500 and inline_edit.mimetype == "text/plain"
    assert inline_edit.get_data(as_text=True).startswith("Erreur interne : ")
    board = client.get("/test-only/boom", headers={"X-Requested-With": "fetch"})
    assert board.status_code == 500 and board.is_json
    assert board.get_json()["message"].startswith("Erreur interne : ")
    for response in (inline_edit, board):
        assert_no_leak(response.get_data(as_text=True))


def test_too_many_requests_is_french_and_keeps_retry_after(failing_app):
    response = failing_app.test_client().get("/test-only/slow-down")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_get_on_a_post_only_address_is_a_french_405(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    text = response.get_data(as_text=True)
    assert "Erreur 405 : Méthode non autorisée" in text and "Method Not Allowed" not in text


@pytest.mark.parametrize(("url", "code", "words"), [
    ("/adresse-inconnue", 404, "Page ou enregistrement introuvable"),
    ("/admin/meetings/edit/?id=999999", 404, "introuvable"),
])
def test_not_found_pages_are_french(as_role, url, code, words):
    response = as_role("coordination").get(url)
    assert response.status_code == code
    assert words in response.get_data(as_text=True)


def test_a_form_without_its_token_is_a_french_400(client):
    response = client.post("/deconnexion", data={})
    assert response.status_code == 400
    assert "Erreur 400 : Requête invalide" in response.get_data(as_text=True)


def test_forbidden_is_french(as_role):
    response = as_role("referent").get("/admin/users/")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_an_unreachable_database_shows_the_french_500_without_details(backend, tmp_path):
    url = (f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}" if backend == "sqlite"
           else "postgresql://postgres@127.0.0.1:1/pv_absent")
    app = make_app(url, tmp_path, PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().get("/connexion")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Erreur interne" in text
    for leak in ("missing-dir", "127.0.0.1", "pv_absent", "OperationalError", "unable to open"):
        assert leak not in text
