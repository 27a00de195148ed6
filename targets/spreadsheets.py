"""The Excel sheet a city officer downloads, fills in Excel and uploads back.

Only the four entry columns are unlocked; the reporter's code and the quarter are in the
sheet so that an upload for another city or quarter is refused.
"""

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from targets.formatting import entry_text, yes_no_words
from targets.forms import what_to_enter
from targets.reporting import Entry
from targets.templatetags.indicators import target_text
from targets.validation import (
    MAX_UPLOAD_BYTES,
    entry_errors,
    is_yes_no,
    needs_denominator,
    parse_amount,
)

# A real filled sheet unpacks to well under a megabyte; more is a zip bomb or not ours.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
FIRST_ROW = 5
COLUMNS = ["code", "indicator", "unit", "what", "previous", "target"]
COLUMNS += ["value", "denominator", "nothing", "note"]
ENTRY_COLUMNS = {"value": "G", "denominator": "H", "nothing": "I", "note": "J"}
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")


def headers() -> list[str]:
    return [
        _("Code"), _("Indicator"), _("Unit"), _("What to enter"), _("Last quarter (approved)"),
        _("Target"), _("This quarter"), _("Denominator"), _("Nothing to report (yes)"), _("Note"),
    ]  # fmt: skip


def quarter_workbook(*, reporter, reporter_name, quarter, indicators, figures, previous) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(quarter)
    sheet["A1"] = _("%(reporter)s · figures for %(quarter)s") % {
        "reporter": reporter_name,
        "quarter": quarter.label,
    }
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["B2"] = _("Reporter code"), reporter
    sheet["C2"], sheet["D2"] = _("Quarter"), str(quarter)
    sheet["E2"] = _("Fill in the yellow cells only; grey cells are locked.")
    sheet.append([])
    sheet.append(headers())
    for cell in sheet[FIRST_ROW - 1]:
        cell.font = Font(bold=True)
    for indicator in indicators:
        figure = figures.get(indicator.pk)
        before = previous.get(indicator.pk)
        sheet.append(_row(indicator, figure, before, quarter))
        row = sheet.max_row
        for column in "ABCDEF":
            sheet[f"{column}{row}"].fill = LOCKED_FILL
        for name, column in ENTRY_COLUMNS.items():
            if name == "denominator" and not needs_denominator(indicator):
                sheet[f"{column}{row}"].fill = LOCKED_FILL
                continue
            sheet[f"{column}{row}"].protection = Protection(locked=False)
            sheet[f"{column}{row}"].fill = INPUT_FILL
        if is_yes_no(indicator):
            choice = DataValidation(
                type="list", formula1='"{}"'.format(",".join(yes_no_words(indicator)))
            )
            sheet.add_data_validation(choice)
            choice.add(f"G{row}")
    nothing = DataValidation(type="list", formula1='"{}"'.format(_("yes")))
    sheet.add_data_validation(nothing)
    nothing.add(f"I{FIRST_ROW}:I{sheet.max_row}")
    for column, width in zip("ABCDEFGHIJ", [30, 28, 10, 28, 16, 16, 14, 14, 12, 30], strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=FIRST_ROW):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(indicator, figure, before: Entry | None, quarter) -> list:
    words = yes_no_words(indicator)

    current = Entry.of(figure) if figure else Entry()
    if current.value is None:
        value = None
    elif is_yes_no(indicator):
        value = words[0] if current.value else words[1]
    else:
        value = (
            int(current.value)
            if current.value == current.value.to_integral()
            else float(current.value)
        )
    return [
        indicator.code,
        indicator.name,
        indicator.unit,
        what_to_enter(indicator, quarter),
        entry_text(indicator, before) if before else None,
        target_text(indicator),
        value,
        int(current.denominator) if current.denominator is not None else None,
        _("yes") if current.nothing_to_report else None,
        current.note or None,
    ]


@dataclass
class Upload:
    entries: dict  # indicator -> Entry
    errors: list[tuple[int, str, str]]  # (row, column header, message)


class UnreadableSheet(ValueError):
    """Not a sheet of ours: not an .xlsx, too big, or the wrong structure."""


def read_quarter_workbook(data: bytes, *, reporter: str, quarter, indicators) -> Upload:
    _check_package(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise UnreadableSheet(_("This is not an Excel .xlsx file.")) from None
    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > FIRST_ROW + len(indicators) + 50:
        raise UnreadableSheet(_("The sheet has far more rows than the template."))
    cells = [list(row) for row in sheet.iter_rows(values_only=True, max_col=len(COLUMNS))]
    if len(cells) < FIRST_ROW - 1 or [str(c or "") for c in cells[FIRST_ROW - 2]] != headers():
        raise UnreadableSheet(_("This is not the template downloaded from this site."))
    if str(cells[1][1]) != reporter or str(cells[1][3]) != str(quarter):
        raise UnreadableSheet(
            _("This sheet is for %(reporter)s %(quarter)s, not for this page.")
            % {"reporter": cells[1][1], "quarter": cells[1][3]}
        )
    by_code = {indicator.code: indicator for indicator in indicators}
    upload = Upload(entries={}, errors=[])
    for number, row in enumerate(cells[FIRST_ROW - 1 :], start=FIRST_ROW):
        code = row[0] if row else None
        if not code:
            continue
        indicator = by_code.get(str(code))
        if indicator is None or indicator in upload.entries:
            upload.errors.append((number, headers()[0], _("Unknown or repeated indicator code.")))
            continue
        upload.entries[indicator] = _read_entry(indicator, row, number, upload.errors)
    if missing := [i.name for i in indicators if i not in upload.entries]:
        raise UnreadableSheet(_("Rows are missing for: %(names)s.") % {"names": "、".join(missing)})
    return upload


def _check_package(data: bytes):
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableSheet(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 1024**2}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
            names = set(package.namelist())
    except zipfile.BadZipFile:
        raise UnreadableSheet(_("This is not an Excel .xlsx file.")) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnreadableSheet(_("This is not an Excel .xlsx file."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableSheet(_("The file unpacks to far more than a filled template."))


def _read_entry(indicator, row, number, errors) -> Entry:
    header = dict(zip(COLUMNS, headers(), strict=True))

    def amount(name):
        raw = row[COLUMNS.index(name)]
        if raw is None or raw == "":
            return None
        if isinstance(raw, str) and raw.startswith("="):
            errors.append((number, header[name], _("Formulas are not accepted: enter the value.")))
            return None
        if is_yes_no(indicator) and name == "value":
            words = yes_no_words(indicator)
            if str(raw) in words:
                return Decimal(1 if str(raw) == words[0] else 0)
        if isinstance(raw, bool):
            errors.append((number, header[name], _("“%(text)s” is not a number.") % {"text": raw}))
            return None
        try:
            return parse_amount(str(raw) if isinstance(raw, str) else repr(raw))
        except ValueError as error:
            errors.append((number, header[name], str(error)))
            return None

    nothing = row[COLUMNS.index("nothing")]
    entry = Entry(
        value=amount("value"),
        denominator=amount("denominator"),
        nothing_to_report=str(nothing or "").strip() in (_("yes"), "yes", "是"),
        note=str(row[COLUMNS.index("note")] or "").strip(),
    )
    for part, messages in entry_errors(indicator, entry).items():
        for message in messages:
            column = "nothing" if part == "nothing_to_report" else part
            errors.append((number, header[column], message))
    return entry
