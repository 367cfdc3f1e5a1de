"""Spreadsheets in and out: reading uploaded tables (CSV in UTF-8 or GBK, XLSX) for the all-or-nothing
importers, and neutralising cells written to CSV or XLSX files.

The people import and the usage-metrics import share the reading: one function (`read_table`) decides
which files are accepted and how they are opened, how Excel's encodings are decoded, how Chinese or
English headers are mapped to column names, and how a department path is cleaned. Problems are raised
or collected as Chinese messages. Every export writes its cells through `safe_cell`, so a spreadsheet
never runs one as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import pandas as pd

MAX_SEGMENT_LENGTH = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


def read_table(filename: str, content: bytes, aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every cell as text ('' when empty), headers mapped through `aliases`; raises TableError for files
    that are not a readable table."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        if not content.startswith(b"PK"):
            raise TableError("文件不是有效的 XLSX 表格，请用 Excel 另存为 .xlsx 或 .csv 后重试。")
        try:
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
            raise TableError("无法读取 XLSX 文件：文件可能已损坏。") from exc
    elif suffix == "csv":
        if b"\x00" in content:
            raise TableError("文件不是文本格式的 CSV，请用 Excel 另存为 .csv 或 .xlsx 后重试。")
        text = decode_csv(content)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise TableError("无法解析 CSV 文件：请检查分隔符和引号，或文件是否为空。") from exc
    else:
        raise TableError("只支持 .csv 或 .xlsx 文件。")
    if aliases is not None:
        frame.columns = canonical_columns(frame.columns, aliases)
    return frame.fillna("")


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, which covers the GBK files Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")


def canonical_columns(columns: Iterable, aliases: Mapping[str, str]) -> list[str]:
    """Header cells → column names: an alias matches as written or in lower case; others stay as written."""
    names = []
    for column in columns:
        text = str(column).strip()
        names.append(aliases.get(text.lower(), aliases.get(text, text)))
    return names


def duplicated_columns(columns: Iterable[str]) -> list[str]:
    columns = list(columns)
    return sorted({c for c in columns if columns.count(c) > 1})


def cell_text(value) -> str:
    return str(value).strip() if value is not None else ""


def normalise_department(path: str, problems: list[str]) -> str:
    """'总部 / 华东区/' → '总部/华东区'; an empty level or an over-long one is added to `problems`."""
    if not path:
        return ""
    parts = [part.strip() for part in path.strip("/").split("/")]
    if any(not part for part in parts):
        problems.append(f"部门路径“{path}”中有空的层级")
    elif any(len(part) > MAX_SEGMENT_LENGTH for part in parts):
        problems.append(f"部门路径“{path}”中的某一层级过长（最多 {MAX_SEGMENT_LENGTH} 字符）")
    return "/".join(parts)


def safe_cell(value):
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
