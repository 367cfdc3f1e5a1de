"""Locale selection (Chinese by default, English on request), Chinese-first formatting filters, and the mark
that tells user data from UI text."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from markupsafe import Markup

from analysis.months import Month, MonthError
from analysis.quarters import Quarter, QuarterError
from app.extensions import babel
from app.models.types import utcnow


def select_locale() -> str:
    """The session's language; outside a request (CLI commands, background jobs) the default, Chinese."""
    lang = session.get("lang") if has_request_context() else None
    if isinstance(lang, str) and lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh")[:2]


def format_quarter(quarter: Quarter | str | None, lang: str | None = None) -> str:
    """'2026Q4' → '2026年第四季度' (zh) or '2026 Q4' (en); anything else is returned unchanged."""
    try:
        parsed = Quarter.parse(quarter, exact=True)
    except QuarterError:
        return str(quarter or "")
    return parsed.label(lang or current_language())


def format_month(month: Month | str | None, lang: str | None = None) -> str:
    """'2026-11' → '2026年11月' (zh) or 'November 2026' (en); anything else is returned unchanged."""
    try:
        parsed = Month.parse(month, exact=True)
    except MonthError:
        return str(month or "")
    return parsed.label(lang or current_language())


def current_month() -> Month:
    """The month it is now where the company is."""
    return Month.of(utcnow(), company_timezone())


def month_so_far(text: str | None) -> Month | None:
    """A month of a URL in its stored form (2026-11) that has come where the company is; None otherwise."""
    try:
        month = Month.parse(text or "", exact=True)
    except MonthError:
        return None
    return month if month <= current_month() else None


def company_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_quarter() -> Quarter:
    """The quarter it is now where the company is."""
    return Quarter.of(utcnow(), company_timezone())


def format_date(value: date | datetime | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    lang = lang or current_language()
    if lang == "zh":
        text = f"{value.year}年{value.month}月{value.day}日"
        if isinstance(value, datetime):
            text += f" {value.hour:02d}:{value.minute:02d}"
        return text
    return value.strftime("%Y-%m-%d %H:%M" if isinstance(value, datetime) else "%Y-%m-%d")


def local_moment(value: datetime) -> datetime:
    """A stored moment (naive UTC) as the company's local time (naive)."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(company_timezone())).replace(tzinfo=None)


def local_or_none(value: datetime | None) -> datetime | None:
    """`local_moment` of a moment that may be missing (a form's prefill)."""
    return local_moment(value) if value is not None else None


def format_local_day(value: datetime | None, lang: str | None = None) -> str:
    """A stored moment as the day it was where the company is, so a page of one month shows that month's
    days (00:30 on 1 December in Shanghai is 1 December, not 30 November)."""
    return format_date(local_moment(value).date(), lang) if value is not None else ""


def format_local_time(value: datetime | None, lang: str | None = None) -> str:
    """A stored moment as the date and time it is where the company is."""
    return format_date(local_moment(value), lang) if value is not None else ""


def format_stored(value: date | datetime | None, lang: str | None = None) -> str:
    """The `cn_date` filter: a stored moment (naive UTC) in the company's time; a date as it is."""
    return format_local_time(value, lang) if isinstance(value, datetime) else format_date(value, lang)


def utc_from_local(value: datetime | None) -> datetime | None:
    """A time typed as the company's local time (a form, the CLI) as the stored naive UTC moment."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(company_timezone()))
    return aware.astimezone(UTC).replace(tzinfo=None)


def format_number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def format_percent(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


MINUS = "\u2212"


def format_signed(value, digits: int = 0) -> str:
    """A change with its sign, always the same way: +8.2, −3 (a true minus sign), 0; — when unknown."""
    if value is None:
        return "—"
    text = f"{abs(value):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


SECRET_BEARING_ENDPOINTS = {"respond.invitation_link", "respond.open_link"}


def language_return_path() -> str:
    """Where the language switch returns to; never a URL carrying an invitation token or receipt code."""
    from flask import request, url_for

    if request.endpoint in SECRET_BEARING_ENDPOINTS:
        return url_for("main.index")
    if request.method != "GET" or request.endpoint == "board.receipt":
        return request.path
    return request.full_path.rstrip("?")


USER_DATA = {"class": "data"}  # render_kw of a form control whose options are user data (department paths, waves)


def user_data(value: object) -> Markup:
    """User data (a name, a department path, a comment, a title) marked `<span class="data">`: it stays in the
    language it was written in, and the language tests skip it (README, "Translations")."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span class="data">%s</span>') % value


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        quarter=format_quarter,
        month=format_month,
        cn_date=format_stored,
        local_day=format_local_day,
        local_time=format_local_time,
        number=format_number,
        percent=format_percent,
        signed=format_signed,
        data=user_data,
    )
    app.jinja_env.globals.update(current_language=current_language, language_return_path=language_return_path)
