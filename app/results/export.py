"""Exports of released results: segment figures and anonymised raw answers, as CSV or XLSX.

Raw answers carry no response id, date or order of submission; only responses of released steps are in
them, and their segment columns are the labels decided once for their step (`app.results.export_labels`:
wave blanked first, then the department moved up a level, then the role, as far as the release ledger
needs). Every text cell that a spreadsheet would run as a formula is neutralised. Both formats are written
row by row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook
from sqlalchemy import select

from app.instruments import instrument_for
from app.models import ROLE_LABELS, Answer, Campaign, Response
from app.results.export_labels import export_labelling
from app.results.releases import release_state
from app.results.response_frames import campaign_data
from app.results.service import results
from app.spreadsheets import safe_cell
from surveys.scoring import flat_scores, score_scales

SEGMENT_HEADERS = ["角色 role", "部门 department", "批次 wave"]
BATCH = 2000


def answer_rows(session, campaign: Campaign) -> tuple[list[str], Iterator[list]]:
    """Header and rows of the raw-answer table: the responses up to the step everyone's comments were last
    released at, each with the segment columns its step was given (`app.results.export_labels`), in a stable
    random order (by the responses' random ids)."""
    state = release_state(session, campaign)
    labels, step = export_labelling(session, campaign, state)
    definition = instrument_for(campaign.instrument_version)
    codes = [q.code for q in definition.questions]
    header = SEGMENT_HEADERS + codes

    def rows() -> Iterator[list]:
        if step is None:
            return
        current: str | None = None
        values: dict[str, float | str | None] = {}
        label: tuple[str, str, str] = ("", "", "")  # set with `current`, before any row is yielded
        query = (
            select(
                Answer.response_id,
                Answer.question_code,
                Answer.value_number,
                Answer.value_text,
                Response.department_path,
                Response.role,
                Response.wave,
                Response.release_step,
            )
            .join(Response, Answer.response_id == Response.id)
            .where(Response.campaign_id == campaign.id, Response.release_step <= step)
            .order_by(Answer.response_id)
        )
        for response_id, code, number, text, department, role, wave, row_step in session.execute(
            query.execution_options(yield_per=BATCH)
        ):
            if response_id != current:
                if current is not None:
                    yield _row(label, values, codes)
                current, values = response_id, {}
                label = labels.get(((department, role, wave), row_step), ("", "", ""))
            values[code] = number if number is not None else text
        if current is not None:
            yield _row(label, values, codes)

    return header, rows()


def export_step(session, campaign: Campaign) -> int | None:
    """The release step the raw-answer export reflects."""
    return export_labelling(session, campaign, release_state(session, campaign))[1]


def _row(label: tuple, values: dict, codes: list[str]) -> list:
    department, role, wave = label
    cells = [str(ROLE_LABELS.get(role, role)) if role else "", department, wave]
    for code in codes:
        value = values.get(code)
        cells.append(
            "" if value is None else (int(value) if isinstance(value, float) and value.is_integer() else value)
        )
    return [safe_cell(cell) for cell in cells]


def segment_rows(session, campaign: Campaign, language: str = "zh") -> tuple[list[str], list[list]]:
    """Released segment figures for every breakdown (role, each department level, wave)."""
    data = campaign_data(session, campaign)
    scales = score_scales(data.definition, language)
    keys = [scale.key for scale in scales]
    views = [("role", 2)] + [("department", level) for level in range(1, data.levels + 1)] + [("wave", 2)]
    table: list[list] = []
    for by, level in views:
        view = results(session, campaign, by=by, level=level, language=language)
        if not table:
            overall = flat_scores(view["overall"]["scores"])
            table.append(["全部", "全部", view["overall"]["n"]] + [overall.get(k) for k in keys])
        name = {"role": "角色", "department": f"部门（第 {level} 级）", "wave": "批次"}[by]
        for segment in view["segments"]:
            if segment["suppressed"]:
                table.append([name, segment["label"], segment["message"]] + [""] * len(keys))
            else:
                values = flat_scores(segment["scores"])
                table.append([name, segment["label"], segment["n"]] + [values.get(k) for k in keys])
    header = ["分组 breakdown", "群体 group", "人数 n"] + [scale.label for scale in scales]
    return header, [[safe_cell(cell) for cell in row] for row in table]


def csv_stream(header: list[str], rows) -> Iterator[str]:
    """UTF-8 with BOM, so Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(h) for h in header])
    for index, row in enumerate(rows, start=1):
        writer.writerow(row)
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(session, campaign: Campaign, language: str = "zh"):
    """A write-only workbook on disk (constant memory): sheets 分组结果 and 原始答案."""
    workbook = Workbook(write_only=True)
    header, rows = segment_rows(session, campaign, language)
    sheet = workbook.create_sheet("分组结果 segments")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    answer_header, answers = answer_rows(session, campaign)
    sheet = workbook.create_sheet("原始答案 answers")
    sheet.append(answer_header)
    for row in answers:
        sheet.append(row)
    step = export_step(session, campaign)
    workbook.properties.title = f"{campaign.title} · {campaign.quarter}"
    workbook.properties.description = f"数据截至第 {step or 0} 次发布 (release step {step or 0})"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (returned to the caller)
    workbook.save(handle)
    handle.seek(0)
    return handle


EXPORT_RETENTION_DAYS = 7
EXPORTS_KEPT = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_export(campaign_id: int, file_format: str, table: str = "answers", language: str = "zh") -> dict:
    """The export job: writes the file and keeps it in job_outputs, where the campaign page links to it."""
    from app.extensions import db
    from app.jobs import JobFailed, current_job_id, report_progress
    from app.models import JobOutput

    session = db.session
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise JobFailed("问卷活动已不存在")
    report_progress("build", 10)
    if file_format == "xlsx":
        with xlsx_file(session, campaign, language) as handle:
            data = handle.read()
        filename, content_type = f"campaign-{campaign.id}.xlsx", XLSX_TYPE
    elif file_format == "csv" and table in ("answers", "segments"):
        header, rows = (
            answer_rows(session, campaign) if table == "answers" else segment_rows(session, campaign, language)
        )
        data = "".join(csv_stream(header, rows)).encode("utf-8")
        filename, content_type = f"campaign-{campaign.id}-{table}.csv", "text/csv; charset=utf-8"
    else:
        raise JobFailed(f"不支持的导出格式“{file_format}/{table}”")
    report_progress("store", 90)
    session.add(
        JobOutput(job_id=current_job_id(), filename=filename, content_type=content_type, size=len(data), data=data)
    )
    session.commit()
    return {"filename": filename, "size": len(data)}


def prune_exports(session, campaign_id: int) -> None:
    """Keep a campaign's last EXPORTS_KEPT export jobs of the past EXPORT_RETENTION_DAYS days (files included)."""
    from datetime import timedelta

    from sqlalchemy import delete

    from app.models import BackgroundJob
    from app.models.types import utcnow

    jobs = session.execute(
        select(BackgroundJob.id, BackgroundJob.created_at)
        .where(
            BackgroundJob.kind == "export",
            BackgroundJob.target_type == "campaign",
            BackgroundJob.target_id == str(campaign_id),
            BackgroundJob.status.in_(("succeeded", "failed")),
        )
        .order_by(BackgroundJob.created_at.desc())
    ).all()
    cutoff = utcnow() - timedelta(days=EXPORT_RETENTION_DAYS)
    old = [job_id for position, (job_id, created) in enumerate(jobs) if position >= EXPORTS_KEPT or created < cutoff]
    if old:
        from app.models import JobOutput

        session.execute(delete(JobOutput).where(JobOutput.job_id.in_(old)))
        session.execute(delete(BackgroundJob).where(BackgroundJob.id.in_(old)))
