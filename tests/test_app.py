"""Application factory: configuration from the environment, errors, first page."""
import pytest

from app import ConfigError, create_app
from models import Group
from seed.reference import load_reference


def test_missing_secret_key_stops_production_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="SECRET_KEY manquante"):
        create_app()


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app()
    second = create_app()
    key_file = tmp_path / "instance" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert first.config["DATABASE_URL"] == (
        f"sqlite:///{tmp_path / 'instance' / 'petites-victoires.sqlite3'}"
    )


def test_secret_key_and_database_url_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DATABASE_URL"].endswith("env.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "DATABASE_URL invalide"),
        ("mysql://root@localhost/x", "non pris en charge"),
        ("postgresql://localhost:notaport/x", "DATABASE_URL invalide"),
        ("postgresql://localhost:5432/", "nom de base manquant"),
        ("sqlite://", "DATABASE_URL invalide"),
    ],
)
def test_malformed_database_url_is_a_clear_error(monkeypatch, tmp_path, url, message):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match=message) as info:
        create_app()
    assert "\n" not in str(info.value)


def test_malformed_database_url_on_the_command_line(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "nonsense")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    cli = FlaskGroup(create_app=create_app)
    result = CliRunner().invoke(cli, ["db", "status"])
    assert result.exit_code != 0
    assert "DATABASE_URL invalide" in result.output


def test_unreachable_database_is_a_one_line_error(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    cli = FlaskGroup(create_app=create_app)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "Impossible de se connecter à la base de données" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_home_page_is_french_and_counts_the_network(client, conn):
    load_reference()
    Group.create(name="Collectif d'Évry", slug="evry", commune="Évry-Courcouronnes",
                 departement_code="91", region="Île-de-France")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "<strong>1</strong> groupes" in html


@pytest.mark.parametrize("size", ["beaucoup", "-1", "500"])
def test_malformed_pool_size_is_a_clear_error(monkeypatch, tmp_path, size):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_POOL_SIZE", size)
    with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE doit être un nombre de 0 à 100"):
        create_app()
