"""What was entered for one indicator, and merging what two people entered meanwhile.

Plain values, no database: the form, the Excel sheet, CSV imports and the workflow share
them, and the merge of a stale save is a pure function of three sets of entries.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Entry:
    """What was entered for one indicator: a value, or an explicit nothing to report."""

    value: Decimal | None = None
    denominator: Decimal | None = None
    nothing_to_report: bool = False
    note: str = ""

    @property
    def is_blank(self) -> bool:
        return self.value is None and not self.nothing_to_report

    @classmethod
    def of(cls, figure) -> "Entry":
        """The working values of a Figure (or anything with the same four fields)."""
        return cls(figure.value, figure.denominator, figure.nothing_to_report, figure.note)


@dataclass(frozen=True)
class Merge:
    """A refused save from a stale copy, merged with what was saved meanwhile.

    `entries` holds, for every indicator of the save, the user's entry where they changed
    the row from what their copy showed, and the figure as it stands now elsewhere;
    `touched` names (by indicator id) the rows the user changed, `clashes` those of them
    that someone else changed meanwhile too; `version` is the version now saved, which the
    next save of the merge carries.
    """

    entries: dict
    touched: frozenset
    clashes: frozenset
    version: int


def merge_stale(entries: dict, *, seen: dict, current: dict, version: int) -> Merge:
    """`entries` by Indicator as the user sent them; `seen` and `current` by indicator id:
    the figures as the user's copy showed them and as they stand now (absent: blank), at
    `version`."""
    blank = Entry()
    touched = {
        indicator.pk
        for indicator, entry in entries.items()
        if entry != seen.get(indicator.pk, blank)
    }
    theirs = {
        pk for pk in seen.keys() | current.keys() if seen.get(pk, blank) != current.get(pk, blank)
    }
    return Merge(
        {
            indicator: entry if indicator.pk in touched else current.get(indicator.pk, blank)
            for indicator, entry in entries.items()
        },
        frozenset(touched),
        frozenset(touched & theirs),
        version,
    )


def entries_before(current: dict, revisions) -> dict:
    """The entries by indicator id as they were before `revisions` (oldest first) were made;
    `current` holds them as they are now."""
    before = dict(current)
    undone = set()
    for revision in revisions:
        indicator_id = revision.figure.indicator_id
        if indicator_id not in undone:
            undone.add(indicator_id)
            before[indicator_id] = Entry(
                revision.old_value,
                revision.old_denominator,
                revision.old_nothing_to_report,
                revision.old_note,
            )
    return before
