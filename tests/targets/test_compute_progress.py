from io import StringIO

import pytest
from django.core.management import call_command

from targets.models import Progress


def run(*args) -> str:
    out = StringIO()
    call_command("compute_progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_stores_progress_and_says_how_much(plan):
    assert run() == "compute_progress: 21 indicators, 21 rewritten, 7980 rows stored.\n"
    assert Progress.objects.count() == 7980


@pytest.mark.django_db
def test_it_leaves_current_results_alone_unless_told_full(plan):
    run()
    stamps = set(Progress.objects.values_list("computed_at", flat=True))
    assert "0 rewritten, 0 rows" in run()
    assert set(Progress.objects.values_list("computed_at", flat=True)) == stamps
    assert "21 rewritten, 7980 rows" in run("--full")
    assert Progress.objects.count() == 7980
