from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.staff import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """No syntax check of the address: login looks the account up by the address it was created with."""

    email = EmailField(_l("邮箱"), validators=[DataRequired(message=_l("请填写邮箱")), Length(max=MAX_EMAIL_LENGTH)])
    password = PasswordField(
        _l("密码"), validators=[DataRequired(message=_l("请填写密码")), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField(_l("在此设备上保持登录"))
    submit = SubmitField(_l("登录"))


class ChangePasswordForm(FlaskForm):
    """The length rule and the check of the current password live in `app.staff.change_password`."""

    current_password = PasswordField(
        _l("当前密码"), validators=[DataRequired(message=_l("请填写当前密码")), Length(max=MAX_PASSWORD_LENGTH)]
    )
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请填写新密码"))])
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(message=_l("请再次输入新密码")),
            EqualTo("new_password", message=_l("两次输入的新密码不一致")),
        ],
    )
    submit = SubmitField(_l("修改密码"))
