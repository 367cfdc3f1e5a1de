"""The adversary: a manager who reads every view after every submission and solves for small groups.

Hypothesis builds organisations (2–3 levels, units of 1–15 people, four roles, one or two waves) and an
order in which people answer through their own invitation. After each answer the attacker, logged in as a
manager, reads every view the product offers — the results API by role, wave and every department level,
with negative-comment shares; the department heatmap and breakdown pages; the comments page of everyone
and of every group it links to; the raw-answer export as CSV and as XLSX; the segment export; halfway and
at the end a theme run and its themes through the API — and keeps all of it. The test knows who
answered (each person writes a unique comment and gives a unique answer vector), so it can turn every
released figure into the set of respondents it covers, and then:

* figures: solves the linear system over everything released so far — no union of respondents with
  identical membership holding 1..k−1 people may be determined (its indicator in the span of the released
  sets), i.e. no small group's count, sum or answer can be computed;
* records: comment lists and raw rows can be matched by their text, so every Boolean combination of them
  is known — no class of respondents they cannot tell apart may hold 1..k_text−1 people.

The solver is written here, independently of `analysis.disclosure` (float ranks, brute force over classes).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import uuid
from html import unescape

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.instruments import instrument_for, latest_version
from app.jobs import JobFailed
from app.models import Invitation, Person, Response
from app.people.directory import apply_import
from app.people.importer import PersonRow
from app.respond.service import Respondent, submit_response
from app.results.response_frames import clear_cache
from app.themes.runs import create_run, execute_run
from tests.conftest import app_with_tables, login

K, K_TEXT = 5, 10
ROLES = ["employee", "employee", "employee", "manager", "executive", "digital_admin"]


@st.composite
def organisations(draw):
    levels = draw(st.integers(2, 3))
    tops = draw(st.integers(1, 2))
    leaves = []
    for top in range(tops):
        middles = draw(st.integers(1, 3)) if levels == 3 else 1
        for middle in range(middles):
            for leaf in range(draw(st.integers(1, 3))):
                path = f"总部/部{top}" + (f"/组{top}{middle}" if levels == 3 else "") + f"/队{top}{middle}{leaf}"
                leaves.append((path, draw(st.integers(1, 15))))
    waves = draw(st.sampled_from([["第一批"], ["第一批", "第二批"]]))
    people = []
    for path, size in leaves:
        for _ in range(size):
            people.append((path, draw(st.sampled_from(ROLES)), draw(st.sampled_from(waves))))
    order = draw(st.permutations(range(len(people))))
    answering = draw(st.integers(min(len(people), 3), len(people)))
    return people, list(order[:answering])


class Attacker:
    """Everything released so far, as sets of respondents (the test's ground truth maps views to people)."""

    def __init__(self, client, campaign_id, levels):
        self.client, self.campaign_id, self.levels = client, campaign_id, levels
        self.figures: set[frozenset] = set()
        self.records: set[frozenset] = set()
        self.views_read = 0
        self.texts_seen: set[str] = set()

    def read_everything(self, truth):
        base = f"/api/v1/campaigns/{self.campaign_id}/results?include=negative_share"
        self._json(base)  # the first read of the round may cut a release step: learn where it fell
        truth.refresh(self.campaign_id)
        views = [("role", None), ("wave", None)] + [("department", level) for level in range(1, self.levels + 1)]
        for by, level in views:
            query = f"{base}&by={by}" + (f"&level={level}" if level else "")
            body = self._json(query)
            self._group(truth, None, None, body["overall"])
            dimension = by if by != "department" else f"dept_{body['level']}"
            for segment in body["segments"]:
                self._group(truth, dimension, segment["key"], segment)
        for level in range(1, self.levels + 1):
            self._page(f"/results/{self.campaign_id}/heatmap?level={level}")
        for by in ("role", "wave", "quarter"):
            self._page(f"/results/{self.campaign_id}/breakdown?by={by}")
        self._comments(truth, "")
        for by, value in self._comment_links():
            self._comments(truth, f"?by={by}&value={value}")
        self._export_csv(truth)
        self._export_xlsx(truth)
        self._page(f"/campaigns/{self.campaign_id}/export.csv?table=segments")

    def read_themes(self, truth):
        """A theme run started now, and its themes through the API. A theme is a function of its comments'
        words, so its member list says nothing about who wrote them that the lists the texts were released in
        do not say already — provided every text in it has been released: a theme may only group comments
        the comment lists and exports show (a run that finds too few released comments shows nothing)."""
        run = create_run(db.session, [self.campaign_id])
        try:
            execute_run(run.id)
        except JobFailed:
            return
        for theme in self._json(f"/api/v1/theme-runs/{run.id}/themes"):
            texts = {member["text"] for member in theme.get("members", [])} | set(theme["representatives"])
            unknown = texts - set(truth.by_comment)
            assert not unknown, f"theme texts nobody wrote: {unknown}"
            unreleased = texts - self.texts_seen
            assert not unreleased, f"a theme shows comments no list has released: {unreleased}"

    def _json(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.views_read += 1
        return response.json

    def _page(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.views_read += 1
        return response.get_data(as_text=True)

    def _group(self, truth, dimension, value, entry):
        if entry["suppressed"]:
            return
        members = truth.members_with_count(dimension, value, entry["n"])
        assert members is not None, f"{dimension}={value}: n={entry['n']} matches no step of that group"
        self.figures.add(members)
        if "negative_comment_share" in entry:
            step = entry.get("comments_release_step")
            assert step is not None, "a negative share must say which step of comments it reflects"
            self._record(truth.members_at(dimension, value, step))

    def _record(self, members: frozenset) -> None:
        """A list of texts or rows: matched against every other list, and counted."""
        if members:
            self.records.add(members)
            self.figures.add(members)

    def _comment_links(self):
        page = self._page(f"/results/{self.campaign_id}/comments")
        links = re.findall(r'href="/results/\d+/comments\?by=([^&"]+)&amp;value=([^"]+)"', page)
        return sorted({(by, unescape(value)) for by, value in links})

    def _comments(self, truth, query):
        """A comment list, every page of it (a page alone is not the group's whole list)."""
        texts, url = set(), f"/results/{self.campaign_id}/comments{query}"
        while url:
            page = self._page(url)
            texts |= set(re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", page))
            following = re.search(r'<a rel="next" href="([^"]+)"', page)
            url = unescape(following.group(1)) if following else None
            total = re.search(r"共 (\d+) 条", page)
        assert total is None or len(texts) == int(total.group(1)), "the attacker must read every comment listed"
        unknown = texts - set(truth.by_comment)
        assert not unknown, f"comments nobody wrote: {unknown}"
        self.texts_seen |= texts
        self._record(frozenset(truth.by_comment[text] for text in texts))

    def _labelled_rows(self, truth, rows):
        header, body = rows[0], rows[1:]
        comment = header.index("trouble")
        groups: dict[tuple, set] = {}
        for row in body:
            groups.setdefault(tuple(row[:3]), set()).add(truth.by_comment[row[comment]])
            self.texts_seen.add(row[comment])
        for members in groups.values():
            self._record(frozenset(members))

    def _export_csv(self, truth):
        text = self._page(f"/campaigns/{self.campaign_id}/export.csv?table=answers")
        self._labelled_rows(truth, list(csv.reader(io.StringIO(text.lstrip("\ufeff")))))

    def _export_xlsx(self, truth):
        response = self.client.get(f"/campaigns/{self.campaign_id}/export.xlsx")
        assert response.status_code == 200
        self.views_read += 1
        sheet = load_workbook(io.BytesIO(response.data), read_only=True)["原始答案 answers"]
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        self._labelled_rows(truth, [rows[0]] + [[str(c) for c in row] for row in rows[1:]])


class Truth:
    """Who answered, what they wrote, which segment their response kept and which release step it is in."""

    def __init__(self):
        self.people: list[str] = []
        self.by_comment: dict[str, str] = {}
        self.stored: dict[str, tuple] = {}
        self.step: dict[str, int | None] = {}

    def refresh(self, campaign_id):
        rows = db.session.execute(
            select(Response.id, Response.department_path, Response.role, Response.wave, Response.release_step).where(
                Response.campaign_id == campaign_id
            )
        ).all()
        for response_id, department, role, wave, step in rows:
            self.stored[response_id] = (department, role, wave)
            self.step[response_id] = step

    def in_group(self, response_id, dimension, value):
        department, role, wave = self.stored[response_id]
        if dimension is None:
            return True
        if dimension == "role":
            return role == value
        if dimension == "wave":
            return wave == value
        level = int(dimension[5:])
        return (
            department is not None
            and department.count("/") + 1 >= level
            and ("/".join(department.split("/")[:level]) == value)
        )

    def members_at(self, dimension, value, step):
        return frozenset(
            r
            for r in self.stored
            if self.step[r] is not None and self.step[r] <= step and self.in_group(r, dimension, value)
        )

    def members_with_count(self, dimension, value, n):
        steps = sorted({s for s in self.step.values() if s is not None})
        for step in steps:
            members = self.members_at(dimension, value, step)
            if len(members) == n:
                return members
        return None


def determined_small_groups(released: set[frozenset], k: int) -> list[frozenset]:
    """Unions of respondent classes holding 1..k−1 people whose indicator lies in the span of `released`
    (least-squares residual of the projection onto the row space, from an SVD)."""
    released = sorted(released, key=sorted)
    respondents = sorted(set().union(*released)) if released else []
    if not respondents:
        return []
    index = {r: i for i, r in enumerate(respondents)}
    matrix = np.zeros((len(released), len(respondents)))
    for row, group in enumerate(released):
        matrix[row, [index[r] for r in group]] = 1
    signatures: dict[tuple, list] = {}
    for r in respondents:
        signatures.setdefault(tuple(matrix[:, index[r]]), []).append(r)
    small = [members for members in signatures.values() if len(members) < k]
    _, singular, right = np.linalg.svd(matrix, full_matrices=False)
    basis = right[singular > 1e-9 * singular.max()]
    candidates = [
        [r for members in combination for r in members]
        for size in range(1, k)
        for combination in itertools.combinations(small, size)
    ]
    candidates = [people for people in candidates if len(people) < k]
    if not candidates:
        return []
    vectors = np.zeros((len(candidates), len(respondents)))
    for row, people in enumerate(candidates):
        vectors[row, [index[r] for r in people]] = 1
    residual = np.linalg.norm(vectors - (vectors @ basis.T) @ basis, axis=1)
    return [frozenset(people) for people, error in zip(candidates, residual) if error < 1e-6]


def small_boolean_classes(released: set[frozenset], k_text: int) -> list[frozenset]:
    released = list(released)
    classes: dict[frozenset, set] = {}
    for r in set().union(*released) if released else ():
        classes.setdefault(frozenset(i for i, group in enumerate(released) if r in group), set()).add(r)
    return [frozenset(members) for members in classes.values() if len(members) < k_text]


def answers_for(definition, serial):
    """A unique answer vector and a unique comment for respondent `serial`."""
    answers = []
    for position, question in enumerate(definition.questions):
        if question.type in ("likert5", "likert7"):
            answers.append((question.code, float(1 + (serial * (position + 3)) % 5), None))
        elif question.type == "nps":
            answers.append((question.code, float(serial % 11), None))
        elif question.code == "trouble":
            answers.append(
                (question.code, None, f"第{serial}位同事：审批太慢" if serial % 2 else f"第{serial}位同事的意见")
            )
    return answers


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(case=organisations())
def test_no_combination_of_everything_a_manager_can_read_exposes_a_small_group(tmp_path_factory, case):
    people, order = case
    clear_cache()  # every example is a fresh database whose ids start again at 1
    database = tmp_path_factory.mktemp("adversary") / f"{uuid.uuid4().hex}.sqlite"
    with app_with_tables(f"sqlite:///{database}", RATELIMIT_ENABLED=False) as app:
        from app.campaigns.service import CampaignSpec, create_campaign, issue_invitations
        from app.staff import create_staff_user

        rows = [
            PersonRow(i + 2, f"A{i:04d}", f"员工{i}", None, path, role, wave)
            for i, (path, role, wave) in enumerate(people)
        ]
        apply_import(db.session, rows)
        version = latest_version(db.session, "quarterly-satisfaction")
        campaign, _ = create_campaign(
            db.session,
            CampaignSpec(
                instrument_version_id=version.id, quarter="2026Q4", title="攻击测试", min_group=K, min_group_text=K_TEXT
            ),
        )
        issue_invitations(db.session, campaign)
        create_staff_user(db.session, "attacker@example.com", "manager", "correct horse battery")
        db.session.commit()
        definition = instrument_for(campaign.instrument_version)
        invitation_of = dict(
            db.session.execute(
                select(Person.employee_id, Invitation.id).join(Invitation, Invitation.person_id == Person.id)
            ).all()
        )
        client = app.test_client()
        assert login(client, "attacker@example.com").status_code == 302
        levels = max(path.count("/") + 1 for path, _, _ in people)
        attacker, truth = Attacker(client, campaign.id, levels), Truth()
        for serial, person in enumerate(order, start=1):
            before = set(truth.stored)
            submit_response(
                db.session, Respondent(campaign.id, invitation_of[f"A{person:04d}"]), answers_for(definition, serial)
            )
            db.session.commit()
            truth.refresh(campaign.id)
            (new_response,) = set(truth.stored) - before
            truth.by_comment[answers_for(definition, serial)[-1][2]] = new_response
            attacker.read_everything(truth)
            if serial in (len(order) // 2, len(order)):  # theme runs are slow: halfway and at the end
                attacker.read_themes(truth)
            exposed = determined_small_groups(attacker.figures, K)
            assert not exposed, (
                f"after {serial} answers of {case}, the figures determine groups of {sorted(map(len, exposed))}"
            )
            texts = small_boolean_classes(attacker.records, K_TEXT)
            assert not texts, f"after {serial} answers of {case}, the lists single out {sorted(map(len, texts))}"
        assert attacker.views_read > 0
