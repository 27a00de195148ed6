"""Plan files: a plan, the new series it tracks and its targets, in one YAML file, checked
whole and loaded all or nothing (`manage.py load_plan`, the 导入方案 page, `seed_plan`).

The shape (README, *Plan files*, has an annotated example):

    plan:                       # required
      code: "2026"              # a slug: names the plan in addresses (?plan=2026)
      document_number: 粤知〔2026〕1号
      title_zh: …
      title_en: …
      start_date: 2026-01-01    # ISO dates; the plan spans the quarters between them
      target_date: 2030-12-31
    series:                     # optional: series to create (Indicator's fields)
      - code: trademark_pledges
        name_zh: …              # name_en, unit_zh, unit_en, numerator_zh/_en,
        kind: flow              # denominator_zh/_en, per_10k_residents, decimals (0–6),
        reported_by: cities     # display_order (default: after the last series)
    targets:                    # required, in the plan's order
      - series: trademark_pledges   # a series on record or under series:
        wording: …              # the plan's own words
        direction: at_least     # at_least (default) or at_most
        strict: false           # true for 突破/超过: met only when passed
        value: 120              # none: the series is tracked without a target
        period: 2030Q4          # the quarter the value falls due (with value)
        baseline_value: 40      # optional, with baseline_period
        baseline_period: 2025Q4
        interim: [{period: 2028Q4, value: 80}]
        allocations: {"440100": 30}   # city code: its share (目标任务分解)

Every scalar is read as text and then as what its key needs (numbers through
`targets.validation.parse_amount`, so 30,000 reads as 30000 and 1e3 is refused), so that
YAML 1.1's surprises (010 as octal 8, 1:30 as 90) never reach a target.

A file only adds to what is on record. Loading it again changes nothing. Whatever it says
differently from the record (a plan's title, a series' name, a target's value or period,
its interim targets or allocations) is refused, line by line: a target already loaded is
changed in the admin, as a mid-term adjustment (中期调整) is, not by a file. `seed_plan`
loads its own file with `record_wins=True`: there such differences are notes, since
editing the seeded plan in the admin is what it is for.

`read_plan_file(data)` returns a `PlanFile` or raises `PlanFileInvalid` with every
`Problem` at once; `load_plan_file(plan_file)` writes it in one transaction.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets.formatting import join_names, plain_number
from targets.models import (
    Direction,
    Indicator,
    IndicatorKind,
    InterimTarget,
    Plan,
    Prefecture,
    ReportedBy,
    Target,
    TargetAllocation,
    in_english,
)
from targets.periods import Quarter
from targets.schedule import add_periods
from targets.validation import Problem as AmountProblem
from targets.validation import decimal_places, parse_amount

# A plan of a hundred targets with every city's allocation is some 100 kB.
MAX_BYTES = 512 * 1024
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# Below the 20 digits, 6 of them decimals, that every amount column holds.
MAX_AMOUNT = Decimal(10) ** 14
MAX_DECIMALS = 6


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file: its line (0: the file as a whole), the key it is about
    ("" when none) and what is wrong, in the user's language."""

    line: int
    field: str
    message: str

    def __str__(self):
        where = _("line %(line)s") % {"line": self.line} if self.line else _("the file")
        if self.field:
            where = f"{where}, {self.field}"
        return f"{where}: {self.message}"


class PlanFileInvalid(ValueError):
    """A file that cannot be loaded; `problems` lists each problem, in line order."""

    def __init__(self, problems):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass
class SeriesEntry:
    """A series under `series:`; `new` when no series has its code yet."""

    line: int
    fields: dict
    lines: dict = field(default_factory=dict)  # the line of each key given
    new: bool = True

    @property
    def kind_label(self) -> str:
        return IndicatorKind(self.fields["kind"]).label

    @property
    def reporter_label(self) -> str:
        return ReportedBy(self.fields["reported_by"]).label


@dataclass
class TargetEntry:
    """A target of `targets:`: the Target's fields, its interim targets as (quarter, value)
    pairs and its allocations by city code; `new` when the plan on record has none on this
    series (always, for a new plan)."""

    line: int
    series: str
    fields: dict
    interim: list = field(default_factory=list)
    allocations: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # the line of each key given
    new: bool = True
    # The series' name and unit, for the preview.
    name: str = ""
    unit: str = ""

    @property
    def period(self) -> Quarter | None:
        if self.fields["value"] is None:
            return None
        return Quarter(self.fields["year"], self.fields["quarter"])

    @property
    def baseline_period(self) -> Quarter | None:
        if self.fields["baseline_year"] is None:
            return None
        return Quarter(self.fields["baseline_year"], self.fields["baseline_quarter"])


@dataclass
class PlanFile:
    """A checked file: the plan's fields, its new series and targets in file order, and
    `notes` (Problems that do not stop loading: what `record_wins` kept as on record)."""

    plan: dict
    series: list[SeriesEntry]
    targets: list[TargetEntry]
    plan_is_new: bool = True
    notes: list[Problem] = field(default_factory=list)

    @property
    def first_quarter(self) -> Quarter:
        return _quarter_of(self.plan["start_date"])

    @property
    def last_quarter(self) -> Quarter:
        return _quarter_of(self.plan["target_date"])


@dataclass
class Loaded:
    """What loading wrote: the plan (created or not) and the names of what it created."""

    plan: Plan
    plan_created: bool
    series: list[str]
    targets: list[str]
    interim_targets: int
    allocations: int
    periods: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.plan_created or self.series or self.targets or self.periods)


def _quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


# --- Reading YAML with line numbers -------------------------------------------------------


class Mapping(dict):
    """A YAML mapping with the line it starts on and the line of each key."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines = {}


class _Loader(yaml.SafeLoader):
    """The safe loader, keeping lines, refusing duplicate keys and aliases (an alias can
    multiply a small file into a huge one), and reading every scalar but true/false and
    null as text."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.MarkedYAMLError(problem="alias", problem_mark=mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag.endswith((":bool", ":null"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = Mapping(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            loader.problems.append(Problem(line, "", _("A key must be a single word.")))
            continue
        key = key_node.value
        if key in mapping:
            loader.problems.append(
                Problem(
                    line,
                    key,
                    _("Given twice (first on line %(line)s).") % {"line": mapping.lines[key]},
                )
            )
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _parse_yaml(data: bytes) -> tuple[object, list[Problem]]:
    """The document in `data` (UTF-8, with or without BOM) and the problems met reading it."""
    if len(data) > MAX_BYTES:
        message = _("The file is larger than %(size)s kB.") % {"size": MAX_BYTES // 1024}
        return None, [Problem(0, "", message)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(line, "", _("This is not UTF-8 text: save the file as UTF-8."))]
    loader = _Loader(text)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        if error.problem == "alias":
            message = _("Aliases (*name) are not allowed: write the value out.")
        else:
            message = _("This is not valid YAML: %(problem)s.") % {"problem": error.problem}
        return None, [Problem(line, "", message)]
    except yaml.YAMLError as error:
        return None, [
            Problem(0, "", _("This is not valid YAML: %(problem)s.") % {"problem": error})
        ]
    except RecursionError:
        return None, [Problem(0, "", _("The file is nested too deeply."))]
    finally:
        loader.dispose()
    return document, loader.problems


# --- Checking each part --------------------------------------------------------------------


class _Checker:
    """Reads one mapping's keys as their types, noting each problem with its line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def add(self, line, key, message):
        self.problems.append(Problem(line, key, message))

    def mapping(self, value, line, key) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.add(line, key, _("Expected keys and values (key: value) here."))
        return None

    def items(self, value, line, key) -> list:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.add(line, key, _("Expected a list here (lines starting with “- ”)."))
        return []

    def keys(self, mapping: Mapping, known, required, section):
        for key in mapping:
            if key not in known:
                self.add(
                    mapping.lines[key],
                    key,
                    _("Unknown key in %(section)s; the keys are: %(keys)s.")
                    % {"section": section, "keys": ", ".join(known)},
                )
        for key in required:
            if mapping.get(key) is None:
                self.add(
                    mapping.line, key, _("Missing: %(section)s needs it.") % {"section": section}
                )

    def text(self, mapping, key, max_length, default=""):
        value = mapping.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            self.add(mapping.lines[key], key, _("Expected text, not true or false: quote it."))
            return default
        if not isinstance(value, str):
            self.add(mapping.lines[key], key, _("Expected text here."))
            return default
        value = value.strip()
        if len(value) > max_length:
            self.add(
                mapping.lines[key],
                key,
                _("At most %(count)s characters.") % {"count": max_length},
            )
        return value

    def slug(self, mapping, key, max_length):
        value = self.text(mapping, key, max_length)
        if value and not SLUG.match(value):
            self.add(
                mapping.lines[key],
                key,
                _("“%(text)s”: a code has only letters, digits, - and _.") % {"text": value},
            )
        return value

    def flag(self, mapping, key):
        value = mapping.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(mapping.lines[key], key, _("Expected true or false."))
            return False
        return value

    def whole(self, mapping, key, minimum, maximum, default=None):
        value = mapping.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
            number = int(value)
            if minimum <= number <= maximum:
                return number
        self.add(
            mapping.lines[key],
            key,
            _("Expected a whole number from %(minimum)s to %(maximum)s.")
            % {"minimum": minimum, "maximum": maximum},
        )
        return default

    def choice(self, mapping, key, choices, default=None):
        value = mapping.get(key)
        if value is None:
            return default
        if value not in choices.values:
            self.add(
                mapping.lines[key],
                key,
                _("“%(text)s” is not one of: %(choices)s.")
                % {"text": value, "choices": ", ".join(choices.values)},
            )
            return default
        return value

    def day(self, mapping, key):
        value = mapping.get(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.add(
                mapping.lines[key],
                key,
                _("“%(text)s” is not a date like 2026-01-01.") % {"text": value},
            )
            return None

    def quarter(self, mapping, key):
        value = mapping.get(key)
        if value is None:
            return None
        try:
            return Quarter.parse(str(value))
        except ValueError as error:
            self.add(mapping.lines[key], key, str(error))
            return None

    def amount(self, mapping, key, line=None, shown=None):
        """An amount under `key` (or, with `line`, the mapping's value at `key` shown as
        `shown`): exact, not negative, within what the database holds."""
        value = mapping.get(key)
        if value is None:
            return None
        line = line or mapping.lines[key]
        shown = shown or key
        if not isinstance(value, str):
            self.add(line, shown, _("Expected a number."))
            return None
        try:
            number = parse_amount(value)
        except AmountProblem as error:
            self.add(line, shown, str(error))
            return None
        if number is None:
            return None
        if number < 0:
            self.add(line, shown, _("A target is never negative."))
        elif number >= MAX_AMOUNT or decimal_places(number) > MAX_DECIMALS:
            self.add(
                line,
                shown,
                _("At most %(digits)s digits before the point and %(decimals)s after it.")
                % {"digits": 14, "decimals": MAX_DECIMALS},
            )
        else:
            return number
        return None


PLAN_KEYS = ["code", "document_number", "title_zh", "title_en", "start_date", "target_date"]
SERIES_KEYS = [
    "code",
    "name_zh",
    "name_en",
    "unit_zh",
    "unit_en",
    "kind",
    "reported_by",
    "decimals",
    "numerator_zh",
    "numerator_en",
    "denominator_zh",
    "denominator_en",
    "per_10k_residents",
    "display_order",
]
TARGET_KEYS = [
    "series",
    "wording",
    "direction",
    "strict",
    "value",
    "period",
    "baseline_value",
    "baseline_period",
    "interim",
    "allocations",
]
INTERIM_KEYS = ["period", "value"]
# A target's fields that its file keys name one for one.
TARGET_WORDS = ["wording", "direction", "strict", "value"]


def _plan(check: _Checker, plan: Mapping) -> dict:
    check.keys(plan, PLAN_KEYS, PLAN_KEYS, "plan")
    fields = {
        "code": check.slug(plan, "code", 40),
        "document_number": check.text(plan, "document_number", 50),
        "title_zh": check.text(plan, "title_zh", 200),
        "title_en": check.text(plan, "title_en", 300),
        "start_date": check.day(plan, "start_date"),
        "target_date": check.day(plan, "target_date"),
    }
    start, end = fields["start_date"], fields["target_date"]
    if start and end and end <= start:
        check.add(
            plan.lines["target_date"],
            "target_date",
            _("The target date comes after the start date."),
        )
        fields["target_date"] = None
    return fields


def _series(check: _Checker, entry: Mapping) -> dict:
    check.keys(entry, SERIES_KEYS, ["code", "name_zh", "name_en", "kind", "reported_by"], "series")
    fields = {
        "code": check.slug(entry, "code", 60),
        "name_zh": check.text(entry, "name_zh", 200),
        "name_en": check.text(entry, "name_en", 200),
        "unit_zh": check.text(entry, "unit_zh", 20),
        "unit_en": check.text(entry, "unit_en", 40),
        "kind": check.choice(entry, "kind", IndicatorKind),
        "reported_by": check.choice(entry, "reported_by", ReportedBy),
        "decimals": check.whole(entry, "decimals", 0, MAX_DECIMALS, default=0),
        "numerator_zh": check.text(entry, "numerator_zh", 100),
        "numerator_en": check.text(entry, "numerator_en", 100),
        "denominator_zh": check.text(entry, "denominator_zh", 100),
        "denominator_en": check.text(entry, "denominator_en", 100),
        "per_10k_residents": check.flag(entry, "per_10k_residents"),
    }
    # The rule of the model's indicator_ratio_has_denominator constraint.
    if (
        fields["kind"] == IndicatorKind.RATIO
        and not fields["per_10k_residents"]
        and not fields["denominator_zh"]
    ):
        check.add(
            entry.lines.get("kind", entry.line),
            "denominator_zh",
            _("A ratio names its denominator (denominator_zh), or is per_10k_residents: true."),
        )
    if (order := check.whole(entry, "display_order", 1, 32767)) is not None:
        fields["display_order"] = order
    return fields


def _target(check: _Checker, entry: Mapping, plan: dict, cities: set) -> TargetEntry:
    check.keys(entry, TARGET_KEYS, ["series", "wording"], "targets")
    value = check.amount(entry, "value")
    period = check.quarter(entry, "period")
    baseline_value = check.amount(entry, "baseline_value")
    baseline = check.quarter(entry, "baseline_period")
    has_value = entry.get("value") is not None
    line = entry.lines.get
    if has_value and entry.get("period") is None:
        check.add(entry.line, "period", _("A target with a value needs the quarter it falls due."))
    if not has_value and entry.get("period") is not None:
        check.add(line("period"), "period", _("A period goes with a value: give the value too."))
    if (entry.get("baseline_value") is None) != (entry.get("baseline_period") is None):
        check.add(
            line("baseline_value", line("baseline_period", entry.line)),
            "baseline_period",
            _("baseline_value and baseline_period go together."),
        )
    first, last = _plan_span(plan)
    if period and first and not first <= period <= last:
        check.add(
            line("period"),
            "period",
            _("%(period)s is outside the plan, which runs from %(first)s to %(last)s.")
            % {"period": period, "first": first, "last": last},
        )
    if baseline and period and baseline >= period:
        check.add(
            line("baseline_period"),
            "baseline_period",
            _("The baseline comes before the target's period (%(period)s).") % {"period": period},
        )
    interim = []
    for item in check.items(entry.get("interim"), line("interim"), "interim"):
        if (item := check.mapping(item, line("interim"), "interim")) is None:
            continue
        check.keys(item, INTERIM_KEYS, INTERIM_KEYS, "interim")
        when, amount = check.quarter(item, "period"), check.amount(item, "value")
        start = baseline or first
        if not has_value:
            check.add(item.line, "interim", _("A target without a value has no interim targets."))
        elif when and period and start and not start < when < period:
            check.add(
                item.lines["period"],
                "period",
                _("An interim target falls between %(first)s and the target's %(last)s.")
                % {"first": start, "last": period},
            )
        elif when in {quarter for quarter, _value in interim}:
            check.add(item.lines["period"], "period", _("Two interim targets for one quarter."))
        elif when and amount is not None:
            interim.append((when, amount))
    allocations = {}
    given = entry.get("allocations")
    if given is not None and (given := check.mapping(given, line("allocations"), "allocations")):
        if not has_value:
            check.add(
                line("allocations"),
                "allocations",
                _("A target without a value has no allocations."),
            )
        for code in given:
            if code not in cities:
                check.add(
                    given.lines[code],
                    "allocations",
                    _("There is no city with the code %(code)s.") % {"code": code},
                )
            elif (amount := check.amount(given, code, given.lines[code], code)) is not None:
                allocations[code] = amount
    fields = {
        "wording": check.text(entry, "wording", 2000),
        "direction": check.choice(entry, "direction", Direction, default=Direction.AT_LEAST),
        "strict": check.flag(entry, "strict"),
        "value": value,
        "year": period.year if has_value and period else None,
        "quarter": period.quarter if has_value and period else None,
        "baseline_value": baseline_value,
        "baseline_year": baseline.year if baseline else None,
        "baseline_quarter": baseline.quarter if baseline else None,
    }
    series = check.slug(entry, "series", 60)
    return TargetEntry(entry.line, series, fields, sorted(interim), allocations, entry.lines)


def _plan_span(plan: dict) -> tuple[Quarter | None, Quarter | None]:
    if plan["start_date"] and plan["target_date"]:
        return _quarter_of(plan["start_date"]), _quarter_of(plan["target_date"])
    return None, None


# --- Against the record --------------------------------------------------------------------


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return plain_number(value)
    if value is None or value == "":
        return "—"
    return str(value)


def _differs(check, record_wins, notes, line, key, on_record, given, advice):
    """Note that the file says `given` where the record says `on_record`: a problem, or,
    when `record_wins`, a note that the record is kept."""
    if on_record == given:
        return
    text = _("On record: %(on_record)s; the file says %(given)s.") % {
        "on_record": _shown(on_record),
        "given": _shown(given),
    }
    if record_wins:
        notes.append(Problem(line, key, f"{text} {_('The record is kept.')}"))
    else:
        check.add(line, key, f"{text} {advice}")


def _against_record(check, plan_file: PlanFile, raw: dict, record_wins: bool) -> None:
    """Compare the file with what is on record: mark what is new, note what differs."""
    notes = plan_file.notes
    fields, plan_line = plan_file.plan, raw["plan"]
    advice = _("A file only adds to what is on record; change it in the admin.")
    if fields["code"]:
        plan = Plan.objects.filter(code=fields["code"]).first()
        if plan:
            plan_file.plan_is_new = False
            for key in PLAN_KEYS:
                if fields[key] is not None:
                    _differs(
                        check, record_wins, notes, plan_line.lines.get(key, plan_line.line), key,
                        getattr(plan, key), fields[key], advice,
                    )  # fmt: skip
        clash = Plan.objects.filter(document_number=fields["document_number"]).exclude(
            code=fields["code"]
        )
        if fields["document_number"] and (other := clash.first()):
            check.add(
                plan_line.lines.get("document_number", plan_line.line),
                "document_number",
                _("Plan %(code)s already has this document number.") % {"code": other.code},
            )
    codes = {entry.fields["code"] for entry in plan_file.series} | {
        entry.series for entry in plan_file.targets
    }
    on_record = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    orders = dict(Indicator.objects.values_list("display_order", "code"))
    for entry in plan_file.series:
        indicator = on_record.get(entry.fields["code"])
        if indicator is None:
            order = entry.fields.get("display_order")
            if order is not None and order in orders:
                check.add(
                    entry.lines["display_order"],
                    "display_order",
                    _("Series %(code)s already has display order %(order)s.")
                    % {"code": orders[order], "order": order},
                )
            elif order is not None:
                orders[order] = entry.fields["code"]  # the file's own, for the series after
            continue
        entry.new = False
        for key, value in entry.fields.items():
            _differs(
                check, record_wins, notes, entry.lines.get(key, entry.line), key,
                getattr(indicator, key), value, advice,
            )  # fmt: skip
    listed = {entry.fields["code"]: entry for entry in plan_file.series}
    for entry in plan_file.targets:
        if entry.series in listed:
            series = listed[entry.series].fields
            english = in_english()
            entry.name = series["name_en" if english else "name_zh"]
            entry.unit = series["unit_en" if english else "unit_zh"]
        elif indicator := on_record.get(entry.series):
            entry.name, entry.unit = indicator.name, indicator.unit
        elif entry.series:
            check.add(
                entry.line,
                "series",
                _("There is no series “%(code)s”: add it under series:, or name one on record.")
                % {"code": entry.series},
            )
    if not plan_file.plan_is_new:
        _against_targets(check, plan_file, record_wins)


def _against_targets(check, plan_file: PlanFile, record_wins: bool) -> None:
    """Mark the targets the plan on record already sets, and note how the file differs."""
    targets = {
        target.indicator.code: target
        for target in Target.objects.filter(plan__code=plan_file.plan["code"])
        .select_related("indicator")
        .prefetch_related("interim_targets", "allocations__prefecture")
    }
    advice = _(
        "A target already loaded is changed in the admin, as a mid-term adjustment "
        "(中期调整), not by a plan file."
    )
    for entry in plan_file.targets:
        if (target := targets.get(entry.series)) is None:
            continue
        entry.new = False
        interim = sorted((i.period, i.value) for i in target.interim_targets.all())
        allocations = sorted((a.prefecture.code, a.value) for a in target.allocations.all())
        # (key in the file, on record, in the file)
        compared = [
            *[(key, getattr(target, key), entry.fields[key]) for key in TARGET_WORDS],
            ("period", target.period, entry.period),
            ("baseline_value", target.baseline_value, entry.fields["baseline_value"]),
            ("baseline_period", target.baseline_period, entry.baseline_period),
            ("interim", _pairs(interim), _pairs(entry.interim)),
            ("allocations", _pairs(allocations), _pairs(sorted(entry.allocations.items()))),
        ]
        for key, on_record, given in compared:
            _differs(
                check, record_wins, plan_file.notes, entry.lines.get(key, entry.line), key,
                on_record, given, advice,
            )  # fmt: skip


def _pairs(pairs) -> str:
    return join_names(f"{key}: {plain_number(value)}" for key, value in pairs)


# --- The whole file ------------------------------------------------------------------------


def read_plan_file(data: bytes, *, record_wins: bool = False) -> PlanFile:
    """The plan file in `data` (UTF-8 bytes, with or without BOM, any line ends), checked
    as a whole and against the record.

    Raises PlanFileInvalid with every problem found, each with its line and key.
    """
    document, problems = _parse_yaml(data)
    if document is None and not problems:
        problems = [Problem(0, "", _("The file is empty."))]
    if problems:
        raise PlanFileInvalid(problems)
    check = _Checker(problems)
    if (document := check.mapping(document, 1, "")) is None:
        raise PlanFileInvalid(problems)
    check.keys(document, ["plan", "series", "targets"], ["plan", "targets"], _("the file"))
    plan = check.mapping(document.get("plan"), document.lines.get("plan", 1), "plan")
    if plan is None:
        raise PlanFileInvalid(problems)
    plan.line = document.lines["plan"]  # “missing” is told where the section starts
    plan_fields = _plan(check, plan)
    series, seen = [], {}
    for entry in check.items(document.get("series"), document.lines.get("series", 1), "series"):
        if (entry := check.mapping(entry, document.lines["series"], "series")) is None:
            continue
        fields = _series(check, entry)
        if fields["code"] in seen:
            check.add(
                entry.line,
                "code",
                _("Series %(code)s is listed twice (first on line %(line)s).")
                % {"code": fields["code"], "line": seen[fields["code"]]},
            )
            continue
        seen[fields["code"]] = entry.line
        series.append(SeriesEntry(entry.line, fields, entry.lines))
    cities = set(Prefecture.objects.values_list("code", flat=True))
    targets, seen = [], {}
    given = document.get("targets")
    for entry in check.items(given, document.lines.get("targets", 1), "targets"):
        if (entry := check.mapping(entry, document.lines["targets"], "targets")) is None:
            continue
        target = _target(check, entry, plan_fields, cities)
        if target.series and target.series in seen:
            check.add(
                entry.line,
                "series",
                _("The plan sets a target on %(code)s twice (first on line %(line)s).")
                % {"code": target.series, "line": seen[target.series]},
            )
            continue
        seen[target.series] = entry.line
        targets.append(target)
    if given is not None and not targets and not problems:
        check.add(document.lines["targets"], "targets", _("A plan has at least one target."))
    plan_file = PlanFile(plan_fields, series, targets)
    _against_record(check, plan_file, {"plan": plan}, record_wins)
    if problems:
        raise PlanFileInvalid(problems)
    return plan_file


@transaction.atomic
def load_plan_file(plan_file: PlanFile) -> Loaded:
    """Write what `plan_file` adds: the plan, its new series, new targets with their interim
    targets and allocations, and the reporting periods the plan spans. Run it on a file
    just read (`read_plan_file`) in the same transaction as the reading, so that nothing
    changed in between; `load` does both."""
    fields = plan_file.plan
    plan, plan_created = Plan.objects.get_or_create(code=fields["code"], defaults=fields)
    # New series without an order of their own follow every series, those of the file too.
    given = [e.fields["display_order"] for e in plan_file.series if "display_order" in e.fields]
    order = max([Indicator.objects.aggregate(last=Max("display_order"))["last"] or 0, *given])
    series = {}
    for entry in plan_file.series:
        if not entry.new:
            continue
        if "display_order" not in entry.fields:
            order += 1
        indicator = Indicator.objects.create(**{"display_order": order, **entry.fields})
        series[indicator.code] = indicator
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=[t.series for t in plan_file.targets])
    }
    cities = {p.code: p for p in Prefecture.objects.all()}
    place = plan.targets.aggregate(last=Max("display_order"))["last"] or 0
    created, interim_count, allocation_count = [], 0, 0
    for entry in plan_file.targets:
        if not entry.new:
            continue
        place += 1
        target = Target.objects.create(
            plan=plan, indicator=indicators[entry.series], display_order=place, **entry.fields
        )
        InterimTarget.objects.bulk_create(
            InterimTarget(target=target, year=q.year, quarter=q.quarter, value=value)
            for q, value in entry.interim
        )
        for code, value in entry.allocations.items():
            # One by one, not in bulk: each sends the signal that recomputes the series.
            TargetAllocation.objects.create(target=target, prefecture=cities[code], value=value)
        created.append(entry.series)
        interim_count += len(entry.interim)
        allocation_count += len(entry.allocations)
    periods = add_periods(first=plan_file.first_quarter, last=plan_file.last_quarter)
    return Loaded(
        plan=plan,
        plan_created=plan_created,
        series=list(series),
        targets=created,
        interim_targets=interim_count,
        allocations=allocation_count,
        periods=[str(period.as_quarter) for period in periods],
    )


def load(
    data: bytes, *, dry_run: bool = False, record_wins: bool = False
) -> tuple[PlanFile, Loaded]:
    """Read and load `data` in one transaction; with `dry_run`, roll it back after.

    Raises PlanFileInvalid, having written nothing, when the file has any problem."""
    with transaction.atomic():
        plan_file = read_plan_file(data, record_wins=record_wins)
        loaded = load_plan_file(plan_file)
        if dry_run:
            transaction.set_rollback(True)
    return plan_file, loaded


def loaded_text(loaded: Loaded) -> str:
    """What loading did, in one sentence for the page and the command: “Plan 2026 created,
    with 1 new series (…), 3 targets (…), 2 interim targets, 21 allocations and 20
    reporting periods.”, or that nothing changed."""
    if not loaded.changed:
        return _("Nothing changed: everything in the file is on record already.")
    parts = [
        ngettext("%(count)s new series (%(names)s)", "%(count)s new series (%(names)s)", n)
        % {"count": n, "names": join_names(loaded.series)}
        for n in [len(loaded.series)]
        if n
    ]
    parts += [
        ngettext("%(count)s target (%(names)s)", "%(count)s targets (%(names)s)", n)
        % {"count": n, "names": join_names(loaded.targets)}
        for n in [len(loaded.targets)]
        if n
    ]
    if count := loaded.interim_targets:
        parts.append(
            ngettext("%(count)s interim target", "%(count)s interim targets", count)
            % {"count": count}
        )
    if count := loaded.allocations:
        parts.append(
            ngettext("%(count)s allocation", "%(count)s allocations", count) % {"count": count}
        )
    if count := len(loaded.periods):
        parts.append(
            ngettext("%(count)s reporting period", "%(count)s reporting periods", count)
            % {"count": count}
        )
    what = {"code": loaded.plan.code, "parts": join_names(parts)}
    if loaded.plan_created:
        return _("Plan %(code)s created, with %(parts)s.") % what
    return _("Plan %(code)s: added %(parts)s.") % what
