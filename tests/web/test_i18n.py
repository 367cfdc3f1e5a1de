"""Chinese by default, English on request (remembered in the session), Chinese-style formatting."""

from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import format_date, format_quarter, format_signed
from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parents[2]


def test_pages_are_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "工作人员登录" in page


def test_footer_switch_to_english_is_remembered(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    english = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in english and "Staff sign-in" in english
    assert "Staff sign-in" in client.get("/login").get_data(as_text=True)


def test_language_switch_needs_csrf(client):
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_language_switch_ignores_offsite_next(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "//evil.com", "csrf_token": csrf_token_from(page)})
    assert response.headers["Location"] == "/"


def test_every_ui_string_has_an_english_translation():
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    source_ids = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), method_map, keywords=keywords)
    }
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(source_ids - translated) == []


def test_compiled_catalogue_is_up_to_date():
    po = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
    mo = ROOT / "app/translations/en/LC_MESSAGES/messages.mo"
    from babel.messages.mofile import read_mo

    with open(po, "rb") as p, open(mo, "rb") as m:
        expected = {x.id: x.string for x in read_po(p) if x.id}
        compiled = {x.id: x.string for x in read_mo(m) if x.id}
    assert compiled == expected


@pytest.mark.parametrize(
    "quarter,zh,en", [("2026Q4", "2026年第四季度", "2026 Q4"), ("2027Q1", "2027年第一季度", "2027 Q1")]
)
def test_quarters_are_shown_the_way_chinese_users_read_them(quarter, zh, en):
    assert format_quarter(quarter, "zh") == zh
    assert format_quarter(quarter, "en") == en


def test_dates_are_shown_in_chinese_style():
    assert format_date(date(2026, 11, 24), "zh") == "2026年11月24日"
    assert format_date(datetime(2026, 1, 5, 9, 7), "zh") == "2026年1月5日 09:07"
    assert format_date(date(2026, 11, 24), "en") == "2026-11-24"


@pytest.mark.parametrize(
    "value,digits,shown",
    [
        (8.2, 1, "+8.2"),
        (3, 0, "+3"),
        (-3, 0, "\u22123"),
        (-0.04, 1, "0.0"),
        (0, 0, "0"),
        (1234.5, 1, "+1,234.5"),
        (None, 0, "—"),
    ],
)
def test_changes_are_signed_one_way(value, digits, shown):
    assert format_signed(value, digits) == shown
