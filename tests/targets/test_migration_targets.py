"""Moving each indicator's target onto a `Target` of its plan (migrations 0011–0016) keeps
every row: a database populated by `load_demo` is taken back to the schema before the move,
and forward again, and every figure, revision, event, target, allocation and published
result is compared with what it was (raw SQL: the same query reads both schemas); the engine
then finds every published result up to date."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from targets.models import Figure, FigureRevision, Indicator, Plan, Target
from targets.recompute import recompute_progress

BEFORE = ("targets", "0010_submission_not_city_approved")
DEMO_SERIES = "demo_data_ip_registrations"

ROWS = {
    "figures": "SELECT id, submission_id, indicator_id, value, denominator, note, approved_value,"
    " approved_denominator, approved_at FROM targets_figure ORDER BY id",
    "revisions": "SELECT * FROM targets_figurerevision ORDER BY id",
    "events": "SELECT * FROM targets_submissionevent ORDER BY id",
    "submissions": "SELECT * FROM targets_submission ORDER BY id",
    "progress": "SELECT id, indicator_id, prefecture_id, period_id, actual, target, gap,"
    " percent_of_target, expected, pace_needed, projection, projection_reaches, status,"
    " growth_ratio, growth_category, coverage_ratio, share_of_province, complete, missing,"
    " uncovered, data_version, computed_at FROM targets_progress ORDER BY id",
    "indicators": "SELECT id, code, display_order, name_zh, name_en, unit_zh, unit_en, kind,"
    " reported_by, decimals, per_10k_residents FROM targets_indicator ORDER BY id",
}
# What the plan sets on each series, read from wherever the schema keeps it.
TARGETS_BEFORE = (
    "SELECT i.code, i.plan_id, i.wording, i.direction, i.strict, i.baseline_value,"
    " i.baseline_year, i.baseline_quarter, i.target_value, i.target_year, i.target_quarter"
    " FROM targets_indicator i ORDER BY i.code"
)
TARGETS_AFTER = (
    "SELECT i.code, t.plan_id, t.wording, t.direction, t.strict, t.baseline_value,"
    " t.baseline_year, t.baseline_quarter, t.value, t.year, t.quarter"
    " FROM targets_target t JOIN targets_indicator i ON i.id = t.indicator_id ORDER BY i.code"
)
ALLOCATIONS_BEFORE = (
    "SELECT i.code, a.prefecture_id, a.value FROM targets_targetallocation a"
    " JOIN targets_indicator i ON i.id = a.indicator_id ORDER BY 1, 2"
)
ALLOCATIONS_AFTER = (
    "SELECT i.code, a.prefecture_id, a.value FROM targets_targetallocation a"
    " JOIN targets_target t ON t.id = a.target_id"
    " JOIN targets_indicator i ON i.id = t.indicator_id ORDER BY 1, 2"
)


def read(sql) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def snapshot(targets_sql, allocations_sql) -> dict[str, list[tuple]]:
    rows = {name: read(sql) for name, sql in ROWS.items()}
    return rows | {"targets": read(targets_sql), "allocations": read(allocations_sql)}


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_moving_targets_onto_plans_keeps_every_row(plan, settings):
    settings.DEBUG = True
    call_command("load_demo")
    # The demo's second plan and its own series: the schema before the move holds one plan
    # (each series' target on the series itself), so they go first.
    demo_plan = Plan.objects.get(code="demo-2023")
    FigureRevision.objects.filter(figure__indicator__code=DEMO_SERIES).delete()
    Figure.objects.filter(indicator__code=DEMO_SERIES).delete()
    Target.objects.filter(plan=demo_plan).delete()
    demo_plan.delete()  # and its stored results
    Indicator.objects.filter(code=DEMO_SERIES).delete()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("targets")[0]
    after = snapshot(TARGETS_AFTER, ALLOCATIONS_AFTER)
    assert len(after["targets"]) == 21
    assert len(after["allocations"]) > 0 and len(after["progress"]) > 7000
    try:
        migrate(BEFORE)
        before = snapshot(TARGETS_BEFORE, ALLOCATIONS_BEFORE)
        migrate(latest)
        again = snapshot(TARGETS_AFTER, ALLOCATIONS_AFTER)
    finally:
        migrate(latest)
    assert before == after
    assert again == after
    # Every stored result is the 2018 plan's, the one plan on record before.
    assert read(
        "SELECT DISTINCT p.code FROM targets_progress r JOIN targets_plan p ON p.id = r.plan_id"
    ) == [("2018",)]
    # The engine reads each target from its new place and finds nothing to rewrite.
    assert recompute_progress().rows == 0
