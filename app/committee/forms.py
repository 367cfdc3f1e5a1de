from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.i18n import USER_DATA


def module_select(modules: dict[str, str]) -> list[SelectChoice]:
    """The choices of a module field: none, then the modules (`app.committee.service.module_choices`)."""
    return [SelectChoice("", "—")] + [SelectChoice(code, label) for code, label in modules.items()]


class SuggestionForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写标题")), Length(max=200)])
    description = TextAreaField(_l("说明"), validators=[Length(max=5000)])
    module = SelectField(_l("模块"), choices=[], validators=[Optional()])


class TransitionForm(FlaskForm):
    to = SelectField(_l("新状态"), choices=[])
    note = TextAreaField(_l("说明（不采纳的理由、实施了什么，会公开显示）"), validators=[Length(max=2000)])
    owner = SelectField(_l("负责人"), choices=[], validators=[Optional()])
    target_quarter = StringField(_l("目标季度"), validators=[Optional(), Length(max=6)])
    merged_into = StringField(_l("合并到建议编号"), validators=[Optional(), Length(max=10)])


class BoxForm(FlaskForm):
    title = StringField(
        _l("一句话说清你的建议"),
        validators=[DataRequired(message=_l("请填写建议")), Length(max=100, message=_l("最多 100 字"))],
    )
    description = TextAreaField(_l("详细说明（可选）"), validators=[Length(max=1000, message=_l("最多 1000 字"))])
    module = SelectField(_l("相关功能"), choices=[], validators=[Optional()])
    role = SelectField(_l("你的角色（可选）"), choices=[], validators=[Optional()])
    department = SelectField(_l("你的部门（可选）"), choices=[], validators=[Optional()], render_kw=USER_DATA)


CHANNEL_ORDER_CHOICES = [
    SelectChoice("dingtalk,email", _l("钉钉；没有钉钉的人用邮件")),
    SelectChoice("email,dingtalk", _l("邮件；没有邮箱的人用钉钉")),
    SelectChoice("dingtalk", _l("只用钉钉")),
    SelectChoice("email", _l("只用邮件")),
]


class DigestScheduleForm(FlaskForm):
    day = IntegerField(
        _l("每月几日发送"),
        validators=[
            InputRequired(message=_l("请填写发送日")),
            NumberRange(1, 28, message=_l("发送日应在每月 1 到 28 日之间（每个月都有这一天）")),
        ],
    )
    send_at = StringField(_l("发送时间（公司所在时区，如 09:30）"), validators=[InputRequired(), Length(max=5)])
    channels = SelectField(_l("渠道"), choices=CHANNEL_ORDER_CHOICES)
    enabled = BooleanField(_l("到时自动发送"))


class DigestIntroductionForm(FlaskForm):
    introduction = TextAreaField(
        _l("引言（留空则用默认的引言）"), validators=[Length(max=1000, message=_l("最多 1000 字"))]
    )
