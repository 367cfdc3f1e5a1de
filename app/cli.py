"""Command-line interface: `flask --app app users|people ...` (plus `db` from Flask-Migrate).

Human text by default, JSON with --json; exit status 1 on any failure.
"""

import getpass
import json
import os
import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models.staff import STAFF_ROLES

users_cli = AppGroup("users", help="工作人员账号 / Staff accounts.")
people_cli = AppGroup("people", help="人员名单 / People directory.")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES), help="必填：没有默认角色")
@click.option("--name", default=None)
def users_create(email: str, role: str, name: str | None):
    """Create a staff account; the password comes from CP_PASSWORD or a hidden prompt."""
    from app.staff import StaffUserError, create_staff_user

    password = os.environ.get("CP_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            _fail("错误：请通过环境变量 CP_PASSWORD 提供密码。")
        password = getpass.getpass("密码 / Password: ")
    try:
        user = create_staff_user(db.session, email, role, password, name=name)
    except StaffUserError as exc:
        _fail(f"错误：{exc}")
    db.session.commit()
    click.echo(f"已创建 {user.email}（{user.role}）")


@users_cli.command("token")
@click.argument("email")
def users_token(email: str):
    """Issue an API token for EMAIL; the token is printed on the last line, once."""
    from app.models import ApiToken
    from app.staff import find_staff_user

    user = find_staff_user(db.session, email)
    if user is None:
        _fail(f"错误：没有邮箱为 {email} 的账号")
    token, plain = ApiToken.issue(user, label="cli")
    db.session.add(token)
    db.session.commit()
    click.echo(f"已为 {user.email} 创建 API 令牌（只显示一次）：")
    click.echo(plain)


@people_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--deactivate-missing", is_flag=True, help="停用文件中没有的人员")
def people_import(file: str, deactivate_missing: bool):
    """Import people from a CSV or XLSX file, all or nothing."""
    from app.audit import record
    from app.people.directory import apply_import
    from app.people.importer import PEOPLE_LIMITS, parse_people_file
    from app.spreadsheets import read_upload

    result = parse_people_file(os.path.basename(file), read_upload(file, PEOPLE_LIMITS))
    if not result.ok:
        click.echo(f"导入失败，文件有 {len(result.errors)} 处问题，未写入任何数据：", err=True)
        for message in result.errors:
            click.echo("  " + message, err=True)
        sys.exit(1)
    summary = apply_import(db.session, result.rows, deactivate_missing)
    record("people.import", target_type="people", detail=summary.to_dict())
    db.session.commit()
    click.echo("导入成功：" + summary.describe())


@people_cli.command("sync")
@click.option("--source", required=True, type=click.Choice(["dingtalk"]), help="通讯录来源")
@click.option("--dry-run", is_flag=True, help="只显示将新增、更改和停用的人员，不写入")
@click.option("--deactivate-missing", is_flag=True, help="停用通讯录中没有的人员")
@click.option("--json", "as_json", is_flag=True)
def people_sync(source: str, dry_run: bool, deactivate_missing: bool, as_json: bool):
    """Read the people directory from DingTalk's address book, all or nothing."""
    from flask import current_app

    from app.audit import record
    from app.people.sync import SyncFailed, sync_from_dingtalk

    try:
        result = sync_from_dingtalk(db.session, current_app.config, dry_run, deactivate_missing)
    except SyncFailed as exc:
        _fail(f"错误：{exc}")
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    if not result.ok:
        click.echo(f"同步失败，钉钉通讯录有 {len(result.errors)} 处问题，未写入任何数据：", err=True)
        for message in result.errors:
            click.echo("  " + message, err=True)
        sys.exit(1)
    if not dry_run:
        assert result.summary is not None  # a sync without errors carries its summary
        record("people.sync", target_type="people", detail={"source": source, **result.summary.to_dict()})
        db.session.commit()
    if not as_json:
        _print_sync(result)


def _print_sync(result) -> None:
    details = result.summary.details()
    click.echo(("试运行（未写入）：" if result.dry_run else "同步成功：") + result.summary.describe())
    for person in details["added"]:
        click.echo(f"  新增 {person['employee_id']} {person['name']}（{person['department']}）")
    for person in details["changed"]:
        changes = "；".join(f"{k}: {old} → {new}" for k, (old, new) in person["changes"].items())
        click.echo(f"  更改 {person['employee_id']} {person['name']}：{changes}")
    for person in details["deactivated"]:
        click.echo(f"  停用 {person['employee_id']} {person['name']}（{person['department']}）")


@people_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def people_list(as_json: bool):
    """List people (employee_id, name, department, role, wave)."""
    from app.models import Department, Person

    people = (
        db.session.execute(select(Person).join(Person.department).order_by(Department.path, Person.employee_id))
        .scalars()
        .all()
    )
    if as_json:
        click.echo(
            json.dumps(
                [{k: p.to_dict()[k] for k in ("employee_id", "name", "department", "role", "wave")} for p in people],
                ensure_ascii=False,
            )
        )
        return
    for p in people:
        click.echo(f"{p.employee_id}\t{p.name}\t{p.department.path}\t{p.role_label}\t{p.wave or ''}")


@users_cli.command("ensure-admin")
@click.argument("email")
def users_ensure_admin(email: str):
    """Create an admin account with a random password if there is no admin yet; prints it once."""
    import secrets

    from app.models import StaffUser
    from app.staff import StaffUserError, create_staff_user

    if db.session.execute(select(StaffUser.id).where(StaffUser.role == "admin")).first():
        click.echo("已有管理员账号，跳过创建。")
        return
    password = os.environ.get("CP_PASSWORD") or secrets.token_urlsafe(12)
    try:
        user = create_staff_user(db.session, email, "admin", password, name="管理员")
    except StaffUserError as exc:
        _fail(f"错误：{exc}")
    db.session.commit()
    click.echo("=" * 60)
    click.echo(f"已创建管理员账号 / admin created: {user.email}")
    click.echo(f"密码（只显示这一次）/ password (shown once): {password}")
    click.echo("=" * 60)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="只在数据库没有人员时生成")
def demo_command(if_empty: bool):
    """Seed the demo organisation, staff accounts and two quarters of survey data."""
    from app import demo
    from app.models import Person

    if if_empty and db.session.execute(select(Person.id).limit(1)).first():
        click.echo("数据库已有数据，跳过演示数据。")
        return
    summary = demo.seed_people(db.session)
    created, password = demo.seed_staff(db.session, os.environ.get("CP_PASSWORD"))
    db.session.commit()
    click.echo("演示人员：" + summary.describe())
    campaigns = demo.seed_surveys(db.session)
    click.echo(f"演示问卷活动：{len(campaigns)} 个（2026Q3 已结束，2026Q4 进行中）")
    receipt = demo.seed_loop(db.session)
    click.echo("演示意见主题和改进建议已生成，公示栏：/board/")
    demo.seed_usage(db.session)
    click.echo("演示使用数据：2026Q3、2026Q4；季度报告：/reports/2026Q4")
    if receipt:
        click.echo(f"一位演示员工的回执码（在 /board/receipt 查询）：{receipt}")
    if created:
        click.echo("=" * 60)
        click.echo("演示账号 / demo accounts: " + "、".join(created))
        click.echo(f"密码（只显示这一次）/ password (shown once): {password}")
        click.echo("=" * 60)


backup_cli = AppGroup("backup", help="备份与恢复 / Backups.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_create(path: str):
    """Back up the database to PATH (with PATH.json: row counts and checksum)."""
    from app.backup import BackupError, create

    try:
        manifest = create(db.engine, path)
    except BackupError as exc:
        _fail(f"备份失败：{exc}")
    total = sum(manifest["counts"].values())
    click.echo(f"已备份到 {path}：{len(manifest['counts'])} 张表，共 {total} 行")
    for table, count in manifest["counts"].items():
        click.echo(f"  {table}\t{count}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def backup_restore(path: str):
    """Restore PATH into this (empty) database, then check integrity and row counts."""
    from app.backup import BackupError, restore

    try:
        result = restore(db.engine, path)
    except BackupError as exc:
        _fail(f"恢复失败：{exc}")
    click.echo(f"已恢复，完整性检查通过，行数与备份一致（共 {sum(result['counts'].values())} 行）")


jobs_cli = AppGroup("jobs", help="后台任务 / Background jobs.")


@jobs_cli.command("list")
@click.option("--active", is_flag=True, help="只列出排队中和进行中的任务")
@click.option("--json", "as_json", is_flag=True)
def jobs_list(active: bool, as_json: bool):
    """List recent jobs (after marking those whose process died as failed)."""
    from app.jobs import ACTIVE, check_all, job_dict
    from app.models import BackgroundJob

    check_all(db.session)
    query = select(BackgroundJob).order_by(BackgroundJob.created_at.desc()).limit(100)
    if active:
        query = query.where(BackgroundJob.status.in_(ACTIVE))
    jobs = db.session.execute(query).scalars().all()
    if as_json:
        click.echo(
            json.dumps(
                [{**job_dict(job), "target": [job.target_type, job.target_id]} for job in jobs], ensure_ascii=False
            )
        )
        return
    for job in jobs:
        click.echo(
            f"{job.id}\t{job.kind}\t{job.status}\t{job.backend}\t{job.created_at:%Y-%m-%d %H:%M}\t{job.error or ''}"
        )


@jobs_cli.command("check")
def jobs_check():
    """Mark jobs whose process died (no heartbeat, RQ work-horse killed) as failed; for cron."""
    from app.jobs import check_all

    failed = check_all(db.session)
    click.echo(f"已将 {len(failed)} 个中断的任务标记为失败" if failed else "没有中断的任务")
    for job in failed:
        click.echo(f"  {job.id}\t{job.kind}\t{job.error}")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(people_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_cli)
    app.cli.add_command(jobs_cli)
