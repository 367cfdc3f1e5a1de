"""upgrade → downgrade → upgrade on a populated database keeps every row, on SQLite and PostgreSQL.

Every table of the models is filled with three rows (Chinese text, emoji, NULL in every nullable
column, values that satisfy the CHECK constraints, foreign keys to real parent rows); the database is
then downgraded to the first revision and upgraded again. Row counts and checksums of every column
that exists at the first revision must be unchanged after the downgrade and after the upgrade;
columns and tables added by later revisions come back empty, as their downgrade documents.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    create_engine,
    select,
    text,
)

from app import create_app
from app.extensions import db
from tests.conftest import make_config

FIRST_REVISION = "1ccb65863fe9"
ROWS = 3
IN_LIST = re.compile(r"^\s*(\w+)\s+IN\s*\((.*)\)\s*$", re.S)
AT_LEAST = re.compile(r"^\s*(\w+)\s*>=\s*(\d+)\s*$")
BETWEEN = re.compile(r"^\s*(\w+)\s*>=\s*(\d+)\s+AND\s+\1\s*<=\s*(\d+)\s*$")
BETWEEN_SQL = re.compile(r"^\s*(\w+)\s+BETWEEN\s+(\d+)\s+AND\s+(\d+)\s*$", re.I)


def allowed_values(table) -> dict[str, list]:
    """Column → values its CHECK constraints accept ("x IN ('a', 'b')", "x >= 3", "x >= 1 AND x <= 60",
    "x BETWEEN 1 AND 28" forms)."""
    allowed = {}
    for constraint in table.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        sql = str(constraint.sqltext)
        if match := IN_LIST.match(sql):
            allowed[match.group(1)] = re.findall(r"'([^']*)'", match.group(2))
        elif match := AT_LEAST.match(sql):
            allowed[match.group(1)] = [int(match.group(2)) + i for i in range(ROWS)]
        elif match := BETWEEN.match(sql) or BETWEEN_SQL.match(sql):
            low, high = int(match.group(2)), int(match.group(3))
            allowed[match.group(1)] = [min(low + i, high) for i in range(ROWS)]
        else:
            raise AssertionError(f"teach the filler the CHECK constraint {sql!r} of {table.name}")
    return allowed


def value_for(column, row: int, parents: dict):
    """Row 0 leaves every nullable column NULL; rows 1..2 carry values, Chinese where text."""
    table = column.table
    if column.foreign_keys:
        foreign_key = next(iter(column.foreign_keys))
        if foreign_key.column.table is table or (column.nullable and row == 0 and not column.primary_key):
            return None
        keys = parents[foreign_key.column.table.name][foreign_key.column.name]
        return keys[row % len(keys)]
    if column.nullable and row == 0 and not column.primary_key:
        return None
    allowed = allowed_values(table).get(column.name)
    if allowed:
        return allowed[row % len(allowed)]
    kind = column.type
    if isinstance(kind, Boolean):
        return row % 2 == 1
    if isinstance(kind, Integer):
        return row + 1
    if isinstance(kind, Float):
        return 0.25 + row
    if isinstance(kind, DateTime):
        return datetime(2026, 10, 1 + row, 9, 30, 15)
    if isinstance(kind, Date):
        return date(2026, 10, 1 + row)
    if isinstance(kind, JSON):
        return {"说明": f"第{row}行", "空": None, "列表": [row, "审批"]}
    if isinstance(kind, LargeBinary):
        return bytes([row, 0, 255]) * 10
    if isinstance(kind, (String, Text)):
        value = f"{row}号·{table.name}.{column.name}·审批太慢😡"
        return value[: kind.length] if getattr(kind, "length", None) else value
    raise AssertionError(f"teach the filler the type {kind!r} of {table.name}.{column.name}")


def fill_every_table(engine, metadata) -> None:
    parents: dict = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = [{column.name: value_for(column, row, parents) for column in table.columns} for row in range(ROWS)]
            connection.execute(table.insert(), rows)
            parents[table.name] = {column.name: [r[column.name] for r in rows] for column in table.columns}


def table_rows(engine) -> dict[str, dict[str, list]]:
    """Every table as column → values in primary-key order (the database's own view of its schema)."""
    reflected = MetaData()
    reflected.reflect(engine)
    out = {}
    with engine.connect() as connection:
        for name, table in reflected.tables.items():
            if name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(select(table).order_by(*order)).mappings().all()
            out[name] = {column.name: [row[column.name] for row in result] for column in table.columns}
    return out


def checksum(values: list) -> str:
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


COARSENED_AT_REST = {("responses", "department_path"), ("responses", "role"), ("responses", "wave")}
"""Columns a revision coarsens on purpose (ebffb6f0c05a: no stored response names a unit of fewer than k
invited people): after an upgrade each value is kept, cut to an ancestor department, or emptied."""


def coarsened(original, stored) -> bool:
    if stored is None or stored == original:
        return True
    return isinstance(original, str) and original.startswith(stored + "/")


def assert_kept(before: dict, after: dict, schema: dict, coarsening: bool = False) -> None:
    """Each table and column of `schema` has the same row count and checksum in `after` as in `before`
    (with `coarsening`, the coarsened-at-rest columns only hold their original or a coarser value)."""
    for table, columns in schema.items():
        if table not in before:  # dropped by a later revision: it comes back empty on the way down
            assert all(len(values) == 0 for values in after.get(table, {}).values()), f"{table} not empty"
            continue
        assert len(next(iter(after[table].values()))) == len(next(iter(before[table].values()))), table
        for column in columns:
            if coarsening and (table, column) in COARSENED_AT_REST:
                pairs = zip(before[table][column], after[table][column])
                assert all(coarsened(old, new) for old, new in pairs), f"{table}.{column} not only coarsened"
                continue
            assert checksum(after[table][column]) == checksum(before[table][column]), f"{table}.{column} changed"


def round_trip(app) -> None:
    with app.app_context():
        upgrade()
        fill_every_table(db.engine, db.metadata)
        before = table_rows(db.engine)
        assert all(len(next(iter(columns.values()))) == ROWS for columns in before.values())
        assert any("审批太慢😡" in str(v) for v in before["answers"]["value_text"])
        assert None in before["people"]["email"]

        downgrade(revision=FIRST_REVISION)
        first = table_rows(db.engine)
        first_schema = {table: list(columns) for table, columns in first.items()}
        assert_kept(before, first, first_schema)

        upgrade()
        after = table_rows(db.engine)
        assert_kept(before, after, first_schema, coarsening=True)
        for table in set(after) - set(first_schema):  # tables a later revision adds come back empty
            assert all(len(values) == 0 for values in after[table].values()), f"{table} not empty"
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
        assert diff == []
        db.engine.dispose()


def test_round_trip_keeps_every_row_on_sqlite(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'populated.sqlite'}"))
    round_trip(app)
    engine = create_engine(f"sqlite:///{tmp_path / 'populated.sqlite'}")
    with engine.connect() as connection:
        for table in ("responses", "answers"):
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table}).scalar_one()
            assert "WITHOUT ROWID" in sql.upper(), f"{table} lost WITHOUT ROWID"
    engine.dispose()


def test_round_trip_keeps_every_row_on_postgresql(postgres_url):
    database = "rt_" + uuid.uuid4().hex[:10]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        round_trip(create_app(make_config(SQLALCHEMY_DATABASE_URI=postgres_url.rsplit("/", 1)[0] + "/" + database)))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def test_filler_satisfies_every_check_constraint_of_the_models():
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI="sqlite://"))
    with app.app_context():
        for table in db.metadata.sorted_tables:
            allowed_values(table)  # raises on a CHECK constraint the filler cannot satisfy


BATCH_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "ffffffffffff"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("suggestions") as batch_op:
        batch_op.add_column(sa.Column("probe", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("suggestions") as batch_op:
        batch_op.drop_column("probe")
"""


def test_sqlite_batch_migration_of_a_parent_table_keeps_its_children(tmp_path):
    """A batch copy drops the old table; with foreign keys on, SQLite would cascade that to child rows."""
    import shutil

    from alembic.script import ScriptDirectory

    from app import _migrations_dir

    directory = tmp_path / "migrations"
    shutil.copytree(_migrations_dir(), directory, ignore=shutil.ignore_patterns("__pycache__"))
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'batch.sqlite'}"))
    with app.app_context():
        upgrade(directory=str(directory))
        head = ScriptDirectory(str(directory)).get_current_head()
        (directory / "versions" / "ffffffffffff_probe.py").write_text(BATCH_REVISION.format(head=head))
        fill_every_table(db.engine, db.metadata)
        before = table_rows(db.engine)
        assert len(before["suggestion_events"]["id"]) == ROWS and len(before["suggestion_themes"]["theme_id"]) == ROWS
        upgrade(directory=str(directory))
        downgrade(directory=str(directory), revision=head)
        after = table_rows(db.engine)
        for table in ("suggestion_events", "suggestion_themes", "webhook_deliveries"):
            assert_kept(before, after, {table: list(before[table])})
        db.engine.dispose()
