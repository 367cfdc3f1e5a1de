"""The code version recorded with theme runs: from the environment or the installed package, never from git."""

import subprocess
from importlib import metadata

from app.extensions import db
from app.themes.runs import create_run
from app.version import code_version
from tests.web.respond_helpers import make_campaign

VARIABLE = "CHANGEPULSE_CODE_VERSION"


def test_the_code_version_is_taken_from_the_environment(monkeypatch):
    monkeypatch.setenv(VARIABLE, " 3f9c2ab \n")
    assert code_version() == "3f9c2ab"


def test_without_the_variable_it_is_the_installed_package_s_version(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setattr(metadata, "version", lambda name: {"changepulse": "0.4.0"}[name])
    assert code_version() == "0.4.0"


def test_without_either_it_is_unknown(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert code_version() == "unknown"


def test_finding_the_code_version_starts_no_process(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)

    def refuse(*args, **kwargs):
        raise AssertionError(f"started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert code_version()


def test_a_theme_run_records_the_code_version(app, monkeypatch):
    monkeypatch.setenv(VARIABLE, "feedbee")
    campaign, _ = make_campaign(people=0)
    assert create_run(db.session, [campaign.id]).code_version == "feedbee"
