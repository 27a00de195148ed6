from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.models import EvidenceFile
from targets.models import Indicator

# Which indicator's row a file is for; none: the whole quarter.
ROW_CHOICE = {
    "label": gettext_lazy("For the row"),
    "empty_label": gettext_lazy("the whole quarter"),
}


class EvidenceForm(forms.Form):
    """A file for a submission, optionally for one indicator's row, optionally replacing one."""

    file = forms.FileField(label=gettext_lazy("File"))
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(), required=False, **ROW_CHOICE
    )
    replaces = forms.ModelChoiceField(
        queryset=EvidenceFile.objects.none(),
        required=False,
        label=gettext_lazy("Replaces"),
        empty_label=gettext_lazy("nothing: a new file"),
    )

    def __init__(self, *args, indicators, submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["replaces"].queryset = EvidenceFile.objects.filter(
            submission=submission, replaced_by__isnull=True
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            # Django keeps only the last part of a name sent with a path; control characters
            # and an over-long name go too.
            name = "".join(c for c in upload.name if c.isprintable()).strip()[-200:]
            cleaned["name"] = name or _("file")
        replaced = cleaned.get("replaces")
        if replaced is not None and "indicator" in cleaned:
            cleaned["indicator"] = replaced.indicator
        return cleaned


class AskForm(forms.Form):
    """A reviewer's request for a file: for which row, and what is needed."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(), required=False, **ROW_CHOICE
    )
    need = forms.CharField(
        label=gettext_lazy("Which file is needed"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 认定文件")}),
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators

    @property
    def comment(self) -> str:
        indicator = self.cleaned_data["indicator"]
        need = self.cleaned_data["need"].strip()
        if indicator is None:
            return _("Please attach evidence: %(need)s") % {"need": need}
        return _("Please attach evidence for “%(indicator)s”: %(need)s") % {
            "indicator": indicator.name,
            "need": need,
        }
