from io import StringIO

import pytest
from django.core.management import call_command

from targets.models import Progress


def run(*args) -> str:
    out = StringIO()
    call_command("compute_progress", *args, stdout=out)
    return out.getvalue()


# 21 indicators × 36 quarters (2018Q1 to 2026Q4) × (the province and each city reporting it).
ROWS = 14364


@pytest.mark.django_db
def test_it_stores_progress_and_says_how_much(plan):
    assert run() == f"compute_progress: 21 indicators, 21 rewritten, {ROWS} rows stored.\n"
    assert Progress.objects.count() == ROWS


@pytest.mark.django_db
def test_it_leaves_current_results_alone_unless_told_full(plan):
    run()
    stamps = set(Progress.objects.values_list("computed_at", flat=True))
    assert "0 rewritten, 0 rows" in run()
    assert set(Progress.objects.values_list("computed_at", flat=True)) == stamps
    assert f"21 rewritten, {ROWS} rows" in run("--full")
    assert Progress.objects.count() == ROWS
