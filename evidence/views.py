import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from evidence.checks import MAX_BYTES, Refused, inspect
from evidence.forms import AskForm, EvidenceForm
from evidence.models import EvidenceFile, published_until
from ipplan.uploads import upload_too_large
from targets.access import is_reviewer, may_read_published, may_read_working_copy
from targets.formatting import join_sentences
from targets.models import Indicator, Submission
from targets.reporting import WorkflowError, lock_reasons, return_submission
from targets.schedule import period_or_404
from targets.views import reporter_or_403


def may_read(user, evidence: EvidenceFile) -> bool:
    """The figure's read rules: a file that was part of an approved submission is published;
    one attached since is a working copy until the next approval."""
    until = published_until(evidence.submission)
    if until is not None and evidence.uploaded_at <= until:
        return may_read_published(user)
    return may_read_working_copy(user, evidence.submission.prefecture)


@require_POST
def upload(request, reporter, quarter):
    prefecture = reporter_or_403(request.user, reporter, to_enter=True)
    period = period_or_404(quarter)
    back = redirect("quarter_form", reporter=reporter, quarter=quarter)
    submission = Submission.objects.filter(prefecture=prefecture, period=period).first()
    if submission is None:
        messages.error(request, _("Save the quarter's figures first, then attach files to it."))
        return back
    if reasons := lock_reasons(submission, period):
        messages.error(request, _("No file was attached: ") + join_sentences(reasons))
        return back
    if upload_too_large(request):
        messages.error(
            request,
            _("No file was attached: a file may be at most %(size)s MB.")
            % {"size": MAX_BYTES // (1024 * 1024)},
        )
        return back
    form = EvidenceForm(
        request.POST,
        request.FILES,
        indicators=Indicator.objects.reported_by(prefecture),
        submission=submission,
    )
    if not form.is_valid():
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(request, _("No file was attached: ") + join_sentences(problems))
        return back
    upload = form.cleaned_data["file"]
    try:
        detected = inspect(upload)
    except Refused as refusal:
        messages.error(request, _("No file was attached: ") + str(refusal))
        return back
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    evidence = EvidenceFile(
        submission=submission,
        indicator=form.cleaned_data["indicator"],
        name=form.cleaned_data["name"],
        content_type=detected.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=request.user,
        replaces=form.cleaned_data["replaces"],
    )
    evidence.file.save("upload", upload, save=True)
    messages.success(request, _("Attached “%(name)s”.") % {"name": evidence.name})
    return back


@require_GET
def download(request, pk):
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("submission__prefecture"), pk=pk
    )
    if not may_read(request.user, evidence):
        raise PermissionDenied
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.download_name,
        content_type=evidence.content_type,
    )
    # Never rendered by the browser as this site's page, whatever the file holds.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def ask(request, reporter, quarter):
    """Return a submitted quarter to its reporter, asking for a file in the comment."""
    if not is_reviewer(request.user):
        raise PermissionDenied
    prefecture = reporter_or_403(request.user, reporter)
    submission = get_object_or_404(Submission, prefecture=prefecture, period=period_or_404(quarter))
    form = AskForm(request.POST, indicators=Indicator.objects.reported_by(prefecture))
    if not form.is_valid():
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(request, join_sentences(problems))
        return redirect("review", reporter=reporter, quarter=quarter)
    try:
        return_submission(submission=submission, user=request.user, comment=form.comment)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("review", reporter=reporter, quarter=quarter)
    messages.success(request, _("Returned to the reporter, asking for the file."))
    return redirect("review_queue")
