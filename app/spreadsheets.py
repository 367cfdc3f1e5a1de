"""Spreadsheets in and out: reading uploaded tables (CSV in UTF-8 or GBK, XLSX) for the all-or-nothing
importers, and neutralising cells written to CSV or XLSX files.

The people import and the usage-metrics import share the reading: one function (`read_table`) decides which
files are accepted and how they are opened, how Excel's encodings are decoded, how Chinese or English headers
are mapped to column names, which columns must be there and that none is named twice, and how a department
path is cleaned. Each importer states its `TableLimits`; an archive is checked before anything is unpacked and
a sheet is streamed, so no upload can take a worker's memory or minutes of its time. Problems are raised or
collected as messages for the person who uploaded the file (the file-level ones in their language). Every
export writes its cells through `safe_cell`, so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask_babel import lazy_gettext as _l

MAX_SEGMENT_LENGTH = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MB = 1024 * 1024
DISTINCT_TEXTS_PER_ROW = 4
SHARED_STRING = re.compile(rb"<(?:[\w.-]{1,20}:)?si[\s>/]")
SHARED_STRING_MAX_LENGTH = 25


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class TableLimits:
    """What an importer accepts, checked before and while a file is read so no upload can exhaust a worker.

    `max_bytes` bounds a CSV file and the members of an XLSX archive added up once unpacked (their
    declared sizes: Python's zipfile never unpacks more than a member declares). A member larger than
    `ratio_checked_from` that unpacks to more than `max_ratio` times its packed size is a decompression
    bomb: exports of Excel, LibreOffice, openpyxl and XlsxWriter stay below 20:1 (benchmarks/upload_limits.py
    measures them). openpyxl loads a workbook's whole table of distinct texts (shared strings) before its
    first row, at about 160 bytes each, so their number is bounded too: a real table has a few distinct
    texts per row. Rows are counted without the header.
    """

    max_rows: int
    max_columns: int = 100
    max_bytes: int = 50 * MB
    max_ratio: float = 100.0
    ratio_checked_from: int = 1 * MB
    max_members: int = 1000

    @property
    def max_shared_strings(self) -> int:
        return self.max_rows * DISTINCT_TEXTS_PER_ROW


def read_upload(path: str, limits: TableLimits) -> bytes:
    """A file named on the command line, read no further than one byte past what `limits` accept."""
    with open(path, "rb") as handle:
        return handle.read(limits.max_bytes + 1)


def read_table(
    filename: str,
    content: bytes,
    aliases: Mapping[str, str] | None,
    limits: TableLimits,
    required: Sequence[str] = (),
    label: Callable[[str], str] = str,
) -> pd.DataFrame:
    """Every cell as text ('' when empty), headers mapped through `aliases`; raises TableError for files
    that are not a readable table or break `limits`, lack a `required` column or name a column twice (the
    columns named by `label`, as the importer names them in its messages). XLSX is streamed in openpyxl's
    read-only mode."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("xlsx", "csv"):
        raise TableError(_l("只支持 .csv 或 .xlsx 文件。"))
    if len(content) > limits.max_bytes:
        raise TableError(_l("文件超过 %(limit)s MB，请分成几个文件导入。", limit=limits.max_bytes // MB))
    if suffix == "xlsx":
        header, data = _bounded(_xlsx_rows(content, limits), limits)
        frame = pd.DataFrame(data, columns=_column_names(header), dtype=str)
    else:
        frame = _csv_frame(content, limits)
    if aliases is not None:
        frame.columns = canonical_columns(frame.columns, aliases)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TableError(_l("缺少必需的列：%(columns)s", columns=str(_l("、")).join(label(c) for c in missing)))
    duplicated = duplicated_columns(frame.columns)
    if duplicated:
        raise TableError(_l("列名重复：%(columns)s", columns=str(_l("、")).join(label(c) for c in duplicated)))
    return frame


def _column_names(header: Iterable[str]) -> list[str]:
    return [text or f"Unnamed: {position}" for position, text in enumerate(header)]


def _too_many_rows(limits: TableLimits) -> TableError:
    return TableError(_l("文件超过 %(limit)s 行（不含表头），请分成几个文件导入。", limit=f"{limits.max_rows:,}"))


def _too_many_columns(limits: TableLimits) -> TableError:
    return TableError(_l("文件超过 %(limit)s 列，请删去不需要的列后重试。", limit=limits.max_columns))


def _bounded(rows: Iterator[list[str]], limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows, all as wide as the widest; stops at the first row past `limits`.

    Empty rows inside the table are kept (row numbers in messages stay those of the spreadsheet);
    empty rows after the last filled one are dropped without being counted.
    """
    header = next(rows, None)
    if header is None:
        raise TableError(_l("文件是空的，没有表头。"))
    while header and not header[-1]:
        header.pop()
    data: list[list[str]] = []
    empty_run = 0
    width = len(header)
    for row in rows:
        while row and not row[-1]:
            row.pop()
        if not row:
            empty_run += 1
            continue
        if len(data) + empty_run >= limits.max_rows:
            raise _too_many_rows(limits)
        if len(row) > limits.max_columns:
            raise _too_many_columns(limits)
        data.extend([] for _ in range(empty_run))
        empty_run = 0
        data.append(row)
        width = max(width, len(row))
    if width > limits.max_columns:
        raise _too_many_columns(limits)
    header = header + [""] * (width - len(header))
    return header, [row + [""] * (width - len(row)) for row in data]


def _xlsx_rows(content: bytes, limits: TableLimits) -> Iterator[list[str]]:
    if not content.startswith(b"PK"):
        raise TableError(_l("文件不是有效的 XLSX 表格，请用 Excel 另存为 .xlsx 或 .csv 后重试。"))
    check_archive(content, limits)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared dimensions may be wrong; the rows tell
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise TableError(_l("无法读取 XLSX 文件：文件可能已损坏。")) from exc
    try:
        # Rows come as wide as one column past the limit, so a row that breaks it is seen and no row,
        # however far right its last (even empty, styled) cell sits, costs more than that to read.
        for cells in sheet.iter_rows(max_col=limits.max_columns + 1):
            end = len(cells)
            while end and cells[end - 1].value is None:
                end -= 1
            yield [_xlsx_cell_text(cell) for cell in cells[:end]]
    except Exception as exc:
        raise TableError(_l("无法读取 XLSX 文件：文件可能已损坏。")) from exc
    finally:
        workbook.close()


def check_archive(content: bytes, limits: TableLimits) -> None:
    """Refuse an XLSX archive before any of it is parsed: by its directory's sizes (nothing unpacked yet),
    then by its number of shared strings, counted in one streamed pass that keeps nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            _check_sizes(members, limits)
            shared = _count_shared_strings(archive, members, limits.max_shared_strings)
    except TableError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise TableError(_l("无法读取 XLSX 文件：文件可能已损坏。")) from exc
    if shared > limits.max_shared_strings:
        raise TableError(
            _l(
                "XLSX 文件中不同的文本超过 %(limit)s 个（每行平均不到 %(per_row)s 个才是正常的表格），"
                "请另存为 CSV 后重试。",
                limit=f"{limits.max_shared_strings:,}",
                per_row=DISTINCT_TEXTS_PER_ROW,
            )
        )


def _check_sizes(members: list[zipfile.ZipInfo], limits: TableLimits) -> None:
    if len(members) > limits.max_members:
        raise TableError(_l("XLSX 文件包含的部件过多（%(n)s 个），不像是正常的表格文件。", n=len(members)))
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_bytes:
        raise TableError(
            _l(
                "XLSX 文件解压后有 %(size)s MB，超过上限 %(limit)s MB：请删去不需要的工作表或列，或分成几个文件导入。",
                size=unpacked // MB,
                limit=limits.max_bytes // MB,
            )
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_checked_from and ratio > limits.max_ratio:
            raise TableError(
                _l(
                    "XLSX 文件中的“%(member)s”解压后是压缩时的 %(ratio)s 倍，不像是正常的表格文件，已拒绝读取。",
                    member=member.filename,
                    ratio=int(ratio),
                )
            )


def _count_shared_strings(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int) -> int:
    """Shared-string items (`<si>`) in every member, unpacked in 1 MB pieces, stopping once past `limit`.

    Every member, not only xl/sharedStrings.xml: the part may have any name its manifest gives it.
    """
    count = 0
    for member in members:
        with archive.open(member) as stream:
            tail = b""
            while count <= limit and (chunk := stream.read(MB)):
                data = tail + chunk
                count += sum(1 for match in SHARED_STRING.finditer(data) if match.end() > len(tail))
                tail = data[-(SHARED_STRING_MAX_LENGTH - 1) :]
    return count


def _xlsx_cell_text(cell) -> str:
    """Text as pandas' reader gave it: integral numbers without '.0', error cells (#N/A) empty."""
    value = cell.value
    if value is None or cell.data_type == "e":
        return ""
    if cell.data_type == "n" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_frame(content: bytes, limits: TableLimits) -> pd.DataFrame:
    """The table of a CSV file, read by pandas no further than one line past the row limit.

    As for XLSX, empty rows and columns after the last filled one are dropped; unlike XLSX, every line
    after the header counts against the limit (lines of commas only too), since reading stops there.
    """
    if b"\x00" in content:
        raise TableError(_l("文件不是文本格式的 CSV，请用 Excel 另存为 .csv 或 .xlsx 后重试。"))
    try:
        frame = pd.read_csv(
            io.BytesIO(content),
            encoding=csv_encoding(content),
            header=None,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            nrows=limits.max_rows + 2,  # the header, the rows allowed, and one more to notice the excess
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TableError(_l("无法解析 CSV 文件：请检查分隔符和引号，或文件是否为空。")) from exc
    if len(frame) > limits.max_rows + 1:
        raise _too_many_rows(limits)
    filled = (frame != "").to_numpy()
    rows = np.flatnonzero(filled.any(axis=1))
    columns = np.flatnonzero(filled.any(axis=0))
    width = int(columns[-1]) + 1 if len(columns) else 0
    if width > limits.max_columns:
        raise _too_many_columns(limits)
    table = frame.iloc[: int(rows[-1]) + 1 if len(rows) else 1, :width]
    data = table.iloc[1:].reset_index(drop=True)
    data.columns = _column_names(str(value) for value in table.iloc[0])
    return data


def csv_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, which covers the GBK files Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise TableError(_l("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))


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
