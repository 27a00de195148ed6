"""The filter above an indicator page's table of cities, the table's downloads, and a plan's
final evaluation as a download."""

import csv
import io

import django_filters
import django_tables2 as tables
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets.formatting import join_names
from targets.models import Prefecture
from targets.workbooks import XLSX, table_workbook


class PrefectureFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label=gettext_lazy("Prefecture name contains"), method="filter_name"
    )

    class Meta:
        model = Prefecture
        fields = ["name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_zh__icontains=value) | queryset.filter(name_en__icontains=value)


class MatrixTable(tables.Table):
    """Cities down, quarters across, as downloaded: the layout people keep in Excel."""

    prefecture = tables.Column(verbose_name=gettext_lazy("Prefecture"))

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "matrix-table"}


EXPORT_FORMATS = ("csv", "xlsx")


def matrix_export(table: MatrixTable, export: str, *, indicator, period) -> HttpResponse:
    """The city × quarter table as a download (table_download)."""
    rows = list(table.as_values())
    return table_download(
        export,
        filename=f"{indicator.code}-{period.as_quarter}.{export}",
        title=_("%(indicator)s by prefecture, to %(quarter)s")
        % {"indicator": indicator.name, "quarter": period.as_quarter.label},
        note=_("Unit: %(unit)s. Approved figures only.") % {"unit": indicator.unit or "—"},
        sheet=indicator.name,
        sheet_end=str(period.as_quarter),
        headers=rows[0],
        rows=rows[1:],
        widths=[14, *(10 for _column in rows[0][1:])],
    )


def table_download(
    export: str, *, filename, title, note, sheet, headers, rows, sheet_end="", widths=()
) -> HttpResponse:
    """A table as a download: CSV with a byte-order mark, so that Excel on Chinese Windows
    reads it as UTF-8, and no cell Excel would take for a formula; or an .xlsx with the
    title, the note (units, source) and frozen headers (targets.workbooks.table_workbook)."""
    if export == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(
            [[_inert(value) for value in row] for row in [headers, *rows]]
        )
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        content = table_workbook(
            title=title,
            name=sheet,
            name_end=sheet_end,
            headers=headers,
            rows=rows,
            note=note,
            widths=widths,
        )
        response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _inert(value):
    """Text that Excel would take for a formula when it opens the CSV, kept as text."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


class FinalEvaluationTable(tables.Table):
    """A plan's final evaluation as downloaded: one row per target, in the plan's order."""

    indicator = tables.Column(verbose_name=gettext_lazy("Indicator"))
    target = tables.Column(verbose_name=gettext_lazy("Target"))
    quarter = tables.Column(verbose_name=gettext_lazy("Evaluated at"))
    actual = tables.Column(verbose_name=gettext_lazy("Actual"))
    gap = tables.Column(verbose_name=gettext_lazy("Gap"))
    share = tables.Column(verbose_name=gettext_lazy("Share of target"))
    status = tables.Column(verbose_name=gettext_lazy("Final status"))
    missing = tables.Column(verbose_name=gettext_lazy("Cities missing"))
    cities = tables.Column(verbose_name=gettext_lazy("Cities and their allocations"))
    correction = tables.Column(verbose_name=gettext_lazy("Corrected since frozen"))

    class Meta:
        template_name = "django_tables2/table.html"


def evaluation_export(evaluation, export: str) -> HttpResponse:
    """A plan's final evaluation (reports.evaluation.Evaluation) as a download: the values
    as every page prints them, the note saying whether it is frozen (by whom, when) or
    provisional."""
    data = [
        {
            "indicator": line.indicator.name,
            "target": line.reading.target,
            "quarter": str(line.result.quarter),
            "actual": line.reading.value,
            "gap": line.reading.gap,
            "share": line.reading.share,
            "status": str(line.final.label),
            "missing": join_names(line.missing_names),
            "cities": line.cities,
            "correction": line.correction,
        }
        for line in evaluation.lines
    ]
    rows = list(FinalEvaluationTable(data).as_values())
    plan = evaluation.plan
    return table_download(
        export,
        filename=f"final-evaluation-{plan.code}.{export}",
        title=_("%(plan)s: final evaluation") % {"plan": plan.title},
        note=evaluation.note,
        sheet=_("Final evaluation"),
        sheet_end=plan.code,
        headers=rows[0],
        rows=rows[1:],
        widths=[30, 16, 10, 16, 16, 12, 14, 20, 20, 30],
    )
