"""`flask backup create` / `restore` on a populated database, SQLite and PostgreSQL."""

import hashlib
import json
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from app import create_app
from app.backup import BackupError, create
from app.extensions import db
from app.models import Answer
from tests.conftest import make_config
from tests.web.results_helpers import campaign_with, satisfaction


def populate():
    campaign_with(
        [
            (6, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4, text="審批太慢😡，ＡＢＣ")),
            (3, "manager", None, None, satisfaction(2)),
        ]
    )


def fingerprint():
    rows = db.session.execute(
        select(Answer.id, Answer.question_code, Answer.value_number, Answer.value_text).order_by(Answer.id)
    ).all()
    return hashlib.sha256(json.dumps([list(r) for r in rows], ensure_ascii=False).encode()).hexdigest()


def app_for(url):
    return create_app(make_config(SQLALCHEMY_DATABASE_URI=url))


def round_trip(source_url, target_url, backup_path):
    source = app_for(source_url)
    with source.app_context():
        upgrade()
        populate()
        expected = fingerprint()
        db.session.commit()
        result = source.test_cli_runner().invoke(args=["backup", "create", str(backup_path)])
        assert result.exit_code == 0, result.output
        assert "张表" in result.output
        db.engine.dispose()
    target = app_for(target_url)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup_path)])
        assert result.exit_code == 0, result.output
        assert "行数与备份一致" in result.output
        assert fingerprint() == expected
        db.session.commit()
        again = target.test_cli_runner().invoke(args=["backup", "restore", str(backup_path)])
        assert again.exit_code == 1 and "不是空的" in again.output
        db.engine.dispose()


def test_sqlite_backup_round_trip(tmp_path):
    round_trip(f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'b.sqlite'}", tmp_path / "backup.sqlite")


def test_corrupted_backup_is_refused(tmp_path):
    source = app_for(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with source.app_context():
        upgrade()
        populate()
        source.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b.sqlite")])
        db.engine.dispose()
    with open(tmp_path / "b.sqlite", "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage")
    target = app_for(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "b.sqlite")])
        assert result.exit_code == 1 and "校验和" in result.output
        db.engine.dispose()


def test_postgresql_backup_round_trip(postgres_url, tmp_path):
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    names = ["bk_" + uuid.uuid4().hex[:8] for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_url.rsplit("/", 1)[0]
    try:
        round_trip(f"{base}/{names[0]}", f"{base}/{names[1]}", tmp_path / "backup.dump")
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_an_in_memory_sqlite_database_is_refused_with_a_message(tmp_path):
    """An in-memory SQLite database has no file to copy or to restore into: a clear error, no backup file."""
    engine = create_engine("sqlite://")
    with pytest.raises(BackupError, match="内存"):
        create(engine, tmp_path / "backup.sqlite")
    assert not (tmp_path / "backup.sqlite").exists()
