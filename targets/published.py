"""Figures as they were published at any moment, rebuilt from the approvals and revisions kept.

A figure is published by each approval of its submission (a reviewer's, or an import's): what
it publishes is the figure's working value at that moment, which is the new side of the
figure's last revision made at or before it. Saving drafts, returning and reopening publish
nothing, so what was approved before stays published until the next approval. The value
published at a time T is therefore that of the last approval at or before T.

Every figure the workflow writes has a revision from its creation on. A figure loaded without
it (the demo; `tests.factories.approve`) has no revision and no approval on record: it counts
as published with its approved values from its `approved_at`, and as nothing before.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from targets import progress
from targets.models import Figure, FigureRevision, SubmissionEvent
from targets.reporting import Entry

Action = SubmissionEvent.Action


@dataclass(frozen=True)
class Publication:
    """One approval of a figure: the entry it published, who approved it and when, who
    submitted it and when (None for an import), the revisions that led to it since the
    previous approval, and how many revisions there were in all by then."""

    at: datetime
    entry: Entry
    approved_by: object | None
    submitted_by: object | None
    submitted_at: datetime | None
    revisions: tuple[FigureRevision, ...]
    revision_count: int
    comment: str = ""


@dataclass(frozen=True)
class Published:
    """A figure as it stood published at one moment, and its submission's state then."""

    figure: Figure
    publication: Publication
    state: str

    @property
    def entry(self) -> Entry:
        return self.publication.entry

    def as_approved(self) -> progress.ApprovedFigure:
        """The engine's input, as `recompute.load_inputs` builds it from approved values."""
        submission = self.figure.submission
        return progress.ApprovedFigure(
            prefecture=submission.prefecture.code if submission.prefecture else None,
            period=submission.period.as_quarter,
            indicator=self.figure.indicator.code,
            value=self.entry.value,
            denominator=self.entry.denominator,
            nothing_to_report=self.entry.nothing_to_report,
        )


@dataclass(frozen=True)
class History:
    """Every figure of a set with its publications, and the steps of their submissions."""

    figures: list[Figure]
    publications: dict[int, list[Publication]]  # by figure id, oldest first
    events: dict[int, list[SubmissionEvent]]  # by submission id, oldest first

    def published(self, at: datetime | None = None) -> list[Published]:
        """The figures published at `at` (default: now), each as it was then."""
        at = at or timezone.now()
        shown = []
        for figure in self.figures:
            publications = self.publications[figure.pk]
            index = bisect_right([p.at for p in publications], at)
            if index:
                state = self.state(figure.submission, at)
                shown.append(Published(figure, publications[index - 1], state))
        return shown

    def state(self, submission, at: datetime) -> str | None:
        return state_at(submission, self.events.get(submission.pk, []), at)


def state_at(submission, events, at: datetime) -> str | None:
    """The submission's state at `at`, from its steps (oldest first); None if it did not
    exist yet."""
    if not events:  # loaded without the workflow
        return submission.status if submission.created_at <= at else None
    steps = [event for event in events if event.at <= at]
    return steps[-1].to_status if steps else None


def history(figures) -> History:
    """The publications of every figure in `figures` (a Figure queryset), in three queries."""
    figures = list(
        figures.select_related(
            "submission__prefecture",
            "submission__period",
            "submission__reviewed_by",
            "submission__submitted_by",
            "indicator",
        ).order_by("pk")
    )
    ids = [figure.pk for figure in figures]
    revisions = defaultdict(list)
    for revision in (
        FigureRevision.objects.filter(figure__in=ids).select_related("by").order_by("at", "pk")
    ):
        revisions[revision.figure_id].append(revision)
    events = defaultdict(list)
    for event in (
        SubmissionEvent.objects.filter(submission__in={figure.submission_id for figure in figures})
        .select_related("by")
        .order_by("at", "pk")
    ):
        events[event.submission_id].append(event)
    publications = {
        figure.pk: _publications(figure, revisions[figure.pk], events[figure.submission_id])
        for figure in figures
    }
    return History(figures, publications, dict(events))


def _publications(figure, revisions, events) -> list[Publication]:
    approvals = [event for event in events if event.action == Action.APPROVED]
    if not approvals and not revisions:
        if figure.approved_at is None:
            return []
        entry = Entry(
            figure.approved_value,
            figure.approved_denominator,
            figure.approved_nothing_to_report,
            figure.note,
        )
        submission = figure.submission
        return [
            Publication(
                at=figure.approved_at,
                entry=entry,
                approved_by=submission.reviewed_by,
                submitted_by=submission.submitted_by,
                submitted_at=submission.submitted_at,
                revisions=(),
                revision_count=0,
            )
        ]
    publications, taken = [], 0
    times = [revision.at for revision in revisions]
    for approval in approvals:
        count = bisect_right(times, approval.at)
        entry = _working_entry(figure, revisions, count)
        if entry is None:
            continue
        steps = [e for e in events if e.action == Action.SUBMITTED and e.at <= approval.at]
        publications.append(
            Publication(
                at=approval.at,
                entry=entry,
                approved_by=approval.by,
                submitted_by=steps[-1].by if steps else None,
                submitted_at=steps[-1].at if steps else None,
                revisions=tuple(revisions[taken:count]),
                revision_count=count,
                comment=approval.comment,
            )
        )
        taken = count
    return publications


def _working_entry(figure, revisions, count) -> Entry | None:
    """The figure's working copy after its first `count` revisions; None if it did not
    exist yet (the workflow creates a figure with its first revision, from a blank)."""
    if not revisions:
        return Entry.of(figure)
    if count:
        last = revisions[count - 1]
        return Entry(
            last.new_value, last.new_denominator, last.new_nothing_to_report, last.new_note
        )
    first = revisions[0]
    before = Entry(
        first.old_value, first.old_denominator, first.old_nothing_to_report, first.old_note
    )
    return None if before == Entry() else before
