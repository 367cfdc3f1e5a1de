import os
import subprocess
import sys
from pathlib import Path

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


ROOT = Path(__file__).resolve().parent.parent


def _hugepage_advice(environment: dict[str, str]) -> str:
    """What numpy does with large arrays in a fresh interpreter that imports the app first, as every
    process of the app does (gunicorn, flask, rq workers)."""
    code = "import app, numpy; print(numpy._core.multiarray._get_madvise_hugepage())"
    env = {key: value for key, value in os.environ.items() if key != "NUMPY_MADVISE_HUGEPAGE"} | environment
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.strip()


def test_the_app_turns_off_numpys_hugepage_advice_unless_the_environment_asks_for_it():
    assert _hugepage_advice({}) == "False"  # on by default in numpy (kernels ≥ 4.6): turned off by the app
    assert _hugepage_advice({"NUMPY_MADVISE_HUGEPAGE": "1"}) == "True"  # an admin's choice is kept
