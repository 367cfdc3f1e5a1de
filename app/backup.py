"""Backups: `flask backup create PATH` and `flask backup restore PATH` (into an empty database).

SQLite uses the online backup API; PostgreSQL uses pg_dump / pg_restore (custom format). Beside the
backup a manifest (PATH + ".json") records the row count of every table and the file's SHA-256; restore
checks the file against it, restores, runs an integrity check and compares the counts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    pass


def table_counts(engine) -> dict[str, int]:
    names = sorted(inspect(engine).get_table_names())
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库没有可备份或恢复的文件：请使用数据库文件")
    return url.database


def _pg_env_args(url):
    args = [
        "--host",
        url.host or "127.0.0.1",
        "--port",
        str(url.port or 5432),
        "--username",
        url.username or "postgres",
        "--dbname",
        url.database,
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def create(engine, path: str | Path) -> dict:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = table_counts(engine)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_file(url))
        target = sqlite3.connect(path)
        with target:
            source.backup(target)
        source.close()
        target.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_env_args(url)
        run([shutil.which("pg_dump") or "pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args], env)
    else:
        raise BackupError(f"不支持的数据库：{url.get_backend_name()}")
    manifest = {"backend": url.get_backend_name(), "counts": counts, "sha256": sha256_of(path)}
    Path(str(path) + ".json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def restore(engine, path: str | Path) -> dict:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    path = Path(path)
    manifest_path = Path(str(path) + ".json")
    if not path.is_file() or not manifest_path.is_file():
        raise BackupError(f"找不到备份文件或它的清单：{path}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if sha256_of(path) != manifest["sha256"]:
        raise BackupError("备份文件的校验和与清单不符，文件可能已损坏")
    if any(table_counts(engine).values()):
        raise BackupError("目标数据库不是空的：只能恢复到空数据库")
    if url.get_backend_name() != manifest["backend"]:
        raise BackupError(f"备份来自 {manifest['backend']}，不能恢复到 {url.get_backend_name()}")
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"备份文件完整性检查失败：{check}")
        target = sqlite3.connect(_sqlite_file(url))
        with target:
            for (name,) in target.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                target.execute(f'DROP TABLE IF EXISTS "{name}"')
        source.backup(target)
        source.close()
        target.close()
    else:
        args, env = _pg_env_args(url)
        run(
            [
                shutil.which("pg_restore") or "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env,
        )
    restored = table_counts(engine)
    if restored != manifest["counts"]:
        different = {
            k: (manifest["counts"].get(k), restored.get(k))
            for k in set(restored) | set(manifest["counts"])
            if restored.get(k) != manifest["counts"].get(k)
        }
        raise BackupError(f"恢复后的行数与备份不符：{different}")
    return {"counts": restored}


def run(command: list[str], env: dict) -> None:
    import os

    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{result.stderr.strip()[:500]}")
