"""The editor's form: the whole draft (title, modules, questions) is posted with every button, so adding,
removing and moving questions work without JavaScript and nothing typed is lost. Fields hold text as typed;
`app.instruments.editor` turns them into a draft and `surveys` validates it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from app.i18n import USER_DATA

QUESTION_TYPE_LABELS = {
    "likert5": _l("五级量表（1–5）"),
    "likert7": _l("七级量表（1–7）"),
    "nps": _l("推荐度（0–10）"),
    "single": _l("单选"),
    "multi": _l("多选"),
    "text": _l("文本"),
}
KIND_LABELS = {
    "satisfaction": _l("满意度（季度报告的满意度部分）"),
    "readiness": _l("变革准备度（季度报告的准备度部分）"),
}


def _select(**kwargs) -> SelectField:
    """A select whose choices are set per request; the definition's validation judges the value."""
    return SelectField(validate_choice=False, **kwargs)


class QuestionRow(Form):
    code = StringField(_l("编码"))
    qtype = _select(label=_l("题型"), choices=[SelectChoice(k, v) for k, v in QUESTION_TYPE_LABELS.items()])
    text_zh = TextAreaField(_l("题目（中文）"), render_kw={"rows": 2})
    text_en = TextAreaField(_l("题目（英文，可不填）"), render_kw={"rows": 2})
    required = BooleanField(_l("必答"))
    options = TextAreaField(_l("选项：每行一个，格式“编码 | 中文 | 英文”，编码和英文可省略"), render_kw={"rows": 3})
    max_length = StringField(_l("最多字数"))
    max_choices = StringField(_l("最多可选几项（不填则不限）"))
    module = _select(label=_l("计入模块"), choices=[], render_kw=USER_DATA)  # the company's modules
    reverse = BooleanField(_l("反向计分"))
    show_if_question = _select(label=_l("只在这道题的回答是……时显示"), choices=[], render_kw=USER_DATA)
    show_if_values = StringField(_l("……以下答案之一（选项编码或分值，用逗号分隔）"))
    anchor_low_zh = StringField(_l("低分端说明（中文）"))
    anchor_low_en = StringField(_l("低分端说明（英文）"))
    anchor_high_zh = StringField(_l("高分端说明（中文）"))
    anchor_high_en = StringField(_l("高分端说明（英文）"))
    block = HiddenField()
    position = HiddenField()


class ModuleRow(Form):
    code = StringField(_l("模块编码"))
    title_zh = StringField(_l("模块名称（中文）"))
    title_en = StringField(_l("模块名称（英文，可不填）"))


class EditorForm(FlaskForm):
    name = StringField(_l("问卷名称（小写字母、数字和连字符，导出导入时使用）"))
    title_zh = StringField(_l("标题（中文）"))
    title_en = StringField(_l("标题（英文，可不填）"))
    description_zh = TextAreaField(_l("说明（中文）"))
    description_en = TextAreaField(_l("说明（英文，可不填）"))
    kind = _select(label=_l("类别"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    modules = FieldList(FormField(ModuleRow))
    questions = FieldList(FormField(QuestionRow))
