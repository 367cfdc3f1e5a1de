from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("邮箱"),
        validators=[DataRequired(message=_l("请填写邮箱")), Email(message=_l("邮箱格式不正确")), Length(max=254)],
    )
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码")), Length(max=200)])
    remember = BooleanField(_l("在此设备上保持登录"))
    submit = SubmitField(_l("登录"))
