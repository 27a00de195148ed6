from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reminders.notices import waiting_for
from targets.access import is_reviewer, may_enter, may_read_working_copy
from targets.converters import PROVINCE
from targets.forms import PeriodForm, QuarterForm, ReviewForm
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Plan,
    Prefecture,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
)
from targets.reporting import (
    Entry,
    StaleCopy,
    WorkflowError,
    approve_submission,
    lock_reasons,
    reopen_quarter,
    return_submission,
    save_quarter,
    submit_quarter,
)
from targets.tasks import enqueue_recompute
from targets.validation import entry_warnings


def plan(request):
    plans = Plan.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("display_order"))
    )
    waiting = waiting_for(request.user, timezone.localdate())
    return render(request, "targets/home.html", {"plans": plans, "waiting": waiting})


def reporter_or_403(user, reporter: str, *, to_enter=False):
    """The prefecture (None for the province) behind a URL, if this user may read its working
    copy (or, `to_enter`, fill it)."""
    prefecture = None if reporter == PROVINCE else get_object_or_404(Prefecture, code=reporter)
    if not (may_enter if to_enter else may_read_working_copy)(user, prefecture):
        raise PermissionDenied
    return prefecture


def period_or_404(quarter) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod, year=quarter.year, quarter=quarter.quarter)


def approved_entries_before(prefecture, period) -> dict[int, Entry]:
    """The approved figures of the quarter before `period`, by indicator id."""
    before = period.as_quarter.shift(-1)
    figures = Figure.objects.approved().filter(
        submission__prefecture=prefecture,
        submission__period__year=before.year,
        submission__period__quarter=before.quarter,
    )
    return {
        figure.indicator_id: Entry(
            figure.approved_value, figure.approved_denominator, figure.approved_nothing_to_report
        )
        for figure in figures
    }


def quarters(request, reporter):
    prefecture = reporter_or_403(request.user, reporter)
    submissions = {
        submission.period_id: submission
        for submission in Submission.objects.filter(prefecture=prefecture)
    }
    rows = [
        (period, submissions.get(period.pk), lock_reasons(submissions.get(period.pk), period))
        for period in ReportingPeriod.objects.order_by("-year", "-quarter")
    ]
    context = {"prefecture": prefecture, "reporter": reporter, "rows": rows}
    return render(request, "targets/quarters.html", context)


def quarter_form(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter)
    can_enter = may_enter(request.user, prefecture)
    if request.method == "POST" and not can_enter:
        raise PermissionDenied
    period = period_or_404(quarter)
    submission = (
        Submission.objects.filter(prefecture=prefecture, period=period)
        .select_related("reviewed_by", "submitted_by")
        .first()
    )
    indicators = list(Indicator.objects.reported_by(prefecture))
    figures = {
        figure.indicator_id: figure for figure in Figure.objects.filter(submission=submission)
    }
    submitting = "submit" in request.POST

    def sheet(data, version):
        return QuarterForm(
            data,
            indicators=indicators,
            figures=figures,
            previous=approved_entries_before(prefecture, period),
            quarter=quarter,
            version=version,
            submitting=submitting,
        )

    form = sheet(request.POST or None, submission.version if submission else 0)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved, revisions = save_quarter(
                    prefecture=prefecture,
                    period=period,
                    user=request.user,
                    entries=form.entries,
                    seen_version=form.cleaned_data["seen_version"],
                    reason=form.cleaned_data["reason"],
                )
                if submitting:
                    submit_quarter(submission=saved, user=request.user, indicators=indicators)
        except StaleCopy as error:
            # Keep what this user typed, now checked against the version they have seen.
            stale = error.revisions
            submission = Submission.objects.get(prefecture=prefecture, period=period)
            figures = {figure.indicator_id: figure for figure in submission.figures.all()}
            data = request.POST.copy()
            data["seen_version"] = submission.version
            form = sheet(data, submission.version)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            if submitting:
                messages.success(request, _("Submitted for review."))
            elif revisions:
                messages.success(
                    request,
                    _("Saved as draft: %(count)s figures changed.") % {"count": len(revisions)},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("quarter_form", reporter=reporter, quarter=quarter)
    context = {
        "form": form,
        "prefecture": prefecture,
        "reporter": reporter,
        "period": period,
        "submission": submission,
        "locked": lock_reasons(submission, period),
        "can_enter": can_enter,
        "has_approved": any(figure.approved_at for figure in figures.values()),
        "stale": stale,
        "is_reviewer": is_reviewer(request.user),
    }
    return render(request, "targets/quarter_form.html", context)


def submission_history(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter)
    submission = get_object_or_404(Submission, prefecture=prefecture, period=period_or_404(quarter))
    revisions = FigureRevision.objects.filter(figure__submission=submission).select_related(
        "by", "figure__indicator"
    )
    context = {
        "submission": submission,
        "reporter": reporter,
        "events": submission.events.select_related("by"),
        "revisions": revisions.order_by("-at", "-pk"),
    }
    return render(request, "targets/submission_history.html", context)


def figure_history(request, reporter, quarter, indicator):
    prefecture = reporter_or_403(request.user, reporter)
    figure = get_object_or_404(
        Figure.objects.select_related("indicator", "submission__period"),
        submission__prefecture=prefecture,
        submission__period=period_or_404(quarter),
        indicator__code=indicator,
    )
    context = {
        "figure": figure,
        "reporter": reporter,
        "revisions": figure.revisions.select_related("by").order_by("-at", "-pk"),
    }
    return render(request, "targets/figure_history.html", context)


def require_reviewer(user):
    if not is_reviewer(user):
        raise PermissionDenied


def review_queue(request):
    require_reviewer(request.user)
    waiting = Submission.objects.filter(status=Submission.Status.SUBMITTED).select_related(
        "prefecture", "period", "submitted_by"
    )
    return render(request, "targets/review_queue.html", {"waiting": waiting})


def review(request, reporter, quarter):
    require_reviewer(request.user)
    prefecture = reporter_or_403(request.user, reporter)
    period = period_or_404(quarter)
    submission = get_object_or_404(
        Submission.objects.select_related("submitted_by", "reviewed_by"),
        prefecture=prefecture,
        period=period,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if "approve" in request.POST:
                approve_submission(submission=submission, user=request.user, comment=comment)
                indicators = submission.figures.values_list("indicator_id", flat=True)
                if enqueue_recompute(list(indicators)):
                    messages.success(request, _("Approved."))
                else:
                    messages.warning(
                        request,
                        _("Approved. The charts will catch up once the job queue answers again."),
                    )
            else:
                return_submission(submission=submission, user=request.user, comment=comment)
                messages.success(request, _("Returned to the reporter with your comment."))
        except WorkflowError as error:
            form.add_error("comment", str(error))
        else:
            return redirect("review_queue")
    previous = approved_entries_before(prefecture, period)
    rows = [
        (
            figure,
            previous.get(figure.indicator_id),
            entry_warnings(
                figure.indicator, Entry.of(figure), previous.get(figure.indicator_id), quarter
            ),
        )
        for figure in submission.figures.select_related("indicator").order_by(
            "indicator__display_order"
        )
    ]
    context = {"submission": submission, "reporter": reporter, "rows": rows, "form": form}
    return render(request, "targets/review.html", context)


@require_POST
def reopen(request, reporter, quarter):
    require_reviewer(request.user)
    prefecture = reporter_or_403(request.user, reporter)
    try:
        reopen_quarter(
            prefecture=prefecture,
            period=period_or_404(quarter),
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        # What was approved stays published until approved again; a recompute costs nothing
        # when it is unchanged and keeps the stored results honest if it was not.
        enqueue_recompute()
        messages.success(request, _("Reopened: the reporter can change this quarter again."))
    return redirect("quarter_form", reporter=reporter, quarter=quarter)


def periods(request):
    require_reviewer(request.user)
    rows = [
        (period, PeriodForm(instance=period, prefix=str(period)))
        for period in ReportingPeriod.objects.all()
    ]
    return render(request, "targets/periods.html", {"rows": rows})


@require_POST
def period_update(request, quarter):
    require_reviewer(request.user)
    form = PeriodForm(request.POST, instance=period_or_404(quarter), prefix=str(quarter))
    if form.is_valid():
        period = form.save()
        if form.changed_data:
            LogEntry.objects.log_actions(
                request.user.pk,
                [period],
                CHANGE,
                change_message=[{"changed": {"fields": form.changed_data}}],
                single_object=True,
            )
        messages.success(request, _("%(quarter)s updated.") % {"quarter": quarter.label})
    else:
        messages.error(
            request,
            _("%(quarter)s was not changed: check the due date.") % {"quarter": quarter.label},
        )
    return redirect("periods")


AUDIT_ROWS = 300


def audit(request):
    """Who changed what and when, across the site: workflow steps, figures, admin edits."""
    require_reviewer(request.user)
    events = SubmissionEvent.objects.select_related(
        "by", "submission__prefecture", "submission__period"
    ).order_by("-at")[:AUDIT_ROWS]
    revisions = FigureRevision.objects.select_related(
        "by", "figure__indicator", "figure__submission__prefecture", "figure__submission__period"
    ).order_by("-at")[:AUDIT_ROWS]
    edits = LogEntry.objects.select_related("user", "content_type").order_by("-action_time")[
        :AUDIT_ROWS
    ]
    rows = sorted(
        [("event", event.at, event) for event in events]
        + [("revision", revision.at, revision) for revision in revisions]
        + [("edit", edit.action_time, edit) for edit in edits],
        key=lambda row: row[1],
        reverse=True,
    )[:AUDIT_ROWS]
    return render(request, "targets/audit.html", {"rows": rows})
