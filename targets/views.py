from django.db.models import Prefetch
from django.shortcuts import render

from targets.models import Indicator, Plan


def home(request):
    plans = Plan.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("display_order"))
    )
    return render(request, "targets/home.html", {"plans": plans})
