"""`flask board digest --month 2026-11 --channel dingtalk|email [--dry-run] --json`: the committee's monthly
digest to every active person, once per person and month (the scheduler sends it by itself; this is the
same send by hand, and its dry run lists who would receive what)."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click
from flask.cli import AppGroup

from analysis.months import Month, MonthError
from app.delivery import CHANNELS
from app.extensions import db

board_cli = AppGroup("board", help="改进建议公示栏 / The public board.")


def _fail(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@board_cli.command("digest")
@click.option("--month", "month_text", required=True, help="月份，如 2026-11")
@click.option("--channel", required=True, type=click.Choice(list(CHANNELS)))
@click.option("--dry-run", is_flag=True, help="只列出将发给谁、发什么，不发送")
@click.option("--json", "as_json", is_flag=True)
def digest(month_text: str, channel: str, dry_run: bool, as_json: bool) -> None:
    """Send MONTH's digest on CHANNEL to every active person who has not had it yet; waits until done."""
    from app.delivery.digest import DigestError, DigestPlan, send_digest

    try:
        month = Month.parse(month_text)
        result = send_digest(db.session, month, channel, dry_run=dry_run)
    except (MonthError, DigestError) as exc:
        _fail(str(exc))
    if isinstance(result, DigestPlan):
        _print_plan(result, as_json)
        return
    data: dict[str, int | str] = {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}
    if result.error:
        data.update(pending=result.pending, error=result.error)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"{month} 月度公示：已发送 {result.sent}，失败 {result.failed}，跳过 {result.skipped}")
    if result.error:
        click.echo(f"错误：{result.error}（未送达的 {result.pending} 人将稍后自动重试，或再次运行本命令）", err=True)
        sys.exit(1)


def _print_plan(plan, as_json: bool) -> None:
    data = plan.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"试运行（未发送）：{plan.month} 月度公示，渠道 {plan.channel}")
    click.echo(f"将发送 {data['sent']} 人，跳过 {data['skipped']} 人")
    for language, message in data["messages"].items():
        click.echo(f"\n[{language}] {message['subject']}")
        for line in message["lines"]:
            click.echo(f"  {line}")
        click.echo(f"  {message['action']}: {message['url']}")
    click.echo("")
    for recipient in data["recipients"]:
        where = recipient["address"] or f"跳过：{recipient['skipped']}"
        click.echo(
            f"{recipient['employee_id']}\t{recipient['name']}\t{recipient['department']}\t{where}\t{recipient['language']}"
        )


def init_app(app) -> None:
    app.cli.add_command(board_cli)
