"""The demo as each visitor sees it: every page reachable by links from `/` and `/board/` answers without a
server error, and shows its UI text in the visitor's language (user data, marked `class="data"`, aside).

The demo is seeded once for the module (`flask demo`, plus an admin account); each visitor's crawl runs once
per language and is shared by the tests.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.models import ThemeRun
from tests.conftest import PASSWORD, IsolatedClient, csrf_token_from, login, make_config
from tests.web.crawl import CJK, LATIN_WORD, Crawl, chart_labels, crawl, describe, visible_texts

VISITORS = ("anonymous", "admin", "manager", "committee")
# Brand, product, method and format terms that Chinese pages write in Latin letters (compared ignoring case).
LATIN_IN_CHINESE = {
    word.lower()
    for word in (
        "ChangePulse",
        "SUS",
        "eNPS",
        "ADKAR",
        *("Awareness", "Desire", "Knowledge", "Ability", "Reinforcement"),  # ADKAR's elements, kept in brackets
        *("Shapley", "LMG"),  # the driver analysis's method, named as the literature names it
        "CSV",
        "XLSX",
        "Excel",
        "YAML",
        "JavaScript",
        "PDF",
        "UTF",
        "GBK",
        "API",
        "DingTalk",
        "DING",
        "e-mail",
        "Atom",
        "Spearman",
        "Mann",
        "Whitney",
        "Ctrl",
        "XXXX-XXXX-XXXX-XXXX",  # the receipt code's format
    )
}
SHOWN = 60  # leaks listed in a failure message
HOW_TO_TRANSLATE = (
    "UI text goes through the catalogue: wrap it in _() (templates, views) or _l() (module-level labels), "
    "then add its English with `python scripts/i18n.py update FILE.py` (FILE.py holds T = {msgid: english}). "
    'User data (names, departments, comments, titles, free text) is marked instead: class="data" on the '
    'element that holds it (README, "Translations"). Literal values go in <code>.'
)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"], env={"CP_PASSWORD": PASSWORD})
        assert result.exit_code == 0, result.output
        from app.staff import create_staff_user

        create_staff_user(db.session, "admin@example.com", "admin", PASSWORD)
        # theme runs in progress, so that the pages of a queued and a running job are crawled too
        db.session.add(ThemeRun(campaign_ids=[1], status="queued", stage="queued", progress=0, params={}))
        db.session.add(ThemeRun(campaign_ids=[1], status="running", stage="cluster", progress=40, params={}))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def site(demo_app):
    """site(visitor, language) → that visitor's crawl of the demo in that language (computed once)."""
    crawls: dict[tuple[str, str], Crawl] = {}

    def visit(visitor: str, language: str = "zh") -> Crawl:
        if (visitor, language) not in crawls:
            client = demo_app.test_client()
            if visitor != "anonymous":
                assert login(client, f"{visitor}@example.com").status_code == 302
            if language != "zh":
                token = csrf_token_from(client.get("/board/").get_data(as_text=True))
                client.post("/language", data={"lang": language, "next": "/", "csrf_token": token})
            crawls[(visitor, language)] = crawl(client)
        return crawls[(visitor, language)]

    return visit


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_page_of_the_demo_answers_a_server_error(site, visitor):
    result = site(visitor)
    assert len(result.pages) > 3, "the crawl reached almost nothing: is the demo seeded and the login working?"
    failures = result.failures()
    assert not failures, f"as {visitor}, {len(failures)} of {len(result.pages)} pages answer 5xx:\n" + describe(
        failures
    )


def _leaks(result: Crawl, language: str, find) -> list[str]:
    """Every (page, text, place) where `find` finds something in the UI text of a page or a chart's labels."""
    found = []
    for page in result.pages.values():
        if page.status == 200 and page.is_html:
            for text in visible_texts(page.body, language):
                found += [f"{page.url}: {hit!r} in {text.where}" for hit in find(text.text)]
    for chart in result.charts.values():
        if chart.status == 200:
            for text in chart_labels(chart.body):
                found += [f"{chart.url} (chart JSON): {hit!r} in {text.where}" for hit in find(text.text)]
    return sorted(set(found))


def _report(leaks: list[str], heading: str, advice: str) -> str:
    listed = "\n  ".join(leaks[:SHOWN]) + (f"\n  … and {len(leaks) - SHOWN} more" if len(leaks) > SHOWN else "")
    return f"{heading} in {len(leaks)} places:\n  {listed}\n{advice}"


@pytest.mark.parametrize("visitor", VISITORS)
def test_english_pages_show_no_chinese_outside_user_data(site, visitor):
    leaks = _leaks(site(visitor, "en"), "en", CJK.findall)
    assert not leaks, _report(leaks, f"as {visitor} in English, Chinese UI text", HOW_TO_TRANSLATE)


def english_words(text: str) -> list[str]:
    return [word for word in LATIN_WORD.findall(text) if word.lower() not in LATIN_IN_CHINESE]


@pytest.mark.parametrize("visitor", VISITORS)
def test_chinese_pages_show_no_stray_english_words(site, visitor):
    leaks = _leaks(site(visitor, "zh"), "zh", english_words)
    advice = HOW_TO_TRANSLATE + " A brand, method or format term belongs in LATIN_IN_CHINESE of this test."
    assert not leaks, _report(leaks, f"as {visitor} in Chinese, English words", advice)
