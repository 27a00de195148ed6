"""Loading figures from a CSV file: all rows or none, through the same rules as the form.

Format (UTF-8, with or without BOM, header row required):
    prefecture,indicator,period,value,denominator,note
prefecture is a six-digit code or "province"; period like 2021Q3; value yes/no for
coverage, done/not_done for milestones; for ratios value is the numerator.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from targets.converters import PROVINCE
from targets.models import Indicator, Prefecture, ReportingPeriod, Submission
from targets.periods import Quarter
from targets.reporting import Entry, approve_submission, save_quarter
from targets.tasks import enqueue_recompute
from targets.validation import entry_errors, is_yes_no, needs_denominator, parse_amount

COLUMNS = ["prefecture", "indicator", "period", "value", "denominator", "note"]
WORDS = {"yes": 1, "no": 0, "done": 1, "not_done": 0}
MAX_ROWS = 100_000


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


def read_csv(data: bytes) -> tuple[list[Row], list[tuple[int, str]]]:
    """The file's rows, checked; or, for every bad row, its line number and what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))]
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or [name.strip() for name in lines[0]] != COLUMNS:
        return [], [(1, _("The header must be: %(columns)s.") % {"columns": ",".join(COLUMNS)})]
    if len(lines) > MAX_ROWS:
        return [], [(0, _("More than %(count)s rows: split the file.") % {"count": MAX_ROWS})]
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    periods = {p.as_quarter: p for p in ReportingPeriod.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    rows, errors, seen = [], [], {}
    for line, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            row = _read_row(line, cells, prefectures, periods, indicators)
        except ValueError as problem:
            errors.append((line, str(problem)))
            continue
        key = (row.prefecture, row.period, row.indicator)
        if key in seen:
            errors.append((line, _("Same figure as line %(line)s.") % {"line": seen[key]}))
        seen[key] = line
        rows.append(row)
    return rows, errors


def _read_row(line, cells, prefectures, periods, indicators) -> Row:
    if len(cells) != len(COLUMNS):
        raise ValueError(_("Expected %(count)s columns.") % {"count": len(COLUMNS)})
    code, indicator_code, period_text, value, denominator, note = (c.strip() for c in cells)
    indicator = indicators.get(indicator_code)
    if indicator is None:
        raise ValueError(_("Unknown indicator “%(code)s”.") % {"code": indicator_code})
    if code == PROVINCE:
        prefecture = None
    elif code in prefectures:
        prefecture = prefectures[code]
    else:
        raise ValueError(_("Unknown prefecture “%(code)s”.") % {"code": code})
    province_only = indicator.reported_by == Indicator.ReportedBy.PROVINCE
    if province_only != (prefecture is None):
        message = (
            _("“%(indicator)s” is reported by the province only: use “province”.")
            if province_only
            else _("“%(indicator)s” is reported by cities: give a six-digit city code.")
        )
        raise ValueError(message % {"indicator": indicator_code})
    period = periods.get(Quarter.parse(period_text))
    if period is None:
        raise ValueError(_("No reporting period %(period)s.") % {"period": period_text})
    entry = _entry(indicator, value, denominator, note)
    if problems := entry_errors(indicator, entry):
        raise ValueError(
            " ".join(message for messages in problems.values() for message in messages)
        )
    return Row(line, prefecture, period, indicator, entry)


def _entry(indicator, value, denominator, note) -> Entry:
    if is_yes_no(indicator):
        if value not in WORDS:
            words = "yes/no" if indicator.kind == Indicator.Kind.COVERAGE else "done/not_done"
            raise ValueError(_("The value must be %(words)s.") % {"words": words})
        number = parse_amount(str(WORDS[value]))
    else:
        number = parse_amount(value)
        if number is None:
            raise ValueError(_("The value is empty."))
    if denominator and not needs_denominator(indicator):
        raise ValueError(_("This indicator has no denominator to enter."))
    return Entry(number, parse_amount(denominator) if denominator else None, False, note)


@transaction.atomic
def import_figures(*, rows: list[Row], user, approve: bool, source: str) -> ImportReport:
    """Write every row, one save per reporter and quarter; with `approve`, publish them."""
    report = ImportReport()
    groups = defaultdict(dict)
    for row in rows:
        groups[row.prefecture, row.period][row.indicator] = row.entry
    # Concurrent imports queue instead of failing on each other's saves: the quarters they
    # write (in key order) and each submission are locked before its version is read.
    periods = {period.pk for _, period in groups}
    list(
        ReportingPeriod.objects.filter(pk__in=periods).order_by("pk").select_for_update(no_key=True)
    )
    for (prefecture, period), entries in groups.items():
        current = (
            Submission.objects.select_for_update(of=("self",))
            .filter(prefecture=prefecture, period=period)
            .first()
        )
        reason = _("Imported from %(source)s by provincial staff.") % {"source": source}
        if not period.is_open:
            reason += " " + _("The quarter was closed.")
        submission, revisions = save_quarter(
            prefecture=prefecture,
            period=period,
            user=user,
            entries=entries,
            seen_version=current.version if current else 0,
            reason=reason,
            past_locks=True,
        )
        report.figures_changed += len(revisions)
        report.submissions_changed += bool(revisions)
        if approve and submission.status != Submission.Status.APPROVED:
            approve_submission(submission=submission, user=user, comment=reason, imported=True)
            report.submissions_approved += 1
    if report.submissions_approved:
        enqueue_recompute({row.indicator.pk for row in rows})
    return report
