"""What every message says, in the person's language, whichever channel carries it: invitations and reminders
to a survey, and the committee's monthly digest (你说，我们做)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from analysis.months import Month
from app.delivery.channel import Message
from app.i18n import format_local_time, format_month
from app.instruments import instrument_for
from app.models import Campaign, Person

SECONDS_PER_QUESTION = 9


def person_language(person: Person) -> str:
    languages = current_app.config["LANGUAGES"]
    language = person.language
    return language if language is not None and language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def estimated_minutes(campaign: Campaign) -> int:
    questions = len(instrument_for(campaign.instrument_version).questions)
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def compose(campaign: Campaign, person: Person, url: str, reminder: bool, minutes: int) -> Message:
    """The message for one person: survey title, time it takes, closing date, anonymity notice, link."""
    language = person_language(person)
    with force_locale(language):
        title = campaign.instrument_version.instrument
        survey = campaign.title
        subject = _("提醒：请填写“%(title)s”", title=survey) if reminder else _("请填写“%(title)s”", title=survey)
        lines = [
            _("这是一条提醒：你还没有填写这份问卷。") if reminder else _("邀请你参加一份简短的问卷。"),
            _("问卷：%(title)s（%(name)s）", title=survey, name=title.name_zh if language == "zh" else title.name_en),
            _("大约需要 %(n)s 分钟。", n=minutes),
        ]
        if campaign.closes_at is not None:
            lines.append(_("截止时间：%(date)s", date=format_local_time(campaign.closes_at, language)))
        lines.append(_("下面的链接只属于你，请不要转发；提交之前它一直有效。"))
        notice: tuple[str, ...]
        if campaign.mode == "anonymous":
            notice_title = _("匿名说明")
            notice = (
                _("记录的内容：你的答案、提交的日期（不含时间），以及你的部门、角色和上线批次。"),
                _("不记录的内容：姓名、工号、链接、IP 地址、设备和提交的具体时间；答案无法与你或这条消息关联。"),
                _("结果只按至少 %(k)s 人的分组汇总显示。", k=campaign.min_group),
            )
        else:
            notice_title = _("保密说明")
            notice = (
                _("结果只以汇总形式呈现，按至少 %(k)s 人的分组显示。", k=campaign.min_group),
                _("不记录你的 IP 地址、设备和提交的具体时间。"),
            )
        return Message(
            language=language,
            recipient_name=person.name,
            subject=subject,
            greeting=_("%(name)s，你好：", name=person.name),
            lines=tuple(lines),
            notice_title=notice_title,
            notice=notice,
            action=_("开始填写"),
            url=url,
            reminder=reminder,
        )


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a message (sent outside any request): PUBLIC_BASE_URL and the route's path."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


DIGEST_LISTED = 5  # implemented and adopted suggestions named in a digest; the month page has the rest


@dataclass(frozen=True)
class DigestContent:
    """What a month's digest tells everyone: the counts, what was implemented (with what changed) and
    adopted, the committee's introduction (None: the default one) and the links."""

    month: Month
    received: int
    adopted: tuple[str, ...]
    implemented: tuple[tuple[str, str | None], ...]
    declined: int
    introduction: str | None
    month_url: str
    suggest_url: str


def compose_digest(content: DigestContent, person: Person) -> Message:
    """The digest for one person: what was adopted and implemented that month, the link to the month's
    account, and how to drop a suggestion. Titles, notes and the introduction are shown as written."""
    language = person_language(person)
    with force_locale(language):
        month = format_month(str(content.month), language)
        lines = [
            content.introduction or _("这是改进委员会%(month)s的公示：你们提的意见，我们做了什么。", month=month),
            _(
                "%(month)s收到建议 %(n)s 条，采纳 %(m)s 条，已实施 %(k)s 条，未采纳 %(d)s 条（均附理由）。",
                month=month,
                n=content.received,
                m=len(content.adopted),
                k=len(content.implemented),
                d=content.declined,
            ),
        ]
        for title, note in content.implemented[:DIGEST_LISTED]:
            lines.append(
                _("已实施：%(title)s——%(note)s", title=title, note=note)
                if note
                else _("已实施：%(title)s", title=title)
            )
        for title in content.adopted[:DIGEST_LISTED]:
            lines.append(_("已采纳：%(title)s", title=title))
        more = max(len(content.implemented) - DIGEST_LISTED, 0) + max(len(content.adopted) - DIGEST_LISTED, 0)
        if more:
            lines.append(_("另有 %(n)s 条，见公示页。", n=more))
        lines.append(_("每一条决定和理由都在本月公示页上。"))
        return Message(
            language=language,
            recipient_name=person.name,
            subject=_("你说，我们做：%(month)s改进委员会公示", month=month),
            greeting=_("%(name)s，你好：", name=person.name),
            lines=tuple(lines),
            notice_title=_("怎么提建议"),
            notice=(
                _("随时在这里提建议，无需登录，不记录姓名：%(url)s", url=content.suggest_url),
                _("问卷里的意见也会汇总成主题，交给改进委员会。"),
            ),
            action=_("查看%(month)s公示", month=month),
            url=content.month_url,
            reminder=False,
        )
