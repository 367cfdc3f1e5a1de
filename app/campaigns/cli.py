"""`flask campaigns …` and `flask invitations …` commands."""

import csv
import json
import sys
from datetime import datetime
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.campaigns.service import (
    INVITATION_COLUMNS,
    CampaignError,
    CampaignSpec,
    campaign_dict,
    change_status,
    create_campaign,
    invitation_links,
    invitation_rows,
    issue_invitations,
    open_link_url,
    response_rates,
    text_threshold,
)
from app.extensions import db
from app.i18n import utc_from_local
from app.instruments import InstrumentNotFound, latest_version
from app.models import Campaign

campaigns_cli = AppGroup("campaigns", help="问卷活动 / Survey campaigns.")
invitations_cli = AppGroup("invitations", help="邀请链接 / Invitations.")


def _fail(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _parse_datetime(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return utc_from_local(datetime.fromisoformat(value))
    except ValueError:
        _fail(f"{option} 应为日期或日期时间，如 2026-11-30 或 2026-11-30T09:00，收到“{value}”")


def _get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        _fail(f"没有编号为 {campaign_id} 的问卷活动")
    return campaign


@campaigns_cli.command("create")
@click.option("--instrument", required=True, help="quarterly-satisfaction 或 change-readiness")
@click.option("--quarter", required=True, help="如 2026Q4")
@click.option("--title", default="")
@click.option("--department", "departments", multiple=True, help="部门路径（含下级部门），可重复")
@click.option("--role", "roles", multiple=True, help="employee/manager/executive/digital_admin，可重复")
@click.option("--wave", "waves", multiple=True, help="上线批次，可重复")
@click.option("--opens", default=None, help="开始时间（公司所在时区，BABEL_DEFAULT_TIMEZONE）；不填则立即开始")
@click.option("--closes", default=None, help="结束时间（公司所在时区）")
@click.option("--mode", type=click.Choice(["anonymous", "confidential"]), default="anonymous")
@click.option("--min-group", type=int, default=None, help="匿名门槛（默认取配置，不低于 3）")
@click.option("--open-link", is_flag=True, help="同时生成一个公共链接（用于海报二维码）")
@click.option("--repeat-quarterly", is_flag=True, help="每季度重复：在下季度开始前自动创建下季度的活动")
@click.option("--lead-days", type=int, default=14, show_default=True, help="提前几天创建下季度的活动")
@click.option("--json", "as_json", is_flag=True)
def campaigns_create(
    instrument,
    quarter,
    title,
    departments,
    roles,
    waves,
    opens,
    closes,
    mode,
    min_group,
    open_link,
    repeat_quarterly,
    lead_days,
    as_json,
):
    """Create a campaign; without --opens it is open at once."""
    try:
        version = latest_version(db.session, instrument)
    except InstrumentNotFound as exc:
        _fail(str(exc))
    config = current_app.config
    spec = CampaignSpec(
        instrument_version_id=version.id,
        quarter=quarter,
        title=title,
        departments=list(departments),
        roles=list(roles),
        waves=list(waves),
        opens_at=_parse_datetime(opens, "--opens"),
        closes_at=_parse_datetime(closes, "--closes"),
        mode=mode,
        min_group=min_group or config["ANONYMITY_MIN_GROUP"],
        min_group_text=text_threshold(min_group or config["ANONYMITY_MIN_GROUP"], config["ANONYMITY_MIN_GROUP_TEXT"]),
        open_link=open_link,
        repeat_lead_days=lead_days if repeat_quarterly else None,
    )
    try:
        campaign, open_token = create_campaign(db.session, spec)
    except CampaignError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    data = campaign_dict(campaign)
    if open_token:
        data["open_link"] = open_link_url(config["PUBLIC_BASE_URL"], open_token)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"已创建问卷活动 #{campaign.id}：{campaign.title}（{campaign.quarter}）")
        if open_token:
            click.echo(f"公共链接：{data['open_link']}")


@campaigns_cli.command("schedule")
@click.option("--json", "as_json", is_flag=True)
def campaigns_schedule(as_json):
    """Create the next quarter's campaigns of repeating campaigns that are due, and open those whose time has
    come (the scheduler does this every 10 minutes; run it from cron where no scheduler runs)."""
    from app.campaigns.repeat import schedule

    done = schedule(db.session)
    if as_json:
        click.echo(json.dumps(done.to_dict()))
        return
    click.echo(f"新建下季度活动 {len(done.created)} 个，自动开始 {len(done.opened)} 个")
    for campaign_id in done.created:
        click.echo(f"  已创建 #{campaign_id}")
    for campaign_id in done.opened:
        click.echo(f"  已开始 #{campaign_id}")


@campaigns_cli.command("open")
@click.argument("campaign_id", type=int)
def campaigns_open(campaign_id):
    _change_status(campaign_id, "open", "问卷活动 #{id} 已开始")


@campaigns_cli.command("close")
@click.argument("campaign_id", type=int)
def campaigns_close(campaign_id):
    _change_status(campaign_id, "closed", "问卷活动 #{id} 已结束")


def _change_status(campaign_id: int, to: str, done: str) -> None:
    campaign = _get_campaign(campaign_id)
    try:
        change_status(db.session, campaign, to)
    except CampaignError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(done.format(id=campaign.id))


@campaigns_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def campaigns_list(as_json):
    campaigns = db.session.execute(select(Campaign).order_by(Campaign.id)).scalars().all()
    rows = [campaign_dict(c, response_rates(db.session, c)) for c in campaigns]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        rate = "—" if row["response_rate"] is None else f"{row['response_rate'] * 100:.0f}%"
        click.echo(
            f"#{row['id']}\t{row['quarter']}\t{row['status']}\t{row['title']}\t"
            f"{row['completed']}/{row['invited']}（{rate}）"
        )


@invitations_cli.command("export")
@click.argument("campaign_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv")
@click.option("--reissue-pending", is_flag=True, help="重新生成：为尚未提交的人换新链接（旧链接随即失效）")
def invitations_export(campaign_id, fmt, reissue_pending):
    """Create missing invitations and print every pending link as CSV (employee_id,name,department,url).

    Links are derived from SECRET_KEY, so printing them again changes nothing; --reissue-pending
    replaces the links of people who have not answered yet (the old ones stop working).
    """
    campaign = _get_campaign(campaign_id)
    try:
        issued = issue_invitations(db.session, campaign, reissue_pending=reissue_pending)
    except CampaignError as exc:
        _fail(str(exc))
    db.session.commit()
    links, legacy = invitation_links(db.session, campaign)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerows([INVITATION_COLUMNS, *invitation_rows(links, current_app.config["PUBLIC_BASE_URL"])])
    click.echo(f"新生成 {len(issued)} 个邀请链接，共输出 {len(links)} 个尚未提交的链接", err=True)
    if legacy:
        click.echo(
            f"另有 {legacy} 个升级前生成的链接无法再次输出（仍然有效）；如需重发，请加 --reissue-pending 重新生成",
            err=True,
        )


def _print_counts(counts, as_json: bool, done: str) -> None:
    """The counts as JSON or a sentence; exit status 1 when something is left for a retry."""
    if as_json:
        click.echo(json.dumps(counts.to_dict(), ensure_ascii=False))
    else:
        click.echo(
            f"{done}：已发送 {counts.sent}，失败 {counts.failed}，跳过 {counts.skipped}，待重试 {counts.pending}"
        )
    if counts.error:
        click.echo(f"错误：{counts.error}（未送达的将稍后自动重试，或再次运行本命令）", err=True)
        sys.exit(1)


def _channel_option(function):
    from app.delivery import CHANNELS

    return click.option("--channel", required=True, type=click.Choice(list(CHANNELS)), help="发送渠道")(function)


@campaigns_cli.command("reminders")
@click.argument("campaign_id", type=int)
@click.option("--after-days", type=int, default=None, help="未作答几天后自动提醒（不填则不自动提醒）")
@click.option("--max", "max_reminders", type=int, default=1, show_default=True, help="最多提醒几次")
def campaigns_reminders(campaign_id, after_days, max_reminders):
    """Automatic reminders: after N days without an answer, at most M times (never in quiet hours)."""
    from app.delivery.service import set_reminders

    campaign = _get_campaign(campaign_id)
    try:
        set_reminders(campaign, after_days, max_reminders if after_days else 0)
    except CampaignError as exc:
        _fail(str(exc))
    db.session.commit()
    if campaign.remind_after_days:
        click.echo(
            f"问卷活动 #{campaign.id}：未作答 {campaign.remind_after_days} 天后自动提醒，最多 {campaign.remind_max} 次"
        )
    else:
        click.echo(f"问卷活动 #{campaign.id}：不自动提醒")


@invitations_cli.command("send")
@click.argument("campaign_id", type=int)
@_channel_option
@click.option("--dry-run", is_flag=True, help="只统计将发送给谁，不发送")
@click.option("--json", "as_json", is_flag=True)
def invitations_send(campaign_id, channel, dry_run, as_json):
    """Send each pending invitation that has not been sent on CHANNEL yet; waits until done."""
    from app.delivery.service import send_invitations

    campaign = _get_campaign(campaign_id)
    try:
        counts = send_invitations(db.session, campaign, channel, dry_run=dry_run)
    except CampaignError as exc:
        _fail(str(exc))
    _print_counts(counts, as_json, "试运行（未发送）" if dry_run else "邀请已发送")


@invitations_cli.command("remind")
@click.argument("campaign_id", type=int)
@_channel_option
@click.option("--json", "as_json", is_flag=True)
def invitations_remind(campaign_id, channel, as_json):
    """Remind everyone whose invitation is still pending, on CHANNEL; waits until done."""
    from app.delivery.service import send_reminders

    campaign = _get_campaign(campaign_id)
    try:
        counts = send_reminders(db.session, campaign, channel)
    except CampaignError as exc:
        _fail(str(exc))
    _print_counts(counts, as_json, "提醒已发送")


@invitations_cli.command("remind-due")
@click.option("--json", "as_json", is_flag=True)
def invitations_remind_due(as_json):
    """For cron: retry pending deliveries and send the automatic reminders that are due (not in quiet hours)."""
    from app.delivery.service import remind_due

    counts = remind_due()
    if as_json:
        data = counts.to_dict()
        data["campaigns"] = {str(k): v for k, v in counts.by_campaign.items()}
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(
            f"自动提醒：已发送 {counts.sent}，失败 {counts.failed}，跳过 {counts.skipped}，待重试 {counts.pending}"
        )
    if counts.error:
        click.echo(f"错误：{counts.error}", err=True)
        sys.exit(1)


def init_app(app) -> None:
    for group in (campaigns_cli, invitations_cli):
        app.cli.add_command(group)
