from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


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
    department = SelectField(_l("你的部门（可选）"), choices=[], validators=[Optional()])
