"""Loading a plan file on the site: upload, preview with every problem, confirm."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipplan.uploads import upload_too_large
from targets.forms import PlanUploadForm
from targets.plan_files import PlanFileInvalid, load, loaded_text, read_plan_file
from targets.views import require_reviewer

# The checked file waits here, as text, between its preview and the confirmation.
SESSION_KEY = "plan-file"


def plan_upload(request):
    require_reviewer(request.user)
    posted = request.method == "POST"  # a body cut off at the upload limit leaves no fields
    form = PlanUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large=upload_too_large(request),
    )
    plan_file = problems = None
    if posted and form.is_valid():
        data = form.cleaned_data["file"]
        try:
            plan_file = read_plan_file(data)
        except PlanFileInvalid as invalid:
            problems = invalid.problems
        else:
            request.session[SESSION_KEY] = data.decode("utf-8-sig")
    context = {"form": form, "plan_file": plan_file, "problems": problems}
    return render(request, "targets/plan_upload.html", context)


@require_POST
def plan_upload_confirm(request):
    require_reviewer(request.user)
    text = request.session.pop(SESSION_KEY, None)
    if text is None:
        messages.error(request, _("Nothing to load: upload the file again."))
        return redirect("plan_upload")
    try:
        _plan_file, loaded = load(text.encode())
    except PlanFileInvalid:
        messages.error(request, _("The record changed since the preview: upload the file again."))
        return redirect("plan_upload")
    messages.success(request, loaded_text(loaded))
    return redirect("plan")
