import factory
from django.utils import timezone

from accounts.models import Role, User
from targets.models import Figure, Indicator, Plan, Prefecture, ReportingPeriod, Submission, Target


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"test-{n}")
    title_zh = "测试方案"
    title_en = "Test plan"
    document_number = factory.Sequence(lambda n: f"测试〔2018〕{n}号")
    start_date = "2018-01-01"
    target_date = "2022-12-31"


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture

    code = factory.Sequence(lambda n: f"{460100 + n * 100}")
    name_zh = factory.Sequence(lambda n: f"测试{n}市")
    name_en = factory.Sequence(lambda n: f"Test city {n}")
    display_order = factory.Sequence(lambda n: 100 + n)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    display_order = factory.Sequence(lambda n: 100 + n)
    wording = "测试指标达 100 家"
    value = 100
    year = 2022
    quarter = 4


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A series with its plan's target; the target's fields by their old names on the
    indicator (`target_value`, `direction`, ...), as the tests have always given them."""

    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    class Params:
        plan = factory.SubFactory(PlanFactory)
        wording = "测试指标达 100 家"
        direction = Target.Direction.AT_LEAST
        strict = False
        baseline_value = None
        baseline_year = None
        baseline_quarter = None
        target_value = 100
        target_year = 2022
        target_quarter = 4

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    display_order = factory.Sequence(lambda n: 100 + n)
    name_zh = "测试指标"
    name_en = "Test indicator"
    unit_zh = "家"
    unit_en = "enterprises"
    kind = Indicator.Kind.STOCK
    reported_by = Indicator.ReportedBy.CITIES
    target = factory.RelatedFactory(
        TargetFactory,
        factory_related_name="indicator",
        plan=factory.SelfAttribute("..plan"),
        wording=factory.SelfAttribute("..wording"),
        direction=factory.SelfAttribute("..direction"),
        strict=factory.SelfAttribute("..strict"),
        baseline_value=factory.SelfAttribute("..baseline_value"),
        baseline_year=factory.SelfAttribute("..baseline_year"),
        baseline_quarter=factory.SelfAttribute("..baseline_quarter"),
        value=factory.SelfAttribute("..target_value"),
        year=factory.SelfAttribute("..target_year"),
        quarter=factory.SelfAttribute("..target_quarter"),
    )


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ["year", "quarter"]

    year = 2030
    quarter = 1


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    prefecture = factory.SubFactory(PrefectureFactory)
    period = factory.SubFactory(PeriodFactory)


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    submission = factory.SubFactory(SubmissionFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    value = 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create, role: Role | None, **kwargs):
        if create and role:
            user.groups.add(Role(role).group)


def approve(indicator, prefecture, period, value, denominator=None, nothing_to_report=False):
    """A figure approved as given (prefecture None: the province's own), in its quarter's
    submission; its working copy says something else, which nothing downstream may read."""
    submission, _ = Submission.objects.get_or_create(
        prefecture=prefecture, period=period, defaults={"status": Submission.Status.APPROVED}
    )
    return Figure.objects.create(
        submission=submission,
        indicator=indicator,
        value=None if nothing_to_report else 999999,
        approved_value=value,
        approved_denominator=denominator,
        approved_nothing_to_report=nothing_to_report,
        nothing_to_report=nothing_to_report,
        approved_at=timezone.now(),
    )
