"""Figures as published at a past moment, rebuilt from approvals and revisions."""

import contextlib
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from accounts.models import Role, User
from targets.imports import Row, import_figures, read_csv
from targets.models import Figure, Indicator, Prefecture, ReportingPeriod, Submission
from targets.published import history
from targets.reporting import (
    Entry,
    WorkflowError,
    approve_submission,
    reopen_quarter,
    return_submission,
    save_quarter,
    submit_quarter,
)
from targets.seeding import seed_plan, seed_prefectures
from tests.factories import UserFactory, approve

START = timezone.make_aware(timezone.datetime(2023, 1, 5, 9, 0))


def published_now(figures=None):
    return {
        p.figure.pk: (p.entry.value, p.entry.denominator, p.entry.nothing_to_report)
        for p in history(figures or Figure.objects.all()).published()
    }


def approved_now():
    return {
        f.pk: (f.approved_value, f.approved_denominator, f.approved_nothing_to_report)
        for f in Figure.objects.approved()
    }


def test_a_correction_stays_unpublished_until_approved_and_the_old_value_stays_on_record(
    plan, city_officer, provincial
):
    guangzhou = city_officer.prefecture
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    agents = Indicator.objects.get(code="patent_agents")
    with time_machine.travel(START, tick=False) as clock:
        submission, _ = save_quarter(
            prefecture=guangzhou,
            period=period,
            user=city_officer,
            entries={agents: Entry(Decimal(716))},
            seen_version=0,
        )
        clock.shift(60)
        submit_quarter(submission=submission, user=city_officer, indicators=[agents])
        clock.shift(60)
        approve_submission(submission=submission, user=provincial)
        first_approval = timezone.now()
        clock.shift(3600)
        reopen_quarter(prefecture=guangzhou, period=period, user=provincial, reason="核对")
        clock.shift(60)
        save_quarter(
            prefecture=guangzhou,
            period=period,
            user=city_officer,
            entries={agents: Entry(Decimal(742), note="补报")},
            seen_version=1,
            reason="漏报两家",
        )
        clock.shift(60)
        draft_time = timezone.now()
        clock.shift(60)
        submission.refresh_from_db()
        submit_quarter(submission=submission, user=city_officer, indicators=[agents])
        clock.shift(60)
        approve_submission(submission=submission, user=provincial)
        clock.shift(60)

    record = history(Figure.objects.all())
    before = record.published(first_approval - timedelta(seconds=1))
    assert before == []
    [then] = record.published(draft_time)
    assert then.entry == Entry(Decimal(716))
    assert then.state == "returned"
    assert then.publication.approved_by == provincial
    assert then.publication.submitted_by == city_officer
    [now] = record.published()
    assert now.entry == Entry(Decimal(742), note="补报")
    assert now.publication.revision_count == 2
    assert [r.reason for r in now.publication.revisions] == ["漏报两家"]
    assert now.state == "approved"


def test_an_import_that_approves_publishes_what_it_loaded(plan, provincial):
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    agents = Indicator.objects.get(code="patent_agents")
    guangzhou = Prefecture.objects.get(code="440100")
    rows = [Row(2, guangzhou, period, agents, Entry(Decimal(700)))]
    import_figures(rows=rows, user=provincial, approve=True, source="a.csv")
    [published] = history(Figure.objects.all()).published()
    assert published.entry.value == 700
    assert published.publication.approved_by == provincial
    assert published.publication.submitted_by is None


def test_a_figure_loaded_without_the_workflow_counts_from_its_approval_time(plan):
    agents = Indicator.objects.get(code="patent_agents")
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    figure = approve(agents, Prefecture.objects.get(code="440100"), period, Decimal(5))
    record = history(Figure.objects.all())
    assert record.published(figure.approved_at - timedelta(microseconds=1)) == []
    assert [p.entry.value for p in record.published()] == [5]
    assert published_now() == approved_now()


class Workflow(RuleBasedStateMachine):
    """Any sequence of workflow steps: whatever is approved now is what the history says is
    published now, and what was approved at each earlier moment is what it says for then."""

    def __init__(self):
        super().__init__()
        # Each run of steps starts from the seeded plan alone.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        self.snapshots = []

    @initialize()
    def setup(self):
        self.city = Prefecture.objects.get(code="440100")
        self.period = ReportingPeriod.objects.get(year=2022, quarter=4)
        self.indicators = list(
            Indicator.objects.filter(code__in=["patent_agents", "hitech_compliance_rate"])
        )
        self.officer = UserFactory(role=Role.CITY, prefecture=self.city)
        self.reviewer = UserFactory(role=Role.PROVINCIAL)

    def _submission(self):
        return Submission.objects.filter(prefecture=self.city, period=self.period).first()

    def _version(self):
        submission = self._submission()
        return submission.version if submission else 0

    def _entries(self, value, nothing):
        return {
            i: Entry(None, None, True)
            if nothing
            else Entry(value, value + 5 if i.code == "hitech_compliance_rate" else None)
            for i in self.indicators
        }

    def _step(self, action):
        self.traveller.shift(7)
        with contextlib.suppress(WorkflowError):
            action()
        assert published_now() == approved_now()
        self.snapshots.append((timezone.now(), approved_now()))

    @rule(value=st.integers(0, 50).map(Decimal), nothing=st.booleans())
    def save(self, value, nothing):
        self._step(
            lambda: save_quarter(
                prefecture=self.city,
                period=self.period,
                user=self.officer,
                entries=self._entries(value, nothing),
                seen_version=self._version(),
                reason="更正",
            )
        )

    @rule()
    def submit(self):
        if submission := self._submission():
            self._step(
                lambda: submit_quarter(
                    submission=submission, user=self.officer, indicators=self.indicators
                )
            )

    @rule()
    def approve(self):
        if submission := self._submission():
            self._step(lambda: approve_submission(submission=submission, user=self.reviewer))

    @rule()
    def send_back(self):
        if submission := self._submission():
            self._step(
                lambda: return_submission(submission=submission, user=self.reviewer, comment="查")
            )

    @rule()
    def reopen(self):
        self._step(
            lambda: reopen_quarter(
                prefecture=self.city, period=self.period, user=self.reviewer, reason="重开"
            )
        )

    @rule(value=st.integers(0, 50).map(Decimal), approves=st.booleans())
    def load_csv(self, value, approves):
        entries = self._entries(value, False)
        rows = [Row(2, self.city, self.period, i, e) for i, e in entries.items()]
        self._step(
            lambda: import_figures(rows=rows, user=self.reviewer, approve=approves, source="x")
        )

    def teardown(self):
        try:
            record = history(Figure.objects.all())
            for moment, approved in self.snapshots:
                shown = {
                    p.figure.pk: (p.entry.value, p.entry.denominator, p.entry.nothing_to_report)
                    for p in record.published(moment)
                }
                assert shown == approved, moment
        finally:
            self.clock.stop()
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)


class TestWorkflow(Workflow.TestCase, TestCase):
    settings = settings(
        max_examples=25,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

    @classmethod
    def setUpTestData(cls):
        seed_prefectures()
        seed_plan()


def test_the_demos_past_stays_published_after_the_workflow_touches_it(demo):
    """The demo keeps the history the workflow would have: a later import does not erase
    what an earlier moment published."""
    shantou = Figure.objects.filter(
        submission__prefecture__code="440500",
        submission__period__year=2022,
        submission__period__quarter=3,
        indicator__code="patent_agents",
    )
    before = shantou.get()
    assert before.approved_value is not None
    moment = timezone.now()
    rows, errors = read_csv(
        b"prefecture,indicator,period,value,denominator,note\n"
        + f"440500,patent_agents,2022Q3,{before.approved_value + 1:f},,\n".encode()
    )
    assert not errors
    import_figures(
        rows=rows,
        user=User.objects.get(username="sheng"),
        approve=True,
        source="test.csv",
        accept_warnings="test",
    )
    then = {p.figure.pk: p for p in history(shantou).published(moment)}
    assert then[before.pk].entry.value == before.approved_value
    assert then[before.pk].state == "approved"
    now = {p.figure.pk: p for p in history(shantou).published(moment + timedelta(days=1))}
    assert now[before.pk].entry.value == before.approved_value + 1
