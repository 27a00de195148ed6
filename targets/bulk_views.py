"""Bulk data: the Excel round trip for reporters, CSV import and the completeness matrix."""

from collections import Counter
from dataclasses import dataclass, field, replace

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ipplan.params import whole_number
from ipplan.uploads import upload_too_large
from targets.completeness import completeness_matrix, matrix_workbook
from targets.formatting import imported_text, join_sentences
from targets.forms import CsvConfirmForm, CsvImportForm, UploadForm
from targets.imports import (
    decode_csv,
    import_figures,
    read_csv,
    warned,
    with_approval_warnings,
)
from targets.models import Figure, Indicator, ReportingPeriod, Submission, TargetAllocation
from targets.plans import plan_for_quarter, with_targets
from targets.reporting import (
    Change,
    StaleCopy,
    WorkflowError,
    entries_from_session,
    entries_to_session,
    lock_reasons,
    preview_changes,
    save_quarter,
)
from targets.schedule import period_or_404
from targets.spreadsheets import (
    UnreadableSheet,
    quarter_workbook,
    read_quarter_workbook,
)
from targets.validation import entry_warnings
from targets.views import (
    approved_entries_before,
    merged_sheet,
    render_sheet,
    reporter_or_403,
    require_reviewer,
)
from targets.workbooks import XLSX


def _quarter_sheet(prefecture, period):
    submission = Submission.objects.filter(prefecture=prefecture, period=period).first()
    plan = plan_for_quarter(period.as_quarter)
    indicators = with_targets(Indicator.objects.asked_for(prefecture, period.as_quarter), plan)
    figures = {f.indicator_id: f for f in Figure.objects.filter(submission=submission)}
    return submission, indicators, figures, plan


def quarter_workbook_download(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter)
    period = period_or_404(quarter)
    _submission, indicators, figures, plan = _quarter_sheet(prefecture, period)
    content = quarter_workbook(
        reporter=reporter,
        reporter_name=prefecture.name if prefecture else _("Province"),
        quarter=quarter,
        indicators=indicators,
        figures=figures,
        previous=approved_entries_before(prefecture, period),
        allocations=TargetAllocation.of(prefecture, plan),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ipplan-{reporter}-{quarter}.xlsx"'
    return response


def _session_key(reporter, quarter):
    return f"upload:{reporter}:{quarter}"


def quarter_upload(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter, to_enter=True)
    period = period_or_404(quarter)
    submission, indicators, figures, _plan = _quarter_sheet(prefecture, period)
    posted = request.method == "POST"  # a body cut off at the upload limit leaves no fields
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large=upload_too_large(request),
    )
    preview = upload = None
    # A quarter the city may not change (submitted, approved, closed) takes no file: the
    # preview of changes it could never save would only mislead.
    locked = join_sentences(lock_reasons(submission, period))
    if request.method == "POST" and not locked and form.is_valid():
        try:
            upload = read_quarter_workbook(
                form.cleaned_data["file"], reporter=reporter, quarter=quarter, indicators=indicators
            )
        except UnreadableSheet as error:
            form.add_error("file", str(error))
        else:
            preview = _upload_preview(upload, figures, prefecture, period)
            if not upload.errors:
                request.session[_session_key(reporter, quarter)] = {
                    "version": submission.version if submission else 0,
                    "entries": entries_to_session(upload.entries),
                }
    context = {
        "form": form,
        "reporter": reporter,
        "prefecture": prefecture,
        "period": period,
        "preview": preview,
        "upload": upload,
        "locked": locked,
    }
    return render(request, "targets/quarter_upload.html", context)


@dataclass(frozen=True)
class PreviewRow:
    """A line of a preview: what saving would do, and what deserves a second look; or, when
    the line has `problems`, that it is refused (what was read of it would save nothing)."""

    change: Change
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _upload_preview(upload, figures, prefecture, period) -> list[PreviewRow]:
    """A sheet's rows with what saving each would do; a row with problems is refused, so
    neither its effect nor warnings about what little could be read of it are told."""
    previous = approved_entries_before(prefecture, period)
    preview = []
    for change in preview_changes(upload.entries, figures):
        if problems := upload.problems_of(change.indicator):
            preview.append(PreviewRow(change, problems=problems))
            continue
        before = previous.get(change.indicator.pk)
        warnings = entry_warnings(change.indicator, change.after, before, period.as_quarter)
        preview.append(PreviewRow(change, warnings))
    return preview


@require_POST
def quarter_upload_confirm(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter, to_enter=True)
    stored = request.session.pop(_session_key(reporter, quarter), None)
    if stored is None:
        messages.error(request, _("Nothing to save: upload the file again."))
        return redirect("quarter_upload", reporter=reporter, quarter=quarter)
    indicators = Indicator.objects.reported_by(prefecture)
    period = period_or_404(quarter)
    try:
        revisions = save_quarter(
            prefecture=prefecture,
            period=period,
            user=request.user,
            entries=entries_from_session(stored["entries"], indicators),
            seen_version=stored["version"],
            reason=request.POST.get("reason", ""),
        )[1]
    except StaleCopy as error:
        # The sheet's own changes, merged with what was saved since, to check and save.
        reason = request.POST.get("reason", "").strip()
        merge = error.merge
        kept = {f"{i.code}-reason": reason for i in merge.entries if i.pk in merge.touched}
        submission, form = merged_sheet(prefecture, period, merge, kept)
        return render_sheet(
            request, reporter, prefecture, period, submission, form, error.revisions
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("quarter_upload", reporter=reporter, quarter=quarter)
    messages.success(
        request,
        ngettext(
            "Saved from Excel as draft: %(count)s figure changed.",
            "Saved from Excel as draft: %(count)s figures changed.",
            len(revisions),
        )
        % {"count": len(revisions)},
    )
    return redirect("quarter_form", reporter=reporter, quarter=quarter)


CSV_SESSION_KEY = "csv-import"


def csv_import(request):
    require_reviewer(request.user)
    posted = request.method == "POST"  # a body cut off at the upload limit leaves no fields
    form = CsvImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large=upload_too_large(request),
    )
    rows = errors = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        rows, errors = read_csv(data)
        if form.cleaned_data["approve"]:
            rows = with_approval_warnings(rows)
        if not errors:
            request.session[CSV_SESSION_KEY] = {
                "text": decode_csv(data),
                "name": request.FILES["file"].name,
                "approve": form.cleaned_data["approve"],
            }
    return _csv_page(
        request, form, rows, errors, CsvConfirmForm(warned=bool(rows and warned(rows)))
    )


# A plan's whole history is some 7,600 rows: more than anyone reads in a table, and more
# than a page renders in good time. The counts cover every row.
PREVIEW_ROWS = 300


def _csv_page(request, form, rows, errors, confirm):
    preview = _csv_preview(rows or [])
    effects = Counter(item.change.effect for item in preview)
    changing = [item for item in preview if item.change.effect != "same"]
    context = {
        "form": form,
        "rows": rows,
        "errors": errors,
        "preview": changing[:PREVIEW_ROWS],
        "not_shown": len(changing[PREVIEW_ROWS:]),
        "effects": effects,
        "warned": warned(rows or []),
        "confirm": confirm,
    }
    return render(request, "targets/csv_import.html", context)


def _csv_preview(rows):
    """Each row with what importing it would do to its figure: add, change or leave it."""
    periods = {row.period for row in rows}
    current = {
        (f.submission.prefecture_id, f.submission.period_id, f.indicator_id): f
        for f in Figure.objects.filter(submission__period__in=periods).select_related("submission")
    }
    preview = []
    for row in rows:
        key = (row.prefecture.pk if row.prefecture else None, row.period.pk, row.indicator.pk)
        figure = current.get(key)
        [change] = preview_changes(
            {row.indicator: row.entry}, {row.indicator.pk: figure} if figure else {}
        )
        reporter = row.prefecture.name if row.prefecture else _("Province")
        change = replace(
            change, line=row.line, reporter=reporter, quarter=row.period.as_quarter.label
        )
        preview.append(PreviewRow(change, list(row.warnings)))
    return preview


@require_POST
def csv_import_confirm(request):
    require_reviewer(request.user)
    stored = request.session.get(CSV_SESSION_KEY)
    if stored is None:
        messages.error(request, _("Nothing to import: upload the file again."))
        return redirect("csv_import")
    rows, errors = read_csv(stored["text"].encode())
    if errors:
        del request.session[CSV_SESSION_KEY]
        messages.error(request, _("The data changed since the preview: upload the file again."))
        return redirect("csv_import")
    if stored["approve"]:
        rows = with_approval_warnings(rows)
    confirm = CsvConfirmForm(request.POST, warned=bool(warned(rows)))
    if not confirm.is_valid():
        return _csv_page(request, CsvImportForm(), rows, errors, confirm)
    report = import_figures(
        rows=rows,
        user=request.user,
        approve=stored["approve"],
        source=stored["name"],
        accept_warnings=confirm.cleaned_data["reason"],
    )
    del request.session[CSV_SESSION_KEY]
    messages.success(request, imported_text(len(rows), report))
    return redirect("csv_import")


def completeness(request):
    require_reviewer(request.user)
    matrix = completeness_matrix(
        year=whole_number(request, "year", minimum=1, maximum=9999),
        state=request.GET.get("state") or None,
        today=timezone.localdate(),
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(matrix_workbook(matrix), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="ipplan-completeness.xlsx"'
        return response
    years = ReportingPeriod.objects.order_by("year").values_list("year", flat=True).distinct()
    return render(request, "targets/completeness.html", {"matrix": matrix, "years": years})
