"""What every invitation and reminder says, in the person's language, whichever channel carries it."""

from __future__ import annotations

import math

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.delivery.channel import Message
from app.i18n import format_date
from app.instruments import instrument_for
from app.models import Campaign, Person

SECONDS_PER_QUESTION = 9


def person_language(person: Person) -> str:
    languages = current_app.config["LANGUAGES"]
    return person.language if person.language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


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
            lines.append(_("截止时间：%(date)s", date=format_date(campaign.closes_at, language)))
        lines.append(_("下面的链接只属于你，请不要转发；提交之前它一直有效。"))
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
