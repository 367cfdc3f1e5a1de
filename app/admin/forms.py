from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from app.forms import QuarterField
from app.models import STAFF_ROLE_LABELS, STAFF_ROLES
from app.staff import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH


class PeopleImportForm(FlaskForm):
    file = FileField(_l("人员名单文件（.csv 或 .xlsx）"), validators=[FileRequired(message=_l("请选择要导入的文件"))])
    deactivate_missing = BooleanField(_l("停用文件中没有的人员"))
    submit = SubmitField(_l("导入"))


class MetricsImportForm(FlaskForm):
    quarter = QuarterField(_l("季度"), validators=[DataRequired(message=_l("请填写季度"))])
    file = FileField(_l("使用数据文件（.csv 或 .xlsx）"), validators=[FileRequired(message=_l("请选择要导入的文件"))])
    submit = SubmitField(_l("导入"))


def role_choices() -> list[SelectChoice]:
    """No role is preselected: the admin picks one for every new account."""
    return [SelectChoice("", _l("请选择角色")), *(SelectChoice(r, STAFF_ROLE_LABELS[r]) for r in STAFF_ROLES)]


class StaffUserForm(FlaskForm):
    """The address, role and password rules are `app.staff`'s (the CLI uses the same), so none is repeated here."""

    email = EmailField(_l("邮箱"), validators=[DataRequired(message=_l("请填写邮箱")), Length(max=MAX_EMAIL_LENGTH)])
    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名")), Length(max=100)])
    role = SelectField(
        _l("角色"),
        choices=role_choices,
        validators=[InputRequired(message=_l("请选择角色"))],
        invalid_choice_message=_l("请选择角色"),
    )
    password = PasswordField(
        _l("初始密码"), validators=[DataRequired(message=_l("请填写密码")), Length(max=MAX_PASSWORD_LENGTH)]
    )
    submit = SubmitField(_l("创建账号"))


class RoleForm(FlaskForm):
    role = SelectField(
        _l("角色"),
        choices=role_choices,
        validators=[InputRequired(message=_l("请选择角色"))],
        invalid_choice_message=_l("请选择角色"),
    )
    submit = SubmitField(_l("更改角色"))


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is the point."""

    submit = SubmitField(_l("确定"))


class DictionaryTermForm(FlaskForm):
    term = StringField(
        _l("新词"),
        validators=[
            DataRequired(message=_l("请填写词语")),
            Length(min=2, max=20, message=_l("词语长度需为 2–20 个字符")),
            Regexp(r"^[^\s/\\,，;；]+$", message=_l("词语里不能有空格、斜杠或标点分隔符")),
        ],
    )
    submit = SubmitField(_l("添加"))


class DirectorySyncForm(FlaskForm):
    deactivate_missing = BooleanField(_l("停用钉钉通讯录中没有的人员"))
    preview = SubmitField(_l("预览"))
    apply = SubmitField(_l("同步"))


class RoleRuleForm(FlaskForm):
    match_on = SelectField(
        _l("匹配"), choices=[SelectChoice("title", _l("职位包含")), SelectChoice("department", _l("部门路径包含"))]
    )
    keyword = StringField(_l("关键词"), validators=[DataRequired(message=_l("请填写关键词")), Length(max=100)])
    role = SelectField(_l("角色"), choices=[])
    submit = SubmitField(_l("添加规则"))


class DepartmentWaveForm(FlaskForm):
    department_path = StringField(
        _l("部门路径（含下级部门）"), validators=[DataRequired(message=_l("请填写部门路径")), Length(max=500)]
    )
    wave = StringField(_l("上线批次"), validators=[DataRequired(message=_l("请填写批次")), Length(max=50)])
    submit = SubmitField(_l("添加"))
