"""Plausible, clearly labelled demo figures for every city-reported indicator, and a
second, demo plan (a plan file, `seed/demo-plan-2023.yaml`), so that a newcomer sees two
plans over one history.

The series are reproducible (seeded by indicator code) and respect each kind: stocks
rise, year-to-date flows rise within a year and restart each January, cumulative
indicators report each year's new amount, coverage turns on city by city. Over the first
plan's quarters they head for its targets (`demo_series`); after them they carry on
towards the demo plan's targets, or on trend where it sets none (`continued_series`).
"""

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Plan,
    PopulationFigure,
    Prefecture,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
    Target,
    TargetAllocation,
)
from targets.periods import Quarter, due_date_for
from targets.plan_files import load
from targets.plans import with_targets
from targets.schedule import reporting_rule
from targets.seeding import CENSUS_YEAR, SEED_DIR
from targets.tasks import enqueue_recompute

DEMO_PASSWORD = "ipplan-demo"
DEMO_PLAN = SEED_DIR / "demo-plan-2023.yaml"
DEMO_SOURCE = "演示数据（非官方统计）"

# Rough 2020 GDP in 亿元, used only to give the demo cities believable relative sizes.
CITY_SIZE = {
    "440100": 25019, "440200": 1354, "440300": 27670, "440400": 3482, "440500": 2731,
    "440600": 10816, "440700": 3201, "440800": 3100, "440900": 3279, "441200": 2312,
    "441300": 4222, "441400": 1208, "441500": 1124, "441600": 1102, "441700": 1360,
    "441800": 1777, "441900": 9650, "442000": 3152, "445100": 1097, "445200": 2102,
    "445300": 1002,
}  # fmt: skip

# Where each series ends, as a share of its 2022 target, so that the demo shows every status.
ENDING_SHARE = {
    "key_protected_enterprises": 0.93,
    "standard_compliant_enterprises": 1.08,
    "hitech_compliance_rate": 0.86,
    "patent_cultivation_centres": 0.97,
    "protection_centres": 1.2,
    "rapid_protection_centres": 0.9,
    "assistance_centre_coverage": 0.91,
    "ip_transaction_value": 1.12,
    "pledge_financing": 0.74,
    "ip_insurance_coverage": 1.0,
    "industry_navigation_projects": 0.96,
    "enterprise_navigation_projects": 1.05,
    "info_push_beneficiaries": 1.1,
    "patent_agencies": 1.02,
    "patent_agents": 0.88,
    "brand_service_institutions": 0.8,
    "invention_patents_per_10k": 1.3,
}
# Where each series ends at the demo plan's target quarter, as a share of that plan's target.
LATER_ENDING_SHARE = {
    "key_protected_enterprises": 1.03,
    "standard_compliant_enterprises": 1.1,
    "hitech_compliance_rate": 0.8,
    "pledge_financing": 0.9,
    "patent_agents": 0.96,
    "invention_patents_per_10k": 1.02,
    "demo_data_ip_registrations": 0.85,
}
# Province totals at the first and last demo quarter for series with no target to scale by:
# the annual amount of a flow, or the denominator of a ratio.
SCALE = {"pct_applications": (20000, 26000), "hitech_compliance_rate": (30000, 57000)}
YEAR_TO_DATE_SHARE = (0.22, 0.47, 0.73, 1.0)
# Targets shared out among the cities (目标任务分解), so that city pages show a gap to a share.
ALLOCATED = ["key_protected_enterprises", "patent_agents"]
PROVINCE_FIGURES = {
    "patent_regulation_revised": lambda q: int(q >= Quarter(2020, 3)),
    "ip_regulation_enacted": lambda q: int(q >= Quarter(2022, 2)),
    "pct_national_rank": lambda q: 1 if q >= Quarter(2019, 1) else 2,
}
DEMO_USERS = [
    ("admin", None, None),
    ("sheng", Role.PROVINCIAL, None),
    ("lingdao", Role.LEADERSHIP, None),
    ("guangzhou", Role.CITY, "440100"),
    ("shenzhen", Role.CITY, "440300"),
    ("shaoguan", Role.CITY, "440200"),
]


@dataclass(frozen=True)
class DemoValue:
    value: Decimal
    denominator: Decimal | None = None


def _quantize(number: float, decimals: int) -> Decimal:
    return Decimal(str(round(number, decimals))).quantize(Decimal(1).scaleb(-decimals))


def _path(start: float, end: float, steps: int, rng: random.Random) -> list[float]:
    """From start to end in `steps` quarters, a little faster later on, with some wobble."""
    return [
        start + (end - start) * (step / (steps - 1)) ** 1.1 * wobble
        for step in range(steps)
        for wobble in [rng.uniform(0.97, 1.03) if 0 < step < steps - 1 else 1.0]
    ]


def _split(total: float, weights: list[float], rng: random.Random) -> list[float]:
    """Share `total` among cities; a handful of whole units goes to a few cities by chance."""
    if 0 < total < 50 and float(total).is_integer():
        counts = [0.0] * len(weights)
        for index in rng.choices(range(len(weights)), [w**0.5 for w in weights], k=int(total)):
            counts[index] += 1
        return counts
    noisy = [weight * rng.uniform(0.8, 1.2) for weight in weights]
    return [total * weight / sum(noisy) for weight in noisy]


def _grow(totals, weights, rng, whole: bool, start=None) -> list[list[float]]:
    """City stocks that never fall and add up to each quarter's province total, from
    `start` (each city's stock before the first quarter; none by default)."""
    stocks = list(start) if start else [0.0] * len(weights)
    reached, rows = sum(stocks), []
    for total in totals:
        added = max(0.0, total - reached)
        added = round(added) if whole else added
        stocks = [
            stock + share for stock, share in zip(stocks, _split(added, weights, rng), strict=True)
        ]
        reached += added
        rows.append(stocks)
    return rows


def demo_series(
    indicator: Indicator,
    codes: list[str],
    quarters: list[Quarter],
    population: dict[tuple[str, int], int],
) -> dict[tuple[str, Quarter], DemoValue]:
    """Every city's demo value for every quarter of one city-reported indicator."""
    rng = random.Random(zlib.crc32(indicator.code.encode()))
    weights = [CITY_SIZE[code] ** 1.3 for code in codes]
    target = float(_target_value(indicator))
    ending = ENDING_SHARE.get(indicator.code, 1.0)
    steps = len(quarters)
    match indicator.kind:
        case Indicator.Kind.COVERAGE:
            order = sorted(codes, key=lambda code: -CITY_SIZE[code] * rng.uniform(0.5, 1.5))
            covered = _path(len(codes) / 4, min(len(codes), len(codes) * ending), steps, rng)
            return {
                (code, quarter): DemoValue(Decimal(code in order[: round(count)]))
                for quarter, count in zip(quarters, covered, strict=True)
                for code in codes
            }
        case Indicator.Kind.FLOW | Indicator.Kind.CUMULATIVE:
            return _year_to_date_series(indicator, codes, quarters, weights, rng)
        case Indicator.Kind.RATIO if indicator.per_10k_residents:
            ratios = _path(target * 0.7, target * ending, steps, rng)
            people = [sum(population[code, q.year] for code in codes) for q in quarters]
            totals = [ratio * count / 10000 for ratio, count in zip(ratios, people, strict=True)]
            rows = _grow(totals, weights, rng, whole=True)
            return {
                (code, quarter): DemoValue(_quantize(stock, 0))
                for quarter, row in zip(quarters, rows, strict=True)
                for code, stock in zip(codes, row, strict=True)
            }
        case Indicator.Kind.RATIO:
            rates = _path(target * 0.4 / 100, target * ending / 100, steps, rng)
            leaning = {code: rng.uniform(0.6, 1.4) for code in codes}
            rows = _grow(_path(*SCALE[indicator.code], steps, rng), weights, rng, whole=True)
            return {
                (code, quarter): DemoValue(
                    Decimal(round(firms * min(0.95, rate * leaning[code]))), Decimal(round(firms))
                )
                for quarter, rate, row in zip(quarters, rates, rows, strict=True)
                for code, firms in zip(codes, row, strict=True)
            }
        case _:
            totals = _path(target * 0.45, target * ending, steps, rng)
            rows = _grow(totals, weights, rng, whole=indicator.decimals == 0)
            return {
                (code, quarter): DemoValue(_quantize(stock, indicator.decimals))
                for quarter, row in zip(quarters, rows, strict=True)
                for code, stock in zip(codes, row, strict=True)
            }


def _target_value(indicator: Indicator) -> Decimal:
    target = indicator.plan_target
    return target.value if target and target.value is not None else Decimal(0)


def _year_to_date_series(indicator, codes, quarters, weights, rng):
    """Flows, and the new amounts of cumulative indicators: rising within a year, from zero."""
    target = float(_target_value(indicator))
    ending = ENDING_SHARE.get(indicator.code, 1.0)
    years = sorted({quarter.year for quarter in quarters})
    if indicator.code in SCALE:
        annual = _path(*SCALE[indicator.code], len(years), rng)
    elif indicator.kind == Indicator.Kind.CUMULATIVE:
        ramp = [0.7 + 0.15 * index for index in range(len(years))]
        annual = [target * ending * share / sum(ramp) for share in ramp]
    else:
        annual = _path(target * 0.5, target * ending, len(years), rng)
    return _year_to_date(annual, indicator, codes, quarters, weights, rng)


def _year_to_date(annual, indicator, codes, quarters, weights, rng):
    """Each year's `annual` amount shared among the cities and reported year to date."""
    years = sorted({quarter.year for quarter in quarters})
    series = {}
    for year, amount in zip(years, annual, strict=True):
        for code, city_amount in zip(codes, _split(amount, weights, rng), strict=True):
            reached = 0.0
            for quarter in (q for q in quarters if q.year == year):
                share = YEAR_TO_DATE_SHARE[quarter.quarter - 1] * rng.uniform(0.95, 1.05)
                reached = 1.0 if quarter.quarter == 4 else max(reached, min(1.0, share))
                series[code, quarter] = DemoValue(
                    _quantize(city_amount * reached, indicator.decimals)
                )
    return series


def continued_series(
    indicator: Indicator,
    target: Target | None,
    codes: list[str],
    quarters: list[Quarter],
    population: dict[tuple[str, int], int],
    earlier: dict[tuple[str, Quarter], DemoValue],
) -> dict[tuple[str, Quarter], DemoValue]:
    """Every city's demo value for `quarters`, carrying on from `earlier` (a series'
    `demo_series` up to the quarter before; empty for a series first reported in the first of
    `quarters`), towards `target` (a later plan's, due at the last of `quarters`),
    else on the trend of the year before. Seeded apart from `demo_series`, so that the
    earlier figures never change with these."""
    rng = random.Random(zlib.crc32(f"{indicator.code} continued".encode()))
    weights = [CITY_SIZE[code] ** 1.3 for code in codes]
    steps, years = len(quarters), len(quarters) / 4
    last = quarters[0].shift(-1)

    def values(quarter, part="value"):
        return [
            float(getattr(earlier[code, quarter], part) or 0) if earlier else 0.0 for code in codes
        ]

    def ending(now: float, year_before: float) -> float:
        """Where the series' province level ends: at its share of the target, or on trend."""
        if target and target.value is not None:
            return float(target.value) * LATER_ENDING_SHARE.get(indicator.code, 1.0)
        return now + max(0.0, now - year_before) * years

    def ahead(start: float, end: float) -> list[float]:
        return _path(start, end, steps + 1, rng)[1:]

    match indicator.kind:
        case Indicator.Kind.COVERAGE:
            covered = [code for code, value in zip(codes, values(last), strict=True) if value]
            rest = sorted(set(codes) - set(covered), key=lambda c: -CITY_SIZE[c] * rng.random())
            count = ahead(len(covered), min(len(codes), ending(len(codes), len(codes))))
            return {
                (code, quarter): DemoValue(Decimal(code in (covered + rest)[: round(n)]))
                for quarter, n in zip(quarters, count, strict=True)
                for code in codes
            }
        case Indicator.Kind.FLOW | Indicator.Kind.CUMULATIVE:
            # The fourth quarter's year-to-date figure is the year's amount.
            now, year_before = sum(values(last)), sum(values(last.shift(-4)))
            if indicator.kind == Indicator.Kind.CUMULATIVE and target and target.value:
                # A cumulative target counts from the plan's start: share it out by year.
                end = ending(now, year_before) / years
            else:
                end = ending(now, year_before)
            annual = _path(now, end, round(years) + 1, rng)[1:]
            return _year_to_date(annual, indicator, codes, quarters, weights, rng)
        case Indicator.Kind.RATIO if indicator.per_10k_residents:
            people = [sum(population[code, q.year] for code in codes) for q in quarters]
            before = [
                sum(population[code, q.year] for code in codes) for q in (last, last.shift(-4))
            ]
            now, year_before = (
                sum(values(q)) / count * 10000
                for q, count in zip((last, last.shift(-4)), before, strict=True)
            )
            ratios = ahead(now, ending(now, year_before))
            totals = [ratio * count / 10000 for ratio, count in zip(ratios, people, strict=True)]
            rows = _grow(totals, weights, rng, whole=True, start=values(last))
            return {
                (code, quarter): DemoValue(_quantize(stock, 0))
                for quarter, row in zip(quarters, rows, strict=True)
                for code, stock in zip(codes, row, strict=True)
            }
        case Indicator.Kind.RATIO:
            firms_before = values(last, "denominator")
            certified = values(last)
            now = sum(certified) / sum(firms_before) * 100
            year_before = (
                sum(values(last.shift(-4))) / sum(values(last.shift(-4), "denominator")) * 100
            )
            rates = ahead(now / 100, ending(now, year_before) / 100)
            leaning = {
                code: (done / firms) / (now / 100) if firms else 1.0
                for code, done, firms in zip(codes, certified, firms_before, strict=True)
            }
            grown = ahead(sum(firms_before), sum(firms_before) * 1.06**years)
            rows = _grow(grown, weights, rng, whole=True, start=firms_before)
            series, reached = {}, dict(zip(codes, certified, strict=True))
            for quarter, rate, row in zip(quarters, rates, rows, strict=True):
                for code, firms in zip(codes, row, strict=True):
                    # Certified firms stay certified, and are never more than the firms.
                    done = min(firms, max(reached[code], firms * min(0.95, rate * leaning[code])))
                    reached[code] = done
                    series[code, quarter] = DemoValue(Decimal(round(done)), Decimal(round(firms)))
            return series
        case _:
            start = values(last)
            totals = ahead(sum(start), ending(sum(start), sum(values(last.shift(-4)))))
            rows = _grow(totals, weights, rng, whole=indicator.decimals == 0, start=start)
            return {
                (code, quarter): DemoValue(_quantize(stock, indicator.decimals))
                for quarter, row in zip(quarters, rows, strict=True)
                for code, stock in zip(codes, row, strict=True)
            }


def demo_status(city_index: int, quarter: Quarter, last: Quarter) -> str | None:
    """The workflow state of a demo city-quarter; None when the city has not started it."""
    if quarter < last:
        return Submission.Status.APPROVED
    # The demo officers' cities (广州, 韶关, 深圳 come first) each have something to do.
    states = [Submission.Status.DRAFT, Submission.Status.RETURNED, Submission.Status.SUBMITTED]
    states += [Submission.Status.APPROVED] * 8 + [Submission.Status.SUBMITTED] * 4
    states += [Submission.Status.DRAFT] * 2 + [None] * 4
    return states[city_index % len(states)]


def _demo_population(code: str, year: int, census: int) -> int:
    growth = 1.02 if CITY_SIZE[code] > 9000 else 1.004
    return round(census * growth ** (year - CENSUS_YEAR))


def _at(day, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def load_demo() -> dict[str, int]:
    created = {"demo plan": 0, "users": 0, "population figures": 0, "submissions": 0, "figures": 0}
    # Entered as provincial staff would enter it; edits made in the admin since are kept.
    loaded = load(DEMO_PLAN.read_bytes(), record_wins=True)[1]
    created["demo plan"] = int(loaded.plan_created)
    first_plan, demo_plan = Plan.objects.order_by("start_date").first(), loaded.plan
    users = {}
    for username, role, code in DEMO_USERS:
        user, new = User.objects.get_or_create(
            username=username,
            defaults={
                "prefecture": Prefecture.objects.get(code=code) if code else None,
                "email": f"{username}@ipplan.invalid",
                "is_staff": role is None,
                "is_superuser": role is None,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if role:
                user.groups.add(role.group)
        created["users"] += new
        users[username] = user

    prefectures = list(Prefecture.objects.all())
    # The demo's figures run to the demo plan's end (2025Q4): the quarters since, up to
    # today's, wait for figures, as they would on a site in use.
    end = Quarter.containing(demo_plan.target_date)
    periods = [period for period in ReportingPeriod.objects.all() if period.as_quarter <= end]
    quarters = [period.as_quarter for period in periods]
    first_end = Quarter.containing(first_plan.target_date)
    years = sorted({quarter.year for quarter in quarters})
    census = {p.code: p.populations.get(year=CENSUS_YEAR).population for p in prefectures}
    for prefecture in prefectures:
        for year in years:
            _, new = PopulationFigure.objects.get_or_create(
                prefecture=prefecture,
                year=year,
                defaults={
                    "population": _demo_population(prefecture.code, year, census[prefecture.code]),
                    "source": DEMO_SOURCE,
                    "is_demo": True,
                },
            )
            created["population figures"] += new
    population = {
        (figure.prefecture.code, figure.year): figure.population
        for figure in PopulationFigure.objects.select_related("prefecture")
    }

    codes = [prefecture.code for prefecture in prefectures]
    # The demo's figures head for the first plan's targets over its quarters, then for the
    # demo plan's.
    city_indicators = Indicator.objects.filter(
        reported_by=Indicator.ReportedBy.CITIES
    ).with_first_reported()
    earlier = [q for q in quarters if q <= first_end]
    later = [q for q in quarters if q > first_end]
    later_targets = {target.indicator_id: target for target in demo_plan.targets.all()}
    series = {}
    for ind in with_targets(city_indicators, first_plan):
        before = demo_series(ind, codes, earlier, population) if ind.plan_target else {}
        target = later_targets.get(ind.pk)
        series[ind] = before | continued_series(ind, target, codes, later, population, before)
    _give_due_dates(periods)
    officers = {user.prefecture_id: user for user in users.values() if user.prefecture_id}
    reviewer = users["sheng"]
    for index, prefecture in enumerate(prefectures):
        for period in periods:
            status = demo_status(index, period.as_quarter, quarters[-1])
            if status is None:
                continue
            # What the quarter's sheet asks for (`IndicatorQuerySet.asked_for`).
            values = {
                ind: demo[prefecture.code, period.as_quarter]
                for ind, demo in series.items()
                if ind.first_reported is None or ind.first_reported <= period.as_quarter.end_date
            }
            new = _create_submission(
                prefecture, period, status, values, officers.get(prefecture.pk), reviewer, index
            )
            created["submissions"] += new
            created["figures"] += new * len(values)
    if created["submissions"]:
        # As provincial staff would have done: only the last two quarters are still open.
        for period in periods:
            period.is_open = period.as_quarter >= quarters[-1].shift(-1)
        ReportingPeriod.objects.bulk_update(periods, ["is_open"])
    for code in ALLOCATED:
        target = Target.objects.get(plan=first_plan, indicator__code=code)
        weights = {p: CITY_SIZE[p.code] ** 1.3 for p in prefectures}
        for prefecture, weight in weights.items():
            share = target.value * Decimal(weight / sum(weights.values()))
            TargetAllocation.objects.get_or_create(
                target=target, prefecture=prefecture, defaults={"value": share.quantize(1)}
            )
    province_indicators = Indicator.objects.filter(code__in=PROVINCE_FIGURES)
    for period in periods:
        values = {
            ind: DemoValue(Decimal(PROVINCE_FIGURES[ind.code](period.as_quarter)))
            for ind in province_indicators
        }
        new = _create_submission(
            None, period, Submission.Status.APPROVED, values, reviewer, reviewer, 0
        )
        created["submissions"] += new
        created["figures"] += new * len(values)
    # Once the demo is committed, the dashboards get their progress to read.
    enqueue_recompute()
    return created


def _give_due_dates(periods) -> None:
    """Seeding adds the quarters whose due date had passed without one (nobody was asked for
    them); the demo reports them as if provincial staff had asked in time, by the rule."""
    days = reporting_rule().days_to_report
    undated = [period for period in periods if period.due_date is None]
    for period in undated:
        period.due_date = due_date_for(period.as_quarter, days)
    ReportingPeriod.objects.bulk_update(undated, ["due_date"])


def _create_submission(prefecture, period, status, values, officer, reviewer, index) -> bool:
    if Submission.objects.filter(prefecture=prefecture, period=period).exists():
        return False
    submitted_at = _at(period.due_date - timedelta(days=index % 6), 10)
    sent = status != Submission.Status.DRAFT
    reviewed = status in (Submission.Status.APPROVED, Submission.Status.RETURNED)
    submission = Submission.objects.create(
        prefecture=prefecture,
        period=period,
        status=status,
        created_at=_at(period.as_quarter.end_date + timedelta(days=1), 9),
        created_by=officer,
        submitted_at=submitted_at if sent else None,
        first_submitted_at=submitted_at if sent else None,
        submitted_by=officer if sent else None,
        reviewed_at=submitted_at + timedelta(days=3) if reviewed else None,
        reviewed_by=reviewer if reviewed else None,
        review_comment="演示：请核对质押融资金额的统计口径。"
        if status == Submission.Status.RETURNED
        else "",
    )
    approved = status == Submission.Status.APPROVED
    figures = Figure.objects.bulk_create(
        Figure(
            submission=submission,
            indicator=indicator,
            value=demo.value,
            denominator=demo.denominator,
            is_demo=True,
            approved_value=demo.value if approved else None,
            approved_denominator=demo.denominator if approved else None,
            approved_at=submission.reviewed_at if approved else None,
        )
        for indicator, demo in values.items()
    )
    # The history the workflow would have kept, so that "as of" and the changes page read
    # the demo's past as they read any other quarter's.
    entered_by = officer or reviewer
    FigureRevision.objects.bulk_create(
        FigureRevision(
            figure=figure,
            version=1,
            at=submission.created_at,
            by=entered_by,
            new_value=figure.value,
            new_denominator=figure.denominator,
        )
        for figure in figures
    )
    Action, Status = SubmissionEvent.Action, Submission.Status
    steps = [(Action.SAVED, Status.DRAFT, Status.DRAFT, submission.created_at, entered_by)]
    if sent:
        steps.append((Action.SUBMITTED, Status.DRAFT, Status.SUBMITTED, submitted_at, entered_by))
    if reviewed:
        action = Action.APPROVED if approved else Action.RETURNED
        steps.append((action, Status.SUBMITTED, status, submission.reviewed_at, reviewer))
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(
            submission=submission,
            action=action,
            from_status=before,
            to_status=after,
            at=at,
            by=by,
            comment=submission.review_comment if action == Action.RETURNED else "",
        )
        for action, before, after, at, by in steps
    )
    return True
