from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets.formatting import join_sentences, months_so_far, plain_number, yes_no_words
from targets.models import Indicator, ReportingPeriod, ReportingRule
from targets.periods import DAYS_TO_REPORT, Quarter
from targets.reporting import Entry
from targets.validation import (
    MAX_UPLOAD_BYTES,
    NOTE_MAX_CHARS,
    entry_warnings,
    is_yes_no,
    needs_denominator,
    read_entry,
)

Kind = Indicator.Kind
# Versions count saves; anything beyond a database integer is a forged form.
MAX_VERSION = 2**31 - 1


def what_to_enter(indicator: Indicator, quarter: Quarter) -> str:
    match indicator.kind:
        case Kind.STOCK:
            return _("stock at the quarter's end (期末存量)")
        case Kind.FLOW:
            return _("%(months)s in total") % {"months": months_so_far(quarter)}
        case Kind.CUMULATIVE:
            return _("new this year, %(months)s") % {"months": months_so_far(quarter)}
        case Kind.RATIO if indicator.per_10k_residents:
            return _("%(numerator)s; the population on record is the denominator") % {
                "numerator": indicator.numerator
            }
        case Kind.RATIO:
            return _("%(numerator)s, and %(denominator)s as the denominator") % {
                "numerator": indicator.numerator,
                "denominator": indicator.denominator,
            }
        case Kind.COVERAGE:
            return _("yes or no")
        case Kind.MILESTONE:
            return _("done or not yet")
        case Kind.RANK:
            return _("the province's national rank")


@dataclass
class Row:
    """One indicator's line of the sheet, with its bound fields and what to show beside them."""

    indicator: Indicator
    value: forms.BoundField
    nothing: forms.BoundField
    note: forms.BoundField
    confirm: forms.BoundField
    denominator: forms.BoundField | None
    hint: str
    previous: Entry | None
    has_history: bool
    warnings: list[str] = field(default_factory=list)
    # Asked only on rows with an approved value: why it changes, if it does.
    reason: forms.BoundField | None = None
    allocation: Decimal | None = None  # the reporter's own share of the target, if any
    # After a refused stale save: what is saved now in a row someone else changed too.
    clash: Entry | None = None

    @property
    def has_errors(self) -> bool:
        parts = [self.value, self.nothing, self.note, self.confirm, self.denominator, self.reason]
        return any(part is not None and part.errors for part in parts)


def _choices(indicator):
    yes, no = yes_no_words(indicator)
    return [("", "—"), ("1", yes), ("0", no)]


def _entry_fields(indicator, entry: Entry) -> dict:
    """The sheet's fields of one row showing `entry`, as initial values."""
    return {
        f"{indicator.code}-value": plain_number(entry.value),
        f"{indicator.code}-denominator": plain_number(entry.denominator),
        f"{indicator.code}-nothing": entry.nothing_to_report,
        f"{indicator.code}-note": entry.note,
    }


class QuarterForm(forms.Form):
    """Every indicator of one reporter's quarter in one sheet, as in a statistical form."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)

    def __init__(
        self,
        data=None,
        *,
        indicators,
        figures,
        previous,
        quarter,
        version,
        submitting,
        allocations=None,
        clashes=frozenset(),
    ):
        """`figures` by indicator id as saved now, `previous` last quarter's approved
        entries by indicator id, `allocations` the reporter's own targets by indicator id,
        `clashes` the indicator ids both this user and someone else changed (stale save)."""
        initial = {"seen_version": version}
        for indicator in indicators:
            if figure := figures.get(indicator.pk):
                initial |= _entry_fields(indicator, Entry.of(figure))
        super().__init__(data, initial=initial)
        self.quarter, self.submitting = quarter, submitting
        approved = {pk for pk, figure in figures.items() if figure.approved_at}
        for indicator in indicators:
            self._add_fields(indicator, asks_reason=indicator.pk in approved)
        allocations = allocations or {}

        def saved(indicator):
            figure = figures.get(indicator.pk)
            return Entry.of(figure) if figure else Entry()

        self.rows = [
            Row(
                indicator=indicator,
                value=self[f"{indicator.code}-value"],
                nothing=self[f"{indicator.code}-nothing"],
                note=self[f"{indicator.code}-note"],
                confirm=self[f"{indicator.code}-confirm"],
                denominator=self[f"{indicator.code}-denominator"]
                if needs_denominator(indicator)
                else None,
                hint=what_to_enter(indicator, quarter),
                previous=previous.get(indicator.pk),
                has_history=indicator.pk in figures,
                reason=self[f"{indicator.code}-reason"] if indicator.pk in approved else None,
                allocation=allocations.get(indicator.pk),
                clash=saved(indicator) if indicator.pk in clashes else None,
            )
            for indicator in indicators
        ]
        if not self.is_bound:
            self._warn_about_saved_figures(figures)

    @staticmethod
    def data_for(entries: dict, version: int) -> dict:
        """Form data showing `entries` (by Indicator), to be saved over version `version`."""
        data = {"seen_version": str(version)}
        for indicator, entry in entries.items():
            fields = _entry_fields(indicator, entry)
            data |= {key: value for key, value in fields.items() if not isinstance(value, bool)}
            if entry.nothing_to_report:
                data[f"{indicator.code}-nothing"] = "on"
        return data

    @property
    def reasons(self) -> dict:
        """The reason given on each row for changing its approved value, by Indicator."""
        return {
            row.indicator: self.cleaned_data.get(f"{row.indicator.code}-reason", "")
            for row in self.rows
            if row.reason is not None
        }

    def _add_fields(self, indicator, *, asks_reason):
        name = indicator.name
        if is_yes_no(indicator):
            value = forms.ChoiceField(choices=_choices(indicator), required=False)
        else:
            value = TypedText(widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        value.label = _labelled(name, indicator.numerator or _("value"))
        self.fields[f"{indicator.code}-value"] = value
        if needs_denominator(indicator):
            self.fields[f"{indicator.code}-denominator"] = TypedText(
                label=_labelled(name, indicator.denominator),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.fields[f"{indicator.code}-nothing"] = forms.BooleanField(
            label=_labelled(name, _("nothing to report")), required=False
        )
        self.fields[f"{indicator.code}-note"] = TypedText(
            label=_labelled(name, _("note")),
            widget=forms.TextInput(attrs={"maxlength": NOTE_MAX_CHARS}),
        )
        self.fields[f"{indicator.code}-confirm"] = forms.BooleanField(
            label=_labelled(name, _("value checked")), required=False
        )
        if asks_reason:
            self.fields[f"{indicator.code}-reason"] = forms.CharField(
                label=_("%(indicator)s · reason for changing the approved value")
                % {"indicator": name},
                required=False,
                max_length=500,
            )

    def clean(self):
        cleaned = super().clean()
        self.entries = {}
        for row in self.rows:
            code = row.indicator.code
            reading = read_entry(
                row.indicator,
                value=cleaned.get(f"{code}-value"),
                denominator=cleaned.get(f"{code}-denominator") if row.denominator else None,
                nothing=cleaned.get(f"{code}-nothing", False),
                note=cleaned.get(f"{code}-note", ""),
            )
            for part, message in reading.messages:
                key = f"{code}-{'nothing' if part == 'nothing_to_report' else part}"
                if not self.has_error(key):
                    self.add_error(key, message)
            entry = reading.entry
            row.warnings = entry_warnings(row.indicator, entry, row.previous, self.quarter)
            # A value that could not be read has said so already: one message per problem.
            if self.submitting and entry.is_blank and not self.has_error(f"{code}-value"):
                self.add_error(
                    f"{code}-value", _("Enter a value or tick “nothing to report” to submit.")
                )
            if (
                self.submitting
                and row.warnings
                and not (cleaned.get(f"{code}-confirm") and entry.note)
            ):
                self.add_error(
                    f"{code}-confirm",
                    _("Tick to confirm this value and explain it in the note before submitting."),
                )
            self.entries[row.indicator] = entry
        return cleaned

    def _warn_about_saved_figures(self, figures):
        """On a page opened after a save, the saved figures' warnings stand on their rows."""
        for row in self.rows:
            if figure := figures.get(row.indicator.pk):
                row.warnings = entry_warnings(
                    row.indicator, Entry.of(figure), row.previous, self.quarter
                )


def _labelled(name: str, part: str) -> str:
    return _("%(indicator)s · %(part)s") % {"indicator": name, "part": part}


class TypedText(forms.CharField):
    """Text whose every rule (length, characters, what a number is) lives in
    targets.validation, so that the form says exactly what the Excel sheet and CSV say."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.validators = []


class ReviewForm(forms.Form):
    # The version the reviewer's page showed: approving or returning another is refused.
    # (Without it, as from a script, what is there now is approved or returned.)
    seen_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION, required=False
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


# A date input reads and writes only ISO dates, whatever the language shows elsewhere.
ISO_DATE = "%Y-%m-%d"


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["is_open", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].input_formats = [ISO_DATE]

    def clean(self):
        cleaned = super().clean()
        # A quarter added closed for time that had passed has no due date: opening it asks
        # the cities for its figures, by a date they must be told.
        if cleaned.get("is_open") and "due_date" in cleaned and cleaned["due_date"] is None:
            self.add_error("due_date", _("An open quarter needs a due date."))
        return cleaned


class RuleForm(forms.ModelForm):
    """The due-date rule of the quarters created from now on."""

    class Meta:
        model = ReportingRule
        fields = ["days_to_report"]
        labels = {
            "days_to_report": gettext_lazy("New quarters are due this many days after they end")
        }
        help_texts = {"days_to_report": ""}


class QuarterField(forms.CharField):
    """A quarter typed as 2023Q1."""

    widget = forms.TextInput(attrs={"maxlength": 7, "size": 7})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Quarter.parse(text[:20])  # the message quotes it: keep it short
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class AddPeriodsForm(forms.Form):
    """New reporting periods: the next quarter, or a range, each due by the rule."""

    MOST_AT_ONCE = 40  # more is a typing slip (2203 for 2023), not a plan

    first = QuarterField(label=gettext_lazy("From quarter"))
    last = QuarterField(label=gettext_lazy("To quarter"))
    days_to_report = forms.IntegerField(
        label=gettext_lazy("Due this many days after the quarter ends"),
        min_value=0,
        max_value=ReportingRule.MOST_DAYS,
        initial=DAYS_TO_REPORT,  # the page fills in the stored rule's
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The last quarter comes before the first."))
            elif first.quarters_until(last) >= self.MOST_AT_ONCE:
                self.add_error(
                    "last",
                    _("At most %(count)s quarters at a time.") % {"count": self.MOST_AT_ONCE},
                )
            elif not 2000 <= first.year <= last.year <= 2100:
                self.add_error("first", _("Choose quarters between 2000 and 2100."))
        return cleaned


class UploadForm(forms.Form):
    """A sheet or CSV file. `too_large`: the site's upload limit cut the body off while it
    streamed in (ipplan.uploads), so the file never arrived."""

    file = forms.FileField(label=gettext_lazy("File"))
    # What to do with a file past the limit, when there is something else to do.
    too_large_hint = ""

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        if too_large:
            self.fields["file"].required = False
        self.too_large = too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.too_large or upload.size > MAX_UPLOAD_BYTES:
            message = _("The file is larger than %(size)s MB.") % {
                "size": MAX_UPLOAD_BYTES // 1024**2
            }
            raise forms.ValidationError(join_sentences([message, self.too_large_hint]))
        return upload.read()


class CsvImportForm(UploadForm):
    too_large_hint = gettext_lazy(
        "Split it into several files, or ask the administrator to load it with the "
        "import_figures command, which takes any size."
    )
    approve = forms.BooleanField(
        label=gettext_lazy("Approve the quarters it touches"), required=False
    )


class CsvConfirmForm(forms.Form):
    """Importing rows with warnings needs a tick and the reason for accepting them."""

    accept = forms.BooleanField(
        label=gettext_lazy("I have checked the rows with warnings and accept them"),
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why they are right"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, warned: bool):
        super().__init__(data)
        self.warned = warned

    def clean(self):
        cleaned = super().clean()
        if self.warned and not (cleaned.get("accept") and cleaned.get("reason", "").strip()):
            raise forms.ValidationError(
                _("Nothing was imported: tick to accept the rows with warnings and say why.")
            )
        return cleaned


class PlanUploadForm(UploadForm):
    too_large_hint = gettext_lazy("Ask the administrator to load it with the load_plan command.")
