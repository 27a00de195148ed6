from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets.formatting import plain_number, yes_no_words
from targets.models import Indicator, ReportingPeriod
from targets.periods import Quarter
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


def what_to_enter(indicator: Indicator, quarter: Quarter) -> str:
    match indicator.kind:
        case Kind.STOCK:
            return _("stock at the quarter's end (期末存量)")
        case Kind.FLOW:
            return _("January to month %(month)s in total") % {"month": quarter.quarter * 3}
        case Kind.CUMULATIVE:
            return _("new this year, January to month %(month)s") % {"month": quarter.quarter * 3}
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

    @property
    def has_errors(self) -> bool:
        parts = [self.value, self.nothing, self.note, self.confirm, self.denominator]
        return any(part is not None and part.errors for part in parts)


def _choices(indicator):
    yes, no = yes_no_words(indicator)
    return [("", "—"), ("1", yes), ("0", no)]


class QuarterForm(forms.Form):
    """Every indicator of one reporter's quarter in one sheet, as in a statistical form."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label=gettext_lazy("Reason for changing approved figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, indicators, figures, previous, quarter, version, submitting):
        initial = {"seen_version": version}
        for indicator in indicators:
            if figure := figures.get(indicator.pk):
                initial[f"{indicator.code}-value"] = plain_number(figure.value)
                initial[f"{indicator.code}-denominator"] = plain_number(figure.denominator)
                initial[f"{indicator.code}-nothing"] = figure.nothing_to_report
                initial[f"{indicator.code}-note"] = figure.note
        super().__init__(data, initial=initial)
        self.quarter, self.submitting = quarter, submitting
        for indicator in indicators:
            self._add_fields(indicator)
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
            )
            for indicator in indicators
        ]
        if not self.is_bound:
            self._warn_about_saved_figures(figures)

    def _add_fields(self, indicator):
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
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["is_open", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 1024**2}
            )
        return upload.read()


class CsvImportForm(UploadForm):
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
