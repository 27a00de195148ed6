from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ipplan.params import BadParameter
from reminders.notices import waiting_for
from targets.access import is_reviewer, may_enter, may_read_working_copy
from targets.completeness import corrections, standing
from targets.converters import PROVINCE
from targets.forms import QuarterForm, ReviewForm
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Plan,
    Prefecture,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
    TargetAllocation,
)
from targets.plans import SESSION_KEY as PLAN_KEY
from targets.plans import plan_for_quarter, plan_or_404, tracked_by, with_targets
from targets.reporting import (
    Entry,
    ReasonMissing,
    StaleCopy,
    WorkflowError,
    approve_submission,
    lock_reasons,
    reopen_quarter,
    return_submission,
    save_quarter,
    start_review,
    submit_quarter,
    withdraw_refusal,
    withdraw_submission,
)
from targets.review import review_rows
from targets.schedule import period_or_404
from targets.tasks import enqueue_publish, enqueue_recompute


def plan(request):
    plans = [(plan, tracked_by(plan)) for plan in Plan.objects.all()]
    waiting = waiting_for(request.user, timezone.localdate())
    return render(request, "targets/home.html", {"plans": plans, "waiting": waiting})


@require_POST
def choose_plan(request):
    """The header's plan switcher: the pages show the plan chosen until another is."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not (code := request.POST.get("plan", "")):
        raise BadParameter(_("Choose a plan."))
    plan = plan_or_404(code[:40])
    request.session[PLAN_KEY] = plan.code
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("overview")
    # A plan named in the address would override the choice just made.
    parts = urlsplit(back)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name != "plan"]
    return redirect(urlunsplit(parts._replace(query=urlencode(query))))


def reporter_or_403(user, reporter: str, *, to_enter=False):
    """The prefecture (None for the province) behind a URL, if this user may read its working
    copy (or, `to_enter`, fill it)."""
    prefecture = None if reporter == PROVINCE else get_object_or_404(Prefecture, code=reporter)
    if not (may_enter if to_enter else may_read_working_copy)(user, prefecture):
        raise PermissionDenied
    return prefecture


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
    found, today = corrections(submissions.values()), timezone.localdate()
    rows = [
        (
            period,
            submission,
            lock_reasons(submission, period),
            standing(submission, period, today, found) if prefecture else None,
        )
        for period in ReportingPeriod.objects.order_by("-year", "-quarter")
        for submission in [submissions.get(period.pk)]
    ]
    context = {"prefecture": prefecture, "reporter": reporter, "rows": rows}
    return render(request, "targets/quarters.html", context)


def sheet_form(prefecture, period, data=None, *, submitting=False, clashes=frozenset()):
    """The quarter's submission (None before the first save) and its sheet as saved now,
    bound to `data` when given."""
    submission = (
        Submission.objects.filter(prefecture=prefecture, period=period)
        .select_related("reviewed_by", "submitted_by", "review_started_by", "period")
        .first()
    )
    figures = {
        figure.indicator_id: figure for figure in Figure.objects.filter(submission=submission)
    }
    plan = plan_for_quarter(period.as_quarter)
    form = QuarterForm(
        data,
        indicators=with_targets(Indicator.objects.asked_for(prefecture, period.as_quarter), plan),
        figures=figures,
        previous=approved_entries_before(prefecture, period),
        quarter=period.as_quarter,
        version=submission.version if submission else 0,
        submitting=submitting,
        allocations=TargetAllocation.of(prefecture, plan),
        clashes=clashes,
    )
    return submission, form


def merged_sheet(prefecture, period, merge, kept=None):
    """The sheet after a refused stale save: `merge` (see reporting.Merge) shown over the
    version now saved, with `kept` (the user's ticks and reasons) as they sent them."""
    data = QuarterForm.data_for(merge.entries, merge.version) | (kept or {})
    return sheet_form(prefecture, period, data, clashes=merge.clashes)


def render_sheet(request, reporter, prefecture, period, submission, form, stale=None):
    context = {
        "form": form,
        "prefecture": prefecture,
        "reporter": reporter,
        "period": period,
        "submission": submission,
        "locked": lock_reasons(submission, period),
        "can_enter": may_enter(request.user, prefecture),
        "stale": stale,
        "is_reviewer": is_reviewer(request.user),
        "may_withdraw": may_enter(request.user, prefecture) and not withdraw_refusal(submission),
        "plan": plan_for_quarter(period.as_quarter),
    }
    return render(request, "targets/quarter_form.html", context)


def quarter_form(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter)
    if request.method == "POST" and not may_enter(request.user, prefecture):
        raise PermissionDenied
    period = period_or_404(quarter)
    submitting = "submit" in request.POST
    submission, form = sheet_form(prefecture, period, request.POST or None, submitting=submitting)
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
                    reasons=form.reasons,
                    submitting=submitting,
                )
                if submitting:
                    submit_quarter(
                        submission=saved, user=request.user, indicators=list(form.entries)
                    )
        except StaleCopy as error:
            stale = error.revisions
            kept = {
                key: value
                for key, value in request.POST.items()
                if key.endswith(("-confirm", "-reason"))
            }
            submission, form = merged_sheet(prefecture, period, error.merge, kept)
        except ReasonMissing as error:
            for indicator in error.indicators:
                field = f"{indicator.code}-reason"
                form.add_error(
                    field if field in form.fields else None, error.message_for(indicator)
                )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            if submitting:
                messages.success(request, _("Submitted for review."))
            elif revisions:
                messages.success(
                    request,
                    ngettext(
                        "Saved as draft: %(count)s figure changed.",
                        "Saved as draft: %(count)s figures changed.",
                        len(revisions),
                    )
                    % {"count": len(revisions)},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("quarter_form", reporter=reporter, quarter=quarter)
    return render_sheet(request, reporter, prefecture, period, submission, form, stale)


@require_POST
def withdraw(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter, to_enter=True)
    submission = get_object_or_404(Submission, prefecture=prefecture, period=period_or_404(quarter))
    try:
        withdraw_submission(submission=submission, user=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Withdrawn: the quarter is a draft again."))
    return redirect("quarter_form", reporter=reporter, quarter=quarter)


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
    approved = Entry(
        figure.approved_value, figure.approved_denominator, figure.approved_nothing_to_report
    )
    context = {
        "figure": figure,
        "now": Entry.of(figure),
        "approved": approved,
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
        Submission.objects.select_related(
            "submitted_by", "reviewed_by", "review_started_by", "period", "prefecture"
        ),
        prefecture=prefecture,
        period=period,
    )
    form = ReviewForm(request.POST or None, initial={"seen_version": submission.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        comment, seen = form.cleaned_data["comment"], form.cleaned_data["seen_version"]
        try:
            if "approve" in request.POST:
                approve_submission(
                    submission=submission, user=request.user, comment=comment, seen_version=seen
                )
                if enqueue_publish([submission]):
                    messages.success(request, _("Approved."))
                else:
                    messages.warning(
                        request,
                        _("Approved. The charts will catch up once the job queue answers again."),
                    )
            else:
                return_submission(
                    submission=submission, user=request.user, comment=comment, seen_version=seen
                )
                messages.success(request, _("Returned to the reporter with your comment."))
        except StaleCopy as error:
            # Show what is there now, to be approved or returned from the new version.
            stale = error.revisions
            submission.refresh_from_db()
            form = ReviewForm(initial={"seen_version": submission.version, "comment": comment})
        except WorkflowError as error:
            form.add_error("comment", str(error))
        else:
            return redirect("review_queue")
    elif request.method == "GET" and start_review(submission=submission, user=request.user):
        submission.refresh_from_db()
    rows = review_rows(submission, approved_entries_before(prefecture, period))
    context = {
        "submission": submission,
        "reporter": reporter,
        "rows": rows,
        # Approved again, the quarter is no longer being corrected: it reads as approved.
        "correction": submission.status != Submission.Status.APPROVED
        and any(row.approved for row in rows),
        "form": form,
        "stale": stale,
    }
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
