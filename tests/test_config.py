"""Configuration from the environment (config.py) and how create_app uses it."""
from __future__ import annotations

import stat

import pytest

import config
from config import (
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    config_from_environment,
    normalise_database_url,
    resolve_secret_key,
)
from eventhub import create_app

MEMORY_DB = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://user:pw@db.example:5432/eventhub", "postgresql+psycopg://user:pw@db.example:5432/eventhub"),
    ("postgresql://user@127.0.0.1/eventhub", "postgresql+psycopg://user@127.0.0.1/eventhub"),
    ("postgresql+psycopg://user@host/db", "postgresql+psycopg://user@host/db"),
    ("postgresql+psycopg2://user@host/db", "postgresql+psycopg2://user@host/db"),
    ("sqlite:///instance/eventhub.sqlite", "sqlite:///instance/eventhub.sqlite"),
    ("sqlite://", "sqlite://"),
])
def test_normalise_database_url_uses_psycopg3_for_postgres(given, expected):
    assert normalise_database_url(given) == expected


def test_normalise_database_url_only_rewrites_the_scheme():
    url = "postgres://u:postgres://@h/postgresql://"
    assert normalise_database_url(url) == "postgresql+psycopg://u:postgres://@h/postgresql://"


@pytest.mark.parametrize(("env", "expected"), [
    ("production", ProductionConfig),
    ("testing", TestingConfig),
    ("development", DevelopmentConfig),
    ("anything-else", DevelopmentConfig),
])
def test_config_from_environment_picks_class(monkeypatch, env, expected):
    monkeypatch.setenv("EVENTHUB_ENV", env)
    assert config_from_environment() is expected


def test_config_from_environment_defaults_to_development(monkeypatch):
    monkeypatch.delenv("EVENTHUB_ENV", raising=False)
    assert config_from_environment() is DevelopmentConfig


@pytest.mark.parametrize("missing", [None, ""])
def test_production_without_secret_key_raises(monkeypatch, tmp_path, missing):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=missing, **MEMORY_DB)
    assert not (tmp_path / "instance" / "secret_key").exists()  # no key was generated instead


def test_resolve_secret_key_production_without_key_raises():
    with pytest.raises(RuntimeError):
        resolve_secret_key({"ENV_NAME": "production", "SECRET_KEY": None})


def test_production_with_secret_key_uses_it_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    app = create_app(ProductionConfig, SECRET_KEY="from-the-environment", **MEMORY_DB)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_production_language_cookie_is_secure(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    app = create_app(ProductionConfig, SECRET_KEY="k", **MEMORY_DB)
    cookie = app.test_client().get("/language/en?next=/").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_development_generates_secret_key_once_and_reuses_it(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    first = create_app(DevelopmentConfig, SECRET_KEY=None, **MEMORY_DB)
    key_file = instance / "secret_key"
    assert key_file.exists()
    key = first.config["SECRET_KEY"]
    assert len(key) == 64 and int(key, 16) >= 0
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # only the owner may read it

    second = create_app(DevelopmentConfig, SECRET_KEY=None, **MEMORY_DB)
    assert second.config["SECRET_KEY"] == key


def test_development_key_differs_between_instances(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "one")
    one = create_app(DevelopmentConfig, SECRET_KEY=None, **MEMORY_DB).config["SECRET_KEY"]
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "two")
    two = create_app(DevelopmentConfig, SECRET_KEY=None, **MEMORY_DB).config["SECRET_KEY"]
    assert one != two


def test_development_with_secret_key_writes_no_file(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    app = create_app(DevelopmentConfig, SECRET_KEY="given", **MEMORY_DB)
    assert app.config["SECRET_KEY"] == "given"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_create_app_uses_instance_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    app = create_app(TestingConfig, **MEMORY_DB)
    assert app.instance_path == str(tmp_path / "instance")


def test_defaults_are_swedish_first():
    assert config.Config.BABEL_DEFAULT_LOCALE == "sv"
    assert config.Config.LANGUAGES == ("sv", "en")
    assert TestingConfig.TESTING is True
    assert TestingConfig.WTF_CSRF_ENABLED is True  # tests exercise CSRF as production does


@pytest.mark.parametrize(("environment", "expected"), [
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "5101"}, "http://127.0.0.1:5101"),  # PORT=5101 ./scripts/run.sh
    ({"PORT": "5101", "EVENTHUB_BASE_URL": "https://forum.boras.se"}, "https://forum.boras.se"),
])
def test_links_point_where_the_app_is_served(monkeypatch, environment, expected):
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("EVENTHUB_BASE_URL", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert config.default_base_url() == expected
