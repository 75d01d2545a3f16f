"""Petites Victoires: application factory."""
import os
import secrets
from pathlib import Path

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
import models
import seed
import workflows


class ConfigError(click.ClickException, RuntimeError):
    """The environment does not allow the app to start (one clear line)."""


def _dev_secret_key(instance_path):
    """A random key generated once per development checkout, kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app, test_config):
    """Defaults, then environment variables, then test overrides; check what is required."""
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'petites-victoires.sqlite3'}",
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        ARGON2_PARAMS={},
        TRUSTED_PROXIES=os.environ.get("TRUSTED_PROXIES", "0"),
        # Database connections per process at most (made when needed; a sync worker uses one;
        # threads beyond it wait up to 10 s). 0: one connection per request, no pool.
        DATABASE_POOL_SIZE=os.environ.get("DATABASE_POOL_SIZE", "20"),
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise ConfigError(
                "SECRET_KEY manquante : définissez la variable d'environnement SECRET_KEY "
                "(par exemple : python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = _dev_secret_key(app.instance_path)
    proxies = str(app.config["TRUSTED_PROXIES"]).strip()
    if not proxies.isdigit() or int(proxies) > 5:
        raise ConfigError(f"TRUSTED_PROXIES doit être un nombre de 0 à 5 (reçu : {proxies!r}).")
    app.config["TRUSTED_PROXIES"] = int(proxies)
    pool = str(app.config["DATABASE_POOL_SIZE"]).strip()
    if not pool.isdigit() or int(pool) > 100:
        raise ConfigError(f"DATABASE_POOL_SIZE doit être un nombre de 0 à 100 (reçu : {pool!r}).")
    app.config["DATABASE_POOL_SIZE"] = int(pool)


def trust_proxies(app):
    """Behind N reverse proxies, take the client's address and scheme from their X-Forwarded-* headers.

    The login throttle counts failures per address: without this, every request would seem
    to come from the proxy. With 0 (the default) the headers are ignored, so they cannot be forged.
    """
    count = app.config["TRUSTED_PROXIES"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def create_app(test_config=None):
    """Build the Flask application."""
    test_config = test_config or {}
    instance_path = test_config.get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    if test_config.get("TESTING"):
        app.testing = True
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    trust_proxies(app)
    try:
        models.init_app(app)
    except models.DatabaseConfigError as exc:
        raise ConfigError(str(exc)) from None
    workflows.init_app(app)
    seed.init_app(app)
    admin.init_app(app)
    return app
