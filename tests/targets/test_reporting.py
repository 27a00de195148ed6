from decimal import Decimal

import pytest
from django.utils import translation

from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Prefecture,
    ReportingPeriod,
    Submission,
)
from targets.models import SubmissionEvent as Event
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

pytestmark = pytest.mark.usefixtures("in_english")

Status = Submission.Status


@pytest.fixture
def guangzhou(plan):
    return Prefecture.objects.get(code="440100")


@pytest.fixture
def period(plan):
    return ReportingPeriod.objects.get(year=2022, quarter=4)


@pytest.fixture
def indicators(plan):
    return list(Indicator.objects.reported_by(Prefecture.objects.first()))


def full_entries(indicators, value=Decimal(5)):
    return {
        indicator: Entry(
            value=Decimal(1) if indicator.kind == "coverage" else value,
            denominator=Decimal(10) if indicator.code == "hitech_compliance_rate" else None,
        )
        for indicator in indicators
    }


def save(guangzhou, period, user, entries, seen_version=0, reason=""):
    return save_quarter(
        prefecture=guangzhou,
        period=period,
        user=user,
        entries=entries,
        seen_version=seen_version,
        reason=reason,
    )


def test_a_first_save_creates_the_submission_and_a_revision_per_figure(
    guangzhou, period, city_officer, indicators
):
    submission, revisions = save(guangzhou, period, city_officer, full_entries(indicators))
    assert submission.status == Status.DRAFT
    assert submission.version == 1
    assert submission.created_by == city_officer
    assert len(revisions) == len(indicators) == submission.figures.count()
    assert {r.old_value for r in revisions} == {None}
    assert submission.events.get().action == Event.Action.SAVED


def test_saving_keeps_every_old_value(guangzhou, period, city_officer, indicators):
    stock = next(i for i in indicators if i.code == "patent_agents")
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(10))})
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(12))}, 1)
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(11))}, 2)
    history = FigureRevision.objects.filter(figure__indicator=stock).order_by("version")
    assert [(r.old_value, r.new_value, r.version) for r in history] == [
        (None, 10, 1),
        (10, 12, 2),
        (12, 11, 3),
    ]
    assert all(r.by == city_officer for r in history)


def test_an_unchanged_save_writes_nothing(guangzhou, period, city_officer, indicators):
    entries = full_entries(indicators)
    save(guangzhou, period, city_officer, entries)
    submission, revisions = save(guangzhou, period, city_officer, entries, 1)
    assert revisions == []
    assert submission.version == 1
    assert submission.events.count() == 1


def test_nothing_to_report_is_kept_apart_from_a_blank(guangzhou, period, city_officer, indicators):
    first, second = indicators[:2]
    save(guangzhou, period, city_officer, {first: Entry(nothing_to_report=True), second: Entry()})
    figures = Figure.objects.filter(submission__prefecture=guangzhou)
    assert figures.get(indicator=first).nothing_to_report
    assert not figures.filter(indicator=second).exists()


def test_a_save_from_a_stale_copy_is_refused_with_what_changed(
    guangzhou, period, city_officer, indicators, provincial
):
    stock = next(i for i in indicators if i.code == "patent_agents")
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(10))})
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(20))}, seen_version=1)
    with pytest.raises(StaleCopy) as refused:
        save(guangzhou, period, city_officer, {stock: Entry(Decimal(30))}, seen_version=1)
    assert [(r.old_value, r.new_value) for r in refused.value.revisions] == [(10, 20)]
    assert Figure.objects.get(indicator=stock, submission__prefecture=guangzhou).value == 20


def test_two_first_saves_cannot_both_win(guangzhou, period, city_officer, indicators):
    stock = next(i for i in indicators if i.code == "patent_agents")
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(10))})
    with pytest.raises(StaleCopy):
        save(guangzhou, period, city_officer, {stock: Entry(Decimal(99))}, seen_version=0)


def test_the_whole_cycle_records_every_step(
    guangzhou, period, city_officer, indicators, provincial
):
    submission, _ = save(guangzhou, period, city_officer, full_entries(indicators))
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    return_submission(submission=submission, user=provincial, comment="请核对贯标企业数")
    submission.refresh_from_db()
    assert (submission.status, submission.review_comment) == (Status.RETURNED, "请核对贯标企业数")
    save(guangzhou, period, city_officer, full_entries(indicators, Decimal(6)), 1)
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    approve_submission(submission=submission, user=provincial)
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert submission.reviewed_by == provincial
    steps = [(e.action, e.by.username) for e in submission.events.all()]
    assert steps == [
        ("saved", "guangzhou"),
        ("submitted", "guangzhou"),
        ("returned", "provincial"),
        ("saved", "guangzhou"),
        ("submitted", "guangzhou"),
        ("approved", "provincial"),
    ]


def test_approval_publishes_the_figures(guangzhou, period, city_officer, indicators, provincial):
    submission, _ = save(guangzhou, period, city_officer, full_entries(indicators))
    assert not Figure.objects.approved().exists()
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    approve_submission(submission=submission, user=provincial)
    approved = Figure.objects.approved().filter(submission=submission)
    assert approved.count() == len(indicators)
    assert all(figure.approved_value == figure.value for figure in approved)


def test_a_reopened_quarter_keeps_its_approved_figures_until_approved_again(
    guangzhou, period, city_officer, indicators, provincial
):
    stock = next(i for i in indicators if i.code == "patent_agents")
    submission, _ = save(guangzhou, period, city_officer, full_entries(indicators))
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    approve_submission(submission=submission, user=provincial)
    reopen_quarter(prefecture=guangzhou, period=period, user=provincial, reason="口径调整")
    with pytest.raises(WorkflowError, match="reason"):
        save(guangzhou, period, city_officer, {stock: Entry(Decimal(9))}, 1)
    save(guangzhou, period, city_officer, {stock: Entry(Decimal(9))}, 1, reason="更正笔误")
    figure = Figure.objects.get(submission=submission, indicator=stock)
    assert (figure.value, figure.approved_value) == (9, 5)
    assert figure.revisions.last().reason == "更正笔误"


def test_a_submission_needs_every_indicator(guangzhou, period, city_officer, indicators):
    submission, _ = save(guangzhou, period, city_officer, {indicators[0]: Entry(Decimal(1))})
    with pytest.raises(WorkflowError, match=indicators[1].name_en) as refused:
        submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    # Listed as English lists them; the Chinese message uses 、 (see join_names).
    assert f"{indicators[1].name_en}, {indicators[2].name_en}" in str(refused.value)
    with translation.override("zh-hans"):
        with pytest.raises(WorkflowError) as refused:
            submit_quarter(submission=submission, user=city_officer, indicators=indicators)
        assert f"{indicators[1].name}、{indicators[2].name}" in str(refused.value)


def test_returning_needs_a_comment(guangzhou, period, city_officer, indicators, provincial):
    submission, _ = save(guangzhou, period, city_officer, full_entries(indicators))
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    with pytest.raises(WorkflowError):
        return_submission(submission=submission, user=provincial, comment="  ")
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_only_a_submitted_quarter_can_be_approved(guangzhou, period, city_officer, provincial):
    submission, _ = save(guangzhou, period, city_officer, {})
    with pytest.raises(WorkflowError):
        approve_submission(submission=submission, user=provincial)


@pytest.mark.parametrize(
    "status, is_open, reopened, reasons",
    [
        ("draft", True, False, []),
        ("returned", True, False, []),
        ("submitted", True, False, ["submitted"]),
        ("approved", True, False, ["approved"]),
        ("draft", False, False, ["closed"]),
        ("approved", False, False, ["approved", "closed"]),
        ("returned", False, True, []),
    ],
)
def test_the_lock_names_each_reason(
    guangzhou, period, city_officer, status, is_open, reopened, reasons
):
    submission, _ = save(guangzhou, period, city_officer, {})
    submission.status, submission.reopened = status, reopened
    period.is_open = is_open
    words = {"submitted": "submitted", "approved": "approved", "closed": "closed"}
    found = lock_reasons(submission, period)
    assert len(found) == len(reasons)
    for reason, text in zip(reasons, found, strict=True):
        assert words[reason] in text


def test_a_locked_quarter_refuses_saves(guangzhou, period, city_officer, indicators):
    period.is_open = False
    period.save()
    with pytest.raises(WorkflowError, match="closed"):
        save(guangzhou, period, city_officer, full_entries(indicators))
    assert not Figure.objects.exists()


def test_reopening_a_closed_quarter_lets_the_city_in(
    guangzhou, period, city_officer, indicators, provincial
):
    period.is_open = False
    period.save()
    with pytest.raises(WorkflowError):
        reopen_quarter(prefecture=guangzhou, period=period, user=provincial, reason="")
    submission = reopen_quarter(
        prefecture=guangzhou, period=period, user=provincial, reason="补报2022年第四季度"
    )
    saved, _ = save(guangzhou, period, city_officer, full_entries(indicators), 1)
    submit_quarter(submission=saved, user=city_officer, indicators=indicators)
    submission.refresh_from_db()
    assert not submission.reopened
    assert lock_reasons(submission, period)
    assert submission.events.first().comment == "补报2022年第四季度"
