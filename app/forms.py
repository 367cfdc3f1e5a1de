"""Form fields that more than one blueprint's forms use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from analysis.quarters import Quarter, QuarterError


class QuarterField(StringField):
    """A quarter typed as 2026Q4 (spaces around it and a lower-case q are forgiven).

    Validation parses it once: afterwards `data` is a `Quarter`. Input it refuses stays as typed, so the
    form shows it again next to the message. Whether the field may be empty is up to its validators.
    """

    data: str | Quarter | None  # the text as typed until `pre_validate` parses it

    def __init__(self, label=None, validators=None, message=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("季度格式应为 2026Q4")

    def pre_validate(self, form) -> None:
        if not self.data:
            return
        try:
            self.data = Quarter.parse(self.data)
        except QuarterError as exc:
            raise ValidationError(str(self.message)) from exc

    @property
    def parsed(self) -> Quarter:
        """The quarter, once the form has validated a filled-in field (reading it earlier is a bug)."""
        if not isinstance(self.data, Quarter):
            raise ValueError(f"{self.name}: read before validation parsed it ({self.data!r})")
        return self.data
