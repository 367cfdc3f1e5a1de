from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import QuarterField
from app.i18n import USER_DATA
from app.models import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PlanFields(FlaskForm):
    """What can still change before a campaign opens (app.campaigns.service.CampaignPlan): title, audience
    and dates; the new-campaign form and the edit form both have them (macros/campaigns.html, plan_fields)."""

    title = StringField(_l("标题"), validators=[Length(max=200)])
    departments = SelectMultipleField(
        _l("部门（含下级部门；不选则为全部）"), choices=[], validate_choice=True, render_kw=USER_DATA
    )
    roles = MultiCheckboxField(_l("角色（不选则为全部）"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()])
    waves = MultiCheckboxField(_l("上线批次（不选则为全部）"), choices=[], render_kw=USER_DATA)
    opens_at = DateTimeLocalField(_l("开始时间（不填则立即开始）"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("结束时间"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class CampaignForm(PlanFields):
    """A new campaign: its plan, and what is fixed when it is created (app.campaigns.service.CampaignSpec)."""

    instrument = SelectField(_l("问卷"), validators=[DataRequired(message=_l("请选择问卷"))])
    quarter = QuarterField(_l("季度"), validators=[DataRequired(message=_l("请填写季度"))])
    mode = RadioField(
        _l("模式"),
        default="anonymous",
        choices=[SelectChoice("anonymous", _l("匿名（默认）")), SelectChoice("confidential", _l("保密"))],
    )
    min_group = IntegerField(
        _l("匿名门槛（人）"),
        validators=[
            DataRequired(message=_l("请填写匿名门槛")),
            NumberRange(min=3, max=1000, message=_l("匿名门槛需在 3 到 1000 之间")),
        ],
    )
    open_link = BooleanField(_l("生成公共链接（用于海报二维码，单独计数）"))
    draft = BooleanField(_l("先保存为草稿，暂不开始"))
    repeats_quarterly = BooleanField(_l("每季度重复：自动创建下季度的活动"))
    repeat_lead_days = IntegerField(
        _l("提前几天创建下季度的活动"),
        default=14,
        validators=[Optional(), NumberRange(min=1, max=60, message=_l("提前天数需在 1 到 60 天之间"))],
    )
    submit = SubmitField(_l("创建问卷活动"))


class RepeatForm(FlaskForm):
    """Repeating every quarter, on or off, and how many days before the next quarter its campaign is created."""

    repeats_quarterly = BooleanField(_l("每季度重复：自动创建下季度的活动"))
    repeat_lead_days = IntegerField(
        _l("提前几天创建下季度的活动"),
        validators=[
            DataRequired(message=_l("请填写提前天数")),
            NumberRange(min=1, max=60, message=_l("提前天数需在 1 到 60 天之间")),
        ],
    )
    submit = SubmitField(_l("保存重复设置"))


class PlanForm(PlanFields):
    """A campaign's plan changed before it opens."""

    submit = SubmitField(_l("保存"))


class RegenerateForm(FlaskForm):
    """ "重新生成": a separate, explicit action that replaces (and so cancels) every pending link."""

    confirm = BooleanField(
        _l("我明白：尚未提交的人手中的旧链接和二维码将全部失效"), validators=[DataRequired(message=_l("请勾选确认"))]
    )
    submit = SubmitField(_l("重新生成链接"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("确定"))


class ExportForm(FlaskForm):
    file_format = SelectField(
        _l("导出内容"),
        choices=[
            SelectChoice("xlsx", _l("Excel 工作簿（分组结果 + 匿名原始答案）")),
            SelectChoice("csv-answers", _l("CSV：匿名原始答案")),
            SelectChoice("csv-segments", _l("CSV：分组结果")),
        ],
    )
    submit = SubmitField(_l("在后台生成"))


def channel_choices() -> list[SelectChoice]:
    return [SelectChoice("dingtalk", _l("钉钉工作通知")), SelectChoice("email", _l("电子邮件"))]


class SendForm(FlaskForm):
    """ "发送邀请" or "提醒未作答的人": which channel; the purpose comes from the button's route."""

    channel = SelectField(_l("渠道"), choices=channel_choices())
    submit = SubmitField(_l("发送"))


class ReminderSettingsForm(FlaskForm):
    remind_after_days = IntegerField(
        _l("未作答几天后自动提醒"),
        validators=[Optional(), NumberRange(min=1, max=60, message=_l("天数需在 1 到 60 之间"))],
    )
    remind_max = IntegerField(
        _l("最多提醒几次"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10, message=_l("次数需在 0 到 10 之间"))],
    )
    submit = SubmitField(_l("保存提醒设置"))


class LinkSheetForm(FlaskForm):
    """Reprint links (CSV or QR sheet) of one department or one person; never changes a link."""

    department = SelectField(_l("部门（含下级部门；不选则为全部）"), choices=[], default="")
    employee_id = StringField(_l("或一个人的工号"), validators=[Optional(), Length(max=64)])
    csv = SubmitField(_l("下载链接 CSV"))
    qr = SubmitField(_l("打印二维码"))
