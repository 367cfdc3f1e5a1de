"""Answers → pandas DataFrames with segment columns.

The app runs one query per campaign that returns one row per answer joined to its response's
segment snapshot; `answers_frame` turns those rows into a tidy long frame, `wide_answers` into one
row per response, and `response_segments` into the per-respondent segment table.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

ANSWER_COLUMNS = [
    "response_id",
    "campaign_id",
    "quarter",
    "role",
    "department",
    "wave",
    "question_code",
    "value_number",
    "value_text",
]
SEGMENT_COLUMNS = ["campaign_id", "quarter", "role", "department", "wave"]
MAX_DEPARTMENT_LEVELS = 6


def answers_frame(rows: Iterable[tuple[object, ...]] | pd.DataFrame, levels: int | None = None) -> pd.DataFrame:
    """Tidy frame: one row per response × question, with dept_1..dept_N ancestor paths."""
    frame = (
        rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(list(rows), columns=ANSWER_COLUMNS)
    )
    frame = frame.reindex(columns=ANSWER_COLUMNS)
    frame["value_number"] = pd.to_numeric(frame["value_number"], errors="coerce")
    for column in ("response_id", "quarter", "role", "department", "wave", "question_code"):
        frame[column] = frame[column].astype("category")
    return add_department_levels(frame, levels)


def add_department_levels(frame: pd.DataFrame, levels: int | None = None) -> pd.DataFrame:
    """dept_1 = '总部', dept_2 = '总部/华东区', …; missing where the path is shallower."""
    departments = frame["department"].astype("object")
    unique = pd.Series(departments.dropna().unique(), dtype="object")
    depth = int(unique.str.count("/").max() + 1) if len(unique) else 0
    depth = min(depth, levels or MAX_DEPARTMENT_LEVELS)
    for level in range(1, depth + 1):
        ancestors = {
            path: "/".join(path.split("/")[:level]) if path.count("/") + 1 >= level else None for path in unique
        }
        frame[f"dept_{level}"] = departments.map(ancestors).astype("category")
    return frame


def department_levels(frame: pd.DataFrame) -> int:
    return sum(1 for column in frame.columns if column.startswith("dept_"))


def wide_answers(long: pd.DataFrame) -> pd.DataFrame:
    """One row per response, one numeric column per question code (NaN where unanswered)."""
    numeric = long.loc[long["value_number"].notna(), ["response_id", "question_code", "value_number"]]
    wide = numeric.pivot_table(
        index="response_id", columns="question_code", values="value_number", aggfunc="first", observed=True
    )
    wide.columns = [str(c) for c in wide.columns]
    wide.index = wide.index.astype(str)
    return wide


def response_segments(long: pd.DataFrame) -> pd.DataFrame:
    """One row per response with its segment columns (role, department, each level, wave, quarter)."""
    columns = SEGMENT_COLUMNS + [c for c in long.columns if c.startswith("dept_")]
    segments = long.drop_duplicates("response_id").set_index("response_id")[columns]
    segments.index = segments.index.astype(str)
    return segments


def comments(long: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Free-text answers of the given question codes, with their response's segment columns."""
    mask = long["question_code"].isin(list(codes)) & long["value_text"].notna()
    return long.loc[mask].copy()
