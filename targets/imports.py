"""Loading figures from a CSV file: all rows or none, through the same rules as the form.

Format (UTF-8 with or without BOM, or GBK as Excel's “CSV (逗号分隔)” saves it on Chinese
Windows; header row required):
    prefecture,indicator,period,value,denominator,note
prefecture is a six-digit code or "province"; period like 2021Q3; value yes/no for
coverage, done/not_done for milestones (是/否, 完成/未完成 too); for ratios value is the
numerator.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets.converters import PROVINCE
from targets.formatting import join_names, join_sentences
from targets.models import Figure, Indicator, Prefecture, ReportingPeriod, Submission
from targets.periods import Quarter
from targets.reporting import Entry, approve_imported, import_quarters
from targets.tasks import enqueue_publish
from targets.validation import entry_warnings, part_label, read_entry

COLUMNS = ["prefecture", "indicator", "period", "value", "denominator", "note"]
MAX_ROWS = 100_000
# "CSV UTF-8" first; then GB18030, the superset of the GBK that Excel's plain "CSV" writes on
# Chinese Windows. UTF-8 rarely decodes as anything else, so the order settles ambiguity.
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    figures_changed: int = 0
    submissions_changed: int = 0
    submissions_approved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Row:
    line: int
    prefecture: Prefecture | None
    period: ReportingPeriod
    indicator: Indicator
    entry: Entry
    warnings: tuple[str, ...] = ()


class WarningsNotAcknowledged(ValueError):
    """Rows with warnings were to be imported without a reason for accepting them."""


def read_csv(source) -> tuple[list[Row], list[tuple[int, str]]]:
    """The file's rows, checked, each with its warnings; or, for every bad row, its line
    number and what is wrong.

    `source` is the file's bytes or a binary file object; it is read as a stream, so a file
    with more than MAX_ROWS rows is refused as soon as the row after the limit is reached.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    encoding, line = _encoding_and_limit(stream)
    if encoding is None:
        return [], [(0, _("The file is neither UTF-8 nor GBK text. Save it as “CSV UTF-8”."))]
    if line:
        return [], [(line, _("More than %(count)s rows: split the file.") % {"count": MAX_ROWS})]
    stream.seek(0)
    reader = csv.reader(io.TextIOWrapper(stream, encoding=encoding, newline=""), strict=True)
    lookups = _Lookups()
    rows, errors, seen = [], [], {}
    records = _records(reader, errors)
    header = _trimmed(next(records, (1, []))[1])
    if [name.strip().lower() for name in header] != COLUMNS:
        return [], [(1, _("The header must be: %(columns)s.") % {"columns": ",".join(COLUMNS)})]
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        try:
            row = _read_row(line, _trimmed(cells), lookups)
        except ValueError as problem:
            errors.append((line, str(problem)))
            continue
        key = (row.prefecture, row.period, row.indicator)
        if key in seen:
            errors.append((line, _("Same figure as line %(line)s.") % {"line": seen[key]}))
        seen[key] = line
        rows.append(row)
    return _with_warnings(rows), errors


def decode_csv(data: bytes) -> str:
    """The text of a file that read_csv accepted, read in the same encoding as it was."""
    encoding, _line = _encoding_and_limit(io.BytesIO(data))
    return data.decode(encoding)


def _encoding_and_limit(stream) -> tuple[str | None, int | None]:
    """The first of ENCODINGS the file reads in (None: none), and the line of its first
    record past MAX_ROWS, if any (the file is read that far only)."""
    for encoding in ENCODINGS:
        stream.seek(0)
        try:
            return encoding, _line_past_the_limit(stream, encoding)
        except UnicodeDecodeError:
            continue
    return None, None


def _line_past_the_limit(stream, encoding: str) -> int | None:
    """The line of the first record past MAX_ROWS, found by counting alone: checking a row
    costs fifty times more, and a file far too long is refused before any is checked.

    Raises UnicodeDecodeError when the text read so far is not in `encoding`."""
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.reader(text, strict=True)
        for count, (line, _cells) in enumerate(_records(reader, []), start=0):
            if count > MAX_ROWS:
                return line
        return None
    finally:
        text.detach()  # leave the stream open for the reading proper


def _records(reader, errors):
    """(line, cells) for each record, by the line it starts on; a record the csv module
    cannot read is a row error. The reader is strict: a quotation mark left open would
    otherwise take every line after it into one cell, and those rows would be lost."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append((start, _csv_problem(error)))
            continue
        yield start, cells


def _csv_problem(error: csv.Error) -> str:
    """What the csv module could not read, in the user's language (its own words are English)."""
    if "field larger than field limit" in str(error):
        return _("A cell on this line is longer than %(count)s characters.") % {
            "count": csv.field_size_limit()
        }
    return _("This line cannot be read as CSV: check its quotation marks.")


def _trimmed(cells: list[str]) -> list[str]:
    """The cells without empty ones past the last column: Excel writes a comma for every
    column of the sheet's used range, so a column once formatted adds one to every line."""
    while len(cells) > len(COLUMNS) and not cells[-1].strip():
        cells = cells[:-1]
    return cells


class _Lookups:
    """The prefectures, quarters and indicators a file may name, loaded once."""

    def __init__(self):
        self.prefectures = {p.code: p for p in Prefecture.objects.all()}
        self.periods = {p.as_quarter: p for p in ReportingPeriod.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.with_first_reported()}


def _read_row(line, cells, lookups: _Lookups) -> Row:
    if len(cells) != len(COLUMNS):
        raise ValueError(_("Expected %(count)s columns.") % {"count": len(COLUMNS)})
    code, indicator_code, period_text, value, denominator, note = (c.strip() for c in cells)
    indicator = lookups.indicators.get(indicator_code)
    if indicator is None:
        raise ValueError(_("Unknown indicator “%(code)s”.") % {"code": indicator_code[:60]})
    if code == PROVINCE:
        prefecture = None
    elif code in lookups.prefectures:
        prefecture = lookups.prefectures[code]
    else:
        raise ValueError(_("Unknown prefecture “%(code)s”.") % {"code": code[:60]})
    province_only = indicator.reported_by == Indicator.ReportedBy.PROVINCE
    if province_only != (prefecture is None):
        message = (
            _("“%(indicator)s” is reported by the province only: use “province”.")
            if province_only
            else _("“%(indicator)s” is reported by cities: give a six-digit city code.")
        )
        raise ValueError(message % {"indicator": indicator_code})
    try:
        period = lookups.periods.get(Quarter.parse(period_text[:20]))
    except ValueError as problem:
        raise ValueError(str(problem)) from None
    if period is None:
        raise ValueError(_("No reporting period %(period)s.") % {"period": period_text})
    if indicator.first_reported and period.as_quarter.end_date < indicator.first_reported:
        raise ValueError(
            _("%(indicator)s is reported from %(quarter)s, when the first plan to track it began.")
            % {
                "indicator": indicator.name,
                "quarter": Quarter.containing(indicator.first_reported).label,
            }
        )
    if not value:
        raise ValueError(_("%(indicator)s: the value is empty.") % {"indicator": indicator.name})
    reading = read_entry(indicator, value=value, denominator=denominator, note=note)
    if reading.errors:
        raise ValueError(
            join_sentences(
                _("%(indicator)s, %(part)s: %(message)s")
                % {"indicator": indicator.name, "part": part_label(part), "message": message}
                for part, message in reading.messages
            )
        )
    return Row(line, prefecture, period, indicator, reading.entry)


def _with_warnings(rows: list[Row]) -> list[Row]:
    """Each row with the warnings the form would give it. The quarter before is the file's
    own row for it when the file has one (it is what the figure will then be), otherwise
    the approved figure."""

    def key(row, quarter):
        return (row.prefecture.pk if row.prefecture else None, row.indicator.pk, quarter)

    in_file = {key(row, row.period.as_quarter): row.entry for row in rows}
    before = {row.period.as_quarter.shift(-1) for row in rows}
    periods = [p.pk for p in ReportingPeriod.objects.all() if p.as_quarter in before]
    approved = {
        (prefecture, indicator, Quarter(year, quarter)): Entry(value, denominator, nothing)
        for prefecture, indicator, year, quarter, value, denominator, nothing in (
            Figure.objects.approved()
            .filter(submission__period__in=periods)
            .values_list(
                "submission__prefecture",
                "indicator",
                "submission__period__year",
                "submission__period__quarter",
                "approved_value",
                "approved_denominator",
                "approved_nothing_to_report",
            )
        )
    }
    checked = []
    for row in rows:
        quarter = row.period.as_quarter
        previous = in_file.get(key(row, quarter.shift(-1))) or approved.get(
            key(row, quarter.shift(-1))
        )
        warnings = entry_warnings(row.indicator, row.entry, previous, quarter)
        checked.append(replace(row, warnings=tuple(warnings)) if warnings else row)
    return checked


def warned(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.warnings]


def with_approval_warnings(rows: list[Row]) -> list[Row]:
    """`rows` as approving them would import them: a quarter that also holds figures the
    file does not set and that differ from what was last approved (a city's draft, a
    resubmission, a quarter returned to it) gets a warning on its first row, since
    approving it publishes those figures too. Like any warning, it takes the importer's
    reason to go ahead. Applying it twice changes nothing."""
    first, in_file = {}, defaultdict(set)
    for row in rows:
        key = (row.prefecture.pk if row.prefecture else None, row.period.pk)
        first.setdefault(key, row)
        in_file[key].add(row.indicator.pk)
    unreviewed = defaultdict(list)
    figures = Figure.objects.filter(submission__period__in={row.period.pk for row in rows})
    for prefecture, period, indicator, *draft_then_approved in figures.values_list(
        "submission__prefecture",
        "submission__period",
        "indicator",
        "value",
        "denominator",
        "nothing_to_report",
        "approved_value",
        "approved_denominator",
        "approved_nothing_to_report",
    ):
        key = (prefecture, period)
        draft, approved = draft_then_approved[:3], draft_then_approved[3:]
        if key in first and indicator not in in_file[key] and draft != approved:
            unreviewed[key].append(indicator)
    names = Indicator.objects.in_bulk()
    warnings = {}
    for key, indicators in unreviewed.items():
        row = first[key]
        warnings[row.line] = _(
            "Approving %(reporter)s %(quarter)s also publishes figures nobody has reviewed "
            "yet: %(names)s."
        ) % {
            "reporter": row.prefecture.name if row.prefecture else _("Province"),
            "quarter": row.period.as_quarter.label,
            "names": join_names(names[indicator].name for indicator in sorted(indicators)),
        }
    return [
        replace(row, warnings=(*row.warnings, warnings[row.line]))
        if row.line in warnings and warnings[row.line] not in row.warnings
        else row
        for row in rows
    ]


@transaction.atomic
def import_figures(
    *, rows: list[Row], user, approve: bool, source: str, accept_warnings: str = ""
) -> ImportReport:
    """Write every row, one save per reporter and quarter (import_quarters); with `approve`,
    publish them.

    Rows with warnings are written only with `accept_warnings`, the importer's reason for
    accepting them, which each such figure's revision keeps; otherwise nothing is written
    and WarningsNotAcknowledged is raised. Without `approve`, a submitted or approved
    quarter that the import changes goes back to the review queue. With it, approving a
    quarter that holds figures nobody reviewed is a warning too (with_approval_warnings).
    """
    if approve:
        rows = with_approval_warnings(rows)
    if (second_look := len(warned(rows))) and not accept_warnings.strip():
        raise WarningsNotAcknowledged(
            ngettext(
                "%(count)s row needs a second look: give the reason for accepting it.",
                "%(count)s rows need a second look: give the reason for accepting them.",
                second_look,
            )
            % {"count": second_look}
        )
    groups = defaultdict(dict)
    for row in rows:
        groups[row.prefecture, row.period][row.indicator] = row
    quarters = {}
    for (prefecture, period), group in groups.items():
        reason = _("Imported from %(source)s by provincial staff.") % {"source": source}
        if not period.is_open:
            reason = join_sentences([reason, _("The quarter was closed.")])
        if any(row.warnings for row in group.values()):
            accepted = _("Warnings accepted: %(reason)s") % {"reason": accept_warnings.strip()}
            reason = join_sentences([reason, accepted])
        entries = {indicator: row.entry for indicator, row in group.items()}
        quarters[prefecture, period] = (entries, reason)
    saved = import_quarters(user=user, quarters=quarters, resubmit=not approve)
    changed = [revisions for _submission, revisions in saved.values() if revisions]
    report = ImportReport(figures_changed=sum(map(len, changed)), submissions_changed=len(changed))
    if approve:
        approvals = [
            (submission, quarters[key][1])
            for key, (submission, _revisions) in saved.items()
            if submission.status != Submission.Status.APPROVED
        ]
        report.submissions_approved = len(approvals)
        if approvals:
            enqueue_publish(approve_imported(approvals=approvals, user=user))
    return report
