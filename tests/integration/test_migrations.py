"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from tests.conftest import make_config


def schema_diff(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_sqlite_matches_models(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with app.app_context():
        upgrade()
        assert schema_diff(app) == []
        assert "responses" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_a_connection_that_ran_the_migrations_enforces_foreign_keys_again(tmp_path):
    # the migrations switch SQLite's foreign keys off; the pooled connection then served the process with them
    # off (a benchmark's deleted campaign left its responses behind), until the pragma was set outside the
    # transaction the migrations left open
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'f.sqlite'}"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            with pytest.raises(Exception, match="FOREIGN KEY"):
                connection.exec_driver_sql(
                    "INSERT INTO responses (id, campaign_id, submitted_on, via_open_link) "
                    "VALUES ('r', 999, '2026-01-01', 0)"
                )
        db.engine.dispose()


def test_upgrade_on_empty_postgresql_matches_models(postgres_url):
    database = "mig_" + uuid.uuid4().hex[:10]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = postgres_url.rsplit("/", 1)[0] + "/" + database
    try:
        app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
        with app.app_context():
            upgrade()
            assert schema_diff(app) == []
            assert "answers" in inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_response_tables_have_no_rowid(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            for table in ("responses", "answers"):
                with pytest.raises(OperationalError, match="rowid"):
                    conn.execute(text(f"SELECT rowid FROM {table}"))
        db.engine.dispose()


def test_schema_comparison_sees_a_missing_table(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE audit_log"))
        assert any(diff[0] == "add_table" and diff[1].name == "audit_log" for diff in schema_diff(app))
        db.engine.dispose()


def test_staff_session_keys_revision_gives_every_existing_account_its_own_key(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with app.app_context():
        upgrade(revision="fbc59e1015b6")
        with db.engine.begin() as conn:
            for email in ("a@corp.local", "b@corp.local"):
                conn.execute(
                    text(
                        "INSERT INTO staff_users (email, name, role, password_hash, active, created_at) "
                        "VALUES (:email, 'x', 'manager', 'scrypt:x', 1, '2026-01-01')"
                    ),
                    {"email": email},
                )
        upgrade(revision="7c1e5b2a9d40")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT session_key, must_change_password FROM staff_users")).all()
        keys = [key for key, _ in rows]
        assert len(set(keys)) == 2 and all(len(key) == 32 for key in keys)
        assert [must_change for _, must_change in rows] == [0, 0]
        db.engine.dispose()


def test_the_migrations_have_one_head():
    """Two branches that each added a revision on the same parent leave two heads, and `flask db upgrade`
    (scripts/run.sh) refuses to run; the revision that came second must follow the other."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[2] / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
