"""The prefecture table of an indicator page and the filter above it."""

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy

from targets.models import Prefecture


class PrefectureFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label=gettext_lazy("Prefecture name contains"), method="filter_name"
    )

    class Meta:
        model = Prefecture
        fields = ["name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_zh__icontains=value) | queryset.filter(name_en__icontains=value)


class MatrixTable(tables.Table):
    """Cities down, quarters across: the layout people keep in Excel."""

    prefecture = tables.Column(verbose_name=gettext_lazy("Prefecture"))

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "matrix-table"}
