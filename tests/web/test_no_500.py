"""No page answers 500: every GET route, for every role, with existing and missing ids and odd queries."""

import re

import pytest

from tests.web.results_helpers import campaign_with, satisfaction

ODD_QUERIES = ["", "?page=-3&level=99&by=%00&q=%E2%80%AE&code=%F0%9F%98%80&status=x&module=y&value=%27"]


def routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and "<path" not in rule.rule:
            yield rule.rule


def fill(rule, value):
    return re.sub(r"<(?:int:)?[a-z_]+>", str(value), rule)


@pytest.mark.parametrize("role", [None, "admin", "manager", "committee"])
def test_no_get_route_answers_500(app, client, login_as, role):
    campaign_with([(12, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4, text="审批太慢"))])
    if role:
        login_as(role)
    failures = []
    for rule in routes(app):
        for value in (1, 999999, 2**31, 10**30):  # past int4 and past what SQLite can bind
            for query in ODD_QUERIES:
                path = fill(rule, value) + query
                status = client.get(path).status_code
                if status >= 500:
                    failures.append((path, status))
    assert failures == []


@pytest.mark.parametrize("role", [None, "admin", "manager", "committee"])
def test_no_post_route_answers_500_to_junk(app, client, login_as, role):
    from tests.conftest import csrf_token_from

    campaign_with([(12, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4, text="审批太慢"))])
    if role:
        login_as(role)
    token = csrf_token_from(client.get("/board/suggest").get_data(as_text=True))
    junk = {
        "csrf_token": token,
        "title": "\x00" * 3,
        "to": "nowhere",
        "into": "abc",
        "label": "",
        "term": "",
        "quarter": "2026Q9",
        "min_group": "-1",
        "campaign": ["x", "999"],
        "owner": "zz",
        "merged_into": "-4",
        "lang": "xx",
        "next": "//evil",
        "email": "not-an-email",
        "password": "p",
        "role": "king",
    }
    failures = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule in ("/logout",):
            continue
        for value in (1, 999999, 2**31, 10**30):  # past int4 and past what SQLite can bind
            path = fill(rule.rule, value)
            for kwargs in ({"data": junk}, {"json": {"title": ["x"], "to": 5, "theme_ids": "x"}}):
                status = client.post(path, **kwargs).status_code
                if status >= 500:
                    failures.append((path, status))
    assert failures == []
