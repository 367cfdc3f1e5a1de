from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.reports.labels import COMMENTARY_LABELS
from app.reports.service import COMMENTARY_MAX


def _commentary(section: str) -> TextAreaField:
    return TextAreaField(
        COMMENTARY_LABELS[section], validators=[Length(max=COMMENTARY_MAX, message=_l("最多 5000 个字符"))]
    )


class CommentaryForm(FlaskForm):
    """The PMO's commentary per section (see analysis.report.SECTIONS) and the department level compared."""

    level = SelectField(_l("部门层级"), coerce=int)
    summary = _commentary("summary")
    kpis = _commentary("kpis")
    departments = _commentary("departments")
    themes = _commentary("themes")
    suggestions = _commentary("suggestions")
    changes = _commentary("changes")
    attention = _commentary("attention")
    submit = SubmitField(_l("保存"))


class PublishForm(FlaskForm):
    submit = SubmitField(_l("发布并冻结"))
