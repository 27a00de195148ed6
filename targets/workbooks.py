"""Every .xlsx the site writes: text stays text, and a table reads as a table.

openpyxl turns any text that starts with “=” into a live formula; a note such as
=HYPERLINK(...) would then run in the workbook of whoever opens the export. `workbook_bytes`
writes every such cell back as the text it is.
"""

import io
import re

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


SHEET_NAME_LENGTH = 31


def sheet_name(text: str, end: str = "") -> str:
    """A sheet's name as Excel allows it: `text`, then `end` (a quarter) kept whole, the text
    cut short with “…” where both do not fit in 31 characters."""
    text, end = (SHEET_NAME_FORBIDDEN.sub(" ", part).strip() for part in (text, end))
    room = SHEET_NAME_LENGTH - (len(end) + 1 if end else 0)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return " ".join(part for part in (text, end) if part) or "Sheet"


def cell_text(value):
    """Text as a cell can hold it: a control character that XML cannot carry (from figures
    stored before they were refused) is written as Excel writes it, _xHHHH_."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub(lambda c: f"_x{ord(c[0]):04X}_", value)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes, with no cell the site wrote as text turned into a formula."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_workbook(
    *,
    title: str,
    name: str,
    headers: list,
    rows: list,
    note: str = "",
    widths=(),
    name_end: str = "",
) -> bytes:
    """A table as people keep one in Excel: `title` in bold on top, `note` (units, source)
    under it, then the bold header row, frozen with the first column so both stay in view
    while scrolling. `name` names the sheet, followed by `name_end` kept whole; `widths`
    gives column widths in characters, first column first (others get a width from their
    header)."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(name, name_end)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([note])
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if index <= len(widths) else max(10, len(str(header)) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    return workbook_bytes(book)
