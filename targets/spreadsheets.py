"""The Excel sheet a city officer downloads, fills in Excel and uploads back.

Only the four entry columns are unlocked; the reporter's code and the quarter are in the
sheet so that an upload for another city or quarter is refused.
"""

import io
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from targets.converters import PROVINCE
from targets.formatting import entry_text, join_names, yes_no_text, yes_no_words
from targets.forms import what_to_enter
from targets.models import Prefecture
from targets.periods import Quarter
from targets.reporting import Entry
from targets.templatetags.indicators import reporter_target
from targets.validation import (
    MAX_UPLOAD_BYTES,
    Problem,
    choice_amount,
    is_yes_no,
    needs_denominator,
    read_entry,
)
from targets.workbooks import cell_text, sheet_name, workbook_bytes

# A real filled sheet unpacks to well under a megabyte; more is a zip bomb or not ours.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
# Any one XML part: the template's sheet is some 12 kB, 25 kB formatted down to row 300.
# openpyxl reads some 10 µs a cell, so this also bounds the time a hostile sheet can take.
MAX_PART_BYTES = 2 * 1024 * 1024
# Rows read, empty or not, before the reading stops: the template has 22.
MAX_SHEET_ROWS = 5000
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


def quarter_workbook(
    *, reporter, reporter_name, quarter, indicators, figures, previous, allocations=None
) -> bytes:
    """The quarter's sheet as an .xlsx file. `figures` and `previous` (an Entry each) and
    `allocations` (the reporter's own targets) are by indicator id."""
    allocations = allocations or {}
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(reporter_name, str(quarter))
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
        target = reporter_target(indicator, allocations.get(indicator.pk), reporter != PROVINCE)
        sheet.append(_row(indicator, figure, before, quarter, target))
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
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True
    return workbook_bytes(book)


def _row(indicator, figure, before: Entry | None, quarter, target: tuple[str, str]) -> list:
    current = Entry.of(figure) if figure else Entry()
    if current.value is None:
        value = None
    elif is_yes_no(indicator):
        value = yes_no_text(indicator, current.value)
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
        _("%(target)s (%(whose)s)") % {"target": target[0], "whose": target[1]}
        if target[1]
        else target[0],
        value,
        int(current.denominator) if current.denominator is not None else None,
        _("yes") if current.nothing_to_report else None,
        cell_text(current.note) or None,
    ]


@dataclass(frozen=True)
class SheetProblem:
    """One problem in an uploaded sheet, told as a sentence that names where it is."""

    row: int
    indicator: str
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(indicator)s, %(column)s: %(message)s") % {
            "row": self.row,
            "indicator": self.indicator,
            "column": self.column,
            "message": self.message,
        }

    def in_row(self) -> str:
        """The problem told beside its row, which names the row and its indicator."""
        return _("%(column)s: %(message)s") % {"column": self.column, "message": self.message}


@dataclass
class Upload:
    entries: dict  # indicator -> Entry
    errors: list[SheetProblem]
    rows: dict = field(default_factory=dict)  # indicator -> the sheet's row number

    def problems_of(self, indicator) -> list[SheetProblem]:
        """The problems in `indicator`'s row, the first row for it: while there are any, its
        entry (what could be read of the row) is refused rather than a figure to save."""
        return [problem for problem in self.errors if problem.row == self.rows.get(indicator)]


class UnreadableSheet(ValueError):
    """Not a sheet of ours: not an .xlsx, damaged, too big, or the wrong structure."""


# What openpyxl, zipfile and the XML parser raise on a damaged or hostile package: an
# entity declaration (defusedxml's DefusedXmlException is a ValueError), truncated or
# malformed XML (ParseError is a SyntaxError), missing parts, nonsense attributes.
DAMAGED = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    OverflowError,
    NotImplementedError,
    # zipfile's answer to a member flagged as encrypted (a damaged or password-protected file)
    RuntimeError,
)


def read_quarter_workbook(data: bytes, *, reporter: str, quarter, indicators) -> Upload:
    """The entries of an uploaded quarter sheet, with every problem found in its rows.

    Raises UnreadableSheet when the file is not this reporter's sheet for this quarter, or
    cannot be read at all; problems with single cells are listed in `Upload.errors`.
    """
    _check_package(data)
    rows = _filled_rows(data)
    _identify(rows, reporter, quarter)
    by_code = {indicator.code: indicator for indicator in indicators}
    upload = Upload(entries={}, errors=[])
    header = dict(zip(COLUMNS, headers(), strict=True))
    for number, cells in rows.items():
        if number < FIRST_ROW:
            continue
        code = _text(cells[0])
        indicator = by_code.get(code)
        if indicator is None or indicator in upload.entries:
            message = (
                _("“%(code)s” is not an indicator code of this sheet.")
                if indicator is None
                else _("A second row for the same indicator.")
            )
            name = indicator.name if indicator else code or "—"
            upload.errors.append(
                SheetProblem(number, name, header["code"], message % {"code": code or "—"})
            )
            continue
        reading = read_entry(
            indicator,
            value=cells[COLUMNS.index("value")],
            denominator=cells[COLUMNS.index("denominator")],
            nothing=_nothing(cells[COLUMNS.index("nothing")], number, indicator, upload),
            note=_text(cells[COLUMNS.index("note")]),
            cells=True,
        )
        upload.entries[indicator] = reading.entry
        upload.rows[indicator] = number
        for part, message in reading.messages:
            column = header["nothing" if part == "nothing_to_report" else part]
            upload.errors.append(SheetProblem(number, indicator.name, column, message))
    if missing := [i.name for i in indicators if i not in upload.entries]:
        raise UnreadableSheet(
            _("Rows are missing for: %(names)s.") % {"names": join_names(missing)}
        )
    return upload


def _unescaped(value):
    """Text as Excel meant it: Excel writes a character XML cannot hold as _xHHHH_."""
    return unescape(value) if isinstance(value, str) else value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code that a spreadsheet program turned into a number
    return "" if value is None else str(value).strip()


def _nothing(value, number, indicator, upload) -> bool:
    try:
        return bool(choice_amount(value))
    except Problem:
        message = _("Enter “%(yes)s” here, or leave it empty.") % {"yes": _("yes")}
        column = dict(zip(COLUMNS, headers(), strict=True))["nothing"]
        upload.errors.append(SheetProblem(number, indicator.name, column, message))
        return False


def _filled_rows(data: bytes) -> dict[int, tuple]:
    """The rows that hold anything, by row number, read as a stream: however the sheet is
    formatted, whatever its optional <dimension> claims, reading stops at MAX_SHEET_ROWS."""
    rows = {}
    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it does not keep (data validation extensions, an
            # unknown style): nothing the upload reads.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True)
            try:
                if not book.worksheets:
                    raise UnreadableSheet(_("The file holds no worksheet."))
                sheet = book.worksheets[0]
                sheet.reset_dimensions()
                cells = sheet.iter_rows(max_col=len(COLUMNS), values_only=True)
                for number, row in enumerate(cells, start=1):
                    if number > MAX_SHEET_ROWS:
                        raise UnreadableSheet(
                            _("The sheet goes on beyond row %(rows)s, far past the template's "
                              "table: delete the rows under the table and upload it again.")
                            % {"rows": MAX_SHEET_ROWS}
                        )  # fmt: skip
                    if any(_text(cell) for cell in row):
                        padded = tuple(row) + (None,) * (len(COLUMNS) - len(row))
                        rows[number] = tuple(_unescaped(cell) for cell in padded)
            finally:
                book.close()
    except UnreadableSheet:
        raise
    except DAMAGED as error:
        if _forbidden_xml(error):
            raise UnreadableSheet(
                _("The file contains XML declarations that Excel never writes (entities, "
                  "external references): it is refused for safety.")
            ) from None  # fmt: skip
        raise UnreadableSheet(
            _("The file cannot be read as an Excel sheet: it is damaged, or not an .xlsx file.")
        ) from None
    return rows


def _forbidden_xml(error: BaseException | None) -> bool:
    """Whether defusedxml refused the XML, however openpyxl wrapped its error."""
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _identify(rows: dict[int, tuple], reporter: str, quarter):
    """Refuse a sheet that is not this page's, saying whose it is. The codes in row 2 and
    the headings in any of the site's languages identify it, whatever language the sheet
    was downloaded in."""
    heading = tuple(_text(cell) for cell in rows.get(FIRST_ROW - 1, ()))
    known = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            known.add(tuple(headers()))
    claims = rows.get(2, (None,) * len(COLUMNS))
    sheet_reporter, sheet_quarter = _text(claims[1]), _text(claims[3])
    if heading not in known or not sheet_reporter or not sheet_quarter:
        raise UnreadableSheet(
            _("This is not a quarter sheet downloaded from this site: download the sheet "
              "from this page, fill it and upload it.")
        )  # fmt: skip
    if (sheet_reporter, sheet_quarter) != (reporter, str(quarter)):
        raise UnreadableSheet(
            _("This sheet is for %(sheet)s, and you are uploading for %(page)s: download "
              "the sheet from this page.")
            % {
                "sheet": _whose(sheet_reporter, sheet_quarter),
                "page": _whose(reporter, str(quarter)),
            }
        )  # fmt: skip


def _whose(reporter: str, quarter: str) -> str:
    if reporter == PROVINCE:
        name = _("Province")
    else:
        prefecture = Prefecture.objects.filter(code=reporter).first()
        name = prefecture.name if prefecture else _("reporter code %(code)s") % {"code": reporter}
    try:
        label = Quarter.parse(quarter).label
    except ValueError:
        label = quarter
    return f"{name} {label}"


def _check_package(data: bytes):
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableSheet(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 1024**2}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except DAMAGED:
        raise UnreadableSheet(_("This is not an Excel .xlsx file.")) from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnreadableSheet(_("This is not an Excel .xlsx file."))
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES or any(
        member.file_size > MAX_PART_BYTES and not member.filename.startswith("xl/media/")
        for member in members
    ):
        raise UnreadableSheet(_("The file unpacks to far more than a filled template."))
