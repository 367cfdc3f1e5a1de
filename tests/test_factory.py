import pytest

from app import create_app
from config import ProductionConfig, TestingConfig


def test_testing_config_is_applied():
    assert create_app("testing").testing
    assert not create_app("development").testing


def test_anonymity_thresholds_default_to_five_and_ten():
    app = create_app(TestingConfig)
    assert app.config["ANONYMITY_MIN_GROUP"] == 5
    assert app.config["ANONYMITY_MIN_GROUP_TEXT"] == 10


def test_settings_come_from_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("ANONYMITY_MIN_GROUP", "7")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://survey.example.cn")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.ANONYMITY_MIN_GROUP == 7
        assert reloaded.Config.PUBLIC_BASE_URL == "https://survey.example.cn"
    finally:
        monkeypatch.delenv("ANONYMITY_MIN_GROUP")
        monkeypatch.delenv("PUBLIC_BASE_URL")
        importlib.reload(config)


def test_production_refuses_to_start_without_database_and_secret(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_requires_redis_too(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app(ProductionConfig)


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
