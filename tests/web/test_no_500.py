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
        for value in (1, 999999):
            for query in ODD_QUERIES:
                path = fill(rule, value) + query
                status = client.get(path).status_code
                if status >= 500:
                    failures.append((path, status))
    assert failures == []
