"""Schemathesis fuzzes every operation of `/api/v1/openapi.json` in-process (WSGI, no server, no network).

Each operation gets schemathesis' coverage cases (boundaries, missing and wrong-typed fields, undeclared
methods) and a bounded number of generated valid and invalid requests, derandomized with a fixed seed. Every
request is sent anonymously and with the bearer token of a manager and of a committee member, to a database
of campaigns with responses, theme runs and suggestions (on SQLite and on PostgreSQL), so ids often name
real rows. The API must never answer 5xx and must answer as its OpenAPI document says.
"""

import random

import pytest
import schemathesis
from hypothesis import strategies as st

from app import create_app
from app.demo_comments import demo_comment
from app.extensions import db
from app.models import ApiToken
from app.models.types import is_id
from tests.conftest import make_config, postgres_schema
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

EXAMPLES_PER_OPERATION = 25  # generated requests per operation and caller, on top of the coverage cases
EXISTING_IDS = (1, 2, 3)  # populate() makes at least three campaigns, theme runs and suggestions
CALLERS = (None, "manager", "committee")
CHECKS = (
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,  # input the document forbids gets a 4xx
    schemathesis.checks.positive_data_acceptance,  # input it allows is never refused as malformed (400)
    schemathesis.checks.ignored_auth,  # operations that need a token refuse requests without one
    schemathesis.checks.unsupported_method,  # undeclared methods get a 405 …
    schemathesis.checks.allow_header_conformance,  # … naming the allowed ones
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 2026,
        "suppress-health-check": ["too_slow"],
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "database": "none",
            # the API ignores unknown query parameters and body fields, as its description says; without this,
            # an extra one would count as invalid input that must be refused
            "allow-extra-parameters": False,
            # credentials come from CALLERS, not from the generator
            "with-security-parameters": False,
        },
        # a valid request can still be refused for what a schema cannot say: a theme that does not exist (422),
        # a transition not allowed from the current status (409)
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
    }
)
# The document is read through the app's own route, at import: `schemathesis.pytest.from_fixture` would load it
# from a fixture, but it fails on pytest 9.2 (it sets `Function._nodeid`, which pytest no longer has). Requests go
# to the `populated` app.


def document_app():
    """The app serving the document: an in-memory database whose campaigns use the same instrument as
    `populate()`'s, since the document's module enums are the modules of the instruments in use."""
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI="sqlite://"))
    with app.app_context():
        db.create_all()
        campaign_with([])
        db.session.remove()
    return app


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", document_app(), config=CONFIG)


def populate() -> dict:
    """Campaigns with responses, theme runs and suggestions at several stages; returns each caller's headers."""
    from app.committee.service import create_suggestion, publish
    from app.committee.workflow import Decision, transition
    from app.jobs import JobFailed
    from app.models import Campaign, Suggestion, ThemeRun
    from app.staff import create_staff_user
    from app.themes.runs import create_run, execute_run

    users, headers = {}, {None: {}}
    for role in ("manager", "committee"):
        users[role] = create_staff_user(db.session, f"{role}@example.com", role, "correct horse battery")
        token, plain = ApiToken.issue(users[role])
        db.session.add(token)
        headers[role] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    member = users["committee"]

    east, south, north = "总部/华东区/杭州门店", "总部/华南区/深圳门店", "总部/华北区/北京门店"
    earlier = campaign_with([(8, "employee", east, "第一批", satisfaction(2, text="审批太慢"))], quarter="2026Q3")
    campaign_with(
        [
            (20, "employee", east, "第一批", satisfaction(4, 9, 2, "审批太慢，很麻烦")),
            (12, "manager", south, "第二批", satisfaction(2, 5, 4, "消息太多")),
            (3, "executive", north, "第三批", satisfaction(5, 10, 5)),
        ]
    )
    small = campaign_with([(3, "employee", east, "第一批", satisfaction(3))])
    commented = campaign_with([])
    rng = random.Random(1)
    add_responses(
        commented,
        [
            (1, "employee", (east, south)[i % 2], "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))
            for i in range(60)
        ],
    )
    run_ids = [create_run(db.session, [campaign.id]).id for campaign in (commented, earlier, small)]
    execute_run(run_ids[0])
    for run_id in run_ids[1:]:  # too few comments: the run records its failure, then the job fails
        with pytest.raises(JobFailed):
            execute_run(run_id)

    run = db.session.get(ThemeRun, run_ids[0])
    assert run.status == "succeeded", run.error
    themes = [theme for theme in run.themes if not theme.is_other]
    for steps, published, theme in (
        (["under_review", "adopted"], True, themes[0]),
        (["under_review"], True, themes[1]),
        ([], False, themes[2]),
    ):
        suggestion = create_suggestion(
            db.session,
            f"改进：{theme.display_label}",
            "由意见主题生成",
            None,
            member.id,
            source="theme",
            theme_ids=[theme.id],
        )
        for step in steps:
            transition(db.session, suggestion, Decision(step, "理由", member.id, "2027Q1"), member.id)
        if published:
            publish(db.session, suggestion, member.id)
    create_suggestion(
        db.session, "希望开放手机端批量审批", "月底单子多", "approval", source="box", proposer_role="manager"
    )
    db.session.commit()
    for model in (Campaign, ThemeRun, Suggestion):
        assert all(db.session.get(model, ident) for ident in EXISTING_IDS), model
    return headers


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def populated(request, tmp_path_factory):
    """One populated app per database for the whole module. No app context stays pushed, so each request
    gets its own, as in production."""
    if request.param == "sqlite":
        settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"}
    else:
        settings = {
            "SQLALCHEMY_DATABASE_URI": request.getfixturevalue("postgres_url"),
            "SQLALCHEMY_ENGINE_OPTIONS": request.getfixturevalue("fuzz_postgres_schema"),
        }
    app = create_app(make_config(**settings))
    with app.app_context():
        db.create_all()
        headers = populate()
        db.session.remove()
    yield app, headers
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def fuzz_postgres_schema(postgres_url):
    """A schema of the test PostgreSQL server that lives as long as this module's tests."""
    with postgres_schema(postgres_url) as engine_options:
        yield engine_options


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Generated ids seldom name a row: often swap a valid id for one that exists. Invalid ids stay as they are."""
    swappable = [name for name, value in (path_parameters or {}).items() if is_id(value)]
    if not swappable:
        return st.just(path_parameters)
    return st.sampled_from([None, *EXISTING_IDS]).map(
        lambda existing: (
            path_parameters if existing is None else {**path_parameters, **dict.fromkeys(swappable, existing)}
        )
    )


@pytest.mark.parametrize("caller", CALLERS, ids=["anonymous", "manager", "committee"])
@schema.parametrize()
def test_api_answers_as_documented_and_never_5xx(case, populated, caller):
    app, headers = populated
    case.call_and_validate(app=app, headers=headers[caller], checks=list(CHECKS))
