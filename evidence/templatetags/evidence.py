from django import template

from evidence.checks import MAX_BYTES
from evidence.forms import AskForm, EvidenceForm
from evidence.models import EvidenceFile
from evidence.views import may_read
from targets.access import is_reviewer, may_enter
from targets.models import Indicator
from targets.reporting import lock_reasons

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context, submission, reporter, period, reviewing=False):
    """{% evidence_panel submission reporter period %}: a quarter's evidence files that this
    user may read, the form to attach one when they may, and, `reviewing`, the form that
    returns the quarter asking for one."""
    user = context["request"].user
    prefecture = submission.prefecture if submission else None
    files = []
    if submission is not None:
        files = [f for f in EvidenceFile.objects.of_submissions([submission]) if may_read(user, f)]
    indicators = Indicator.objects.reported_by(prefecture)
    may_upload = (
        not reviewing
        and submission is not None
        and may_enter(user, prefecture)
        and not lock_reasons(submission, period)
    )
    may_ask = reviewing and is_reviewer(user) and submission.status == "submitted"
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "submission": submission,
        "reporter": reporter,
        "period": period,
        "files": files,
        "form": EvidenceForm(indicators=indicators, submission=submission) if may_upload else None,
        "ask": AskForm(indicators=indicators) if may_ask else None,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
