"""Every URL pattern of the project, for every kind of user, and hostile values in every
path and query parameter and form field: who gets what, and never a 500.

ROUTES has one row per URL name: valid path values, the status a GET gets for each persona,
the query parameters the view reads and, for a view that takes a POST, its form fields.
To add a URL, add its row; the tests below then try it for every persona, put each of
HOSTILE's values in each path value and query parameter (and, at once, in every form field),
and fail on any 500. A URL without a row fails `test_every_url_pattern_has_a_route`; a
parameter a view reads that its row does not list fails the walk (each request's GET and POST
are recorded while the view runs) and `test_every_parameter_read_in_the_code_has_a_route`.

The officer persona reports for 广州市 (440100); the "other city" persona for 深圳市, so on
广州's URLs it stands for an officer reaching into another city.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.recompute import recompute_progress
from targets.reporting import Entry, save_quarter
from tests.factories import approve

PERSONAS = ["anonymous", "city_officer", "other_officer", "leadership", "provincial", "superuser"]
LOGIN = "login"  # anonymous users are redirected to the login page


def statuses(anonymous, own, other, leadership, provincial, superuser):
    return dict(
        zip(PERSONAS, [anonymous, own, other, leadership, provincial, superuser], strict=True)
    )


EVERYONE = statuses(LOGIN, 200, 200, 200, 200, 200)
# Published figures and what is computed from them: every signed-in role (README, read rules).
PUBLISHED = EVERYONE
# A quarter's working copy (drafts, submitted values, their history and sheet).
WORKING_COPY = statuses(LOGIN, 200, 403, 403, 200, 200)
OWN_CITY_ENTRY = statuses(LOGIN, 200, 403, 403, 403, 403)
REVIEWERS = statuses(LOGIN, 403, 403, 403, 200, 200)
POST_ONLY = statuses(LOGIN, 405, 405, 405, 405, 405)
PUBLIC = statuses(200, 200, 200, 200, 200, 200)

CITY = {"reporter": "440100", "quarter": "2022Q4"}
QUARTER_PICKER = ("quarter",)
SUMMARY = ("quarter", "check", "retry", "plan")
# Field names with {indicator} stand for one field per indicator code, {quarter} for the
# quarter in the path.
QUARTER_SHEET = (
    "seen_version",
    "reason",
    "submit",
    "{indicator}-value",
    "{indicator}-denominator",
    "{indicator}-nothing",
    "{indicator}-note",
    "{indicator}-confirm",
    "{indicator}-reason",
)

UPLOAD = ("file", "file-clear")  # Django's file input also asks for "clear"


@dataclass(frozen=True)
class Route:
    kwargs: dict
    status: dict  # what a plain GET answers, by persona
    query: tuple = ()  # query parameters the view reads
    form: tuple | None = None  # form fields, for a view that takes a POST

    @property
    def takes_post(self) -> bool:
        return self.form is not None or self.status == POST_ONLY


ROUTES = {
    # Everyone lands on a dashboard: see tests/reports/test_dashboards.py for which.
    "home": Route({}, statuses(LOGIN, 302, 302, 302, 302, 302)),
    "plan": Route({}, EVERYONE),
    "choose_plan": Route({}, POST_ONLY, form=("plan", "next")),
    "plan_upload": Route({}, REVIEWERS, form=UPLOAD),
    "plan_upload_confirm": Route({}, POST_ONLY, form=()),
    "overview": Route({}, PUBLISHED, ("quarter", "status", "kind", "sort", "plan")),
    "map": Route({}, PUBLISHED, ("quarter", "indicator", "mode", "plan")),
    "indicator_dashboard": Route(
        {"code": "patent_agents"},
        PUBLISHED,
        ("quarter", "name", "sort", "page", "per_page", "_export", "plan"),
    ),
    "prefecture_dashboard": Route({"code": "440100"}, PUBLISHED, ("quarter", "plan")),
    "province_summary": Route({}, PUBLISHED, SUMMARY),
    "indicator_summary": Route({"code": "patent_agents"}, PUBLISHED, SUMMARY),
    "prefecture_summary": Route({"code": "440100"}, PUBLISHED, SUMMARY),
    # A concluded plan's final evaluation; freezing it is for provincial staff (a POST).
    "final_evaluation": Route({"code": "2018"}, PUBLISHED, ("_export",)),
    "conclude_plan": Route({"code": "2018"}, POST_ONLY, form=("confirm",)),
    "login": Route({}, PUBLIC, ("next",), ("username", "password", "next")),
    "logout": Route({}, POST_ONLY, ("next",), ("next",)),
    "password_change": Route(
        {}, EVERYONE, form=("old_password", "new_password1", "new_password2")
    ),
    "password_change_done": Route({}, EVERYONE),
    "preferences": Route({}, EVERYONE, form=("email", "language", "receives_reminders")),
    "set_language": Route(
        {}, statuses(302, 302, 302, 302, 302, 302), ("next",), ("language", "next")
    ),
    "health": Route({}, PUBLIC),
    "favicon": Route({}, statuses(301, 301, 301, 301, 301, 301)),
    "quarters": Route({"reporter": "440100"}, WORKING_COPY),
    "quarter_form": Route(CITY, WORKING_COPY, form=QUARTER_SHEET),
    "submission_history": Route(CITY, WORKING_COPY),
    "figure_history": Route(CITY | {"indicator": "patent_agents"}, WORKING_COPY),
    "quarter_workbook": Route(CITY, WORKING_COPY),
    "quarter_upload": Route(CITY, OWN_CITY_ENTRY, form=UPLOAD),
    "quarter_upload_confirm": Route(CITY, POST_ONLY, form=("reason",)),
    "review_queue": Route({}, REVIEWERS),
    "review": Route(CITY, REVIEWERS, form=("comment", "approve", "seen_version")),
    "reopen": Route(CITY, POST_ONLY, form=("reason",)),
    "withdraw": Route(CITY, POST_ONLY, form=()),
    "periods": Route({}, REVIEWERS),
    "period_update": Route(
        {"quarter": "2022Q4"}, POST_ONLY, form=("{quarter}-is_open", "{quarter}-due_date")
    ),
    "periods_add": Route({}, POST_ONLY, form=("first", "last", "days_to_report")),
    "period_rule": Route({}, POST_ONLY, form=("rule-days_to_report",)),
    "audit": Route({}, REVIEWERS),
    "csv_import": Route({}, REVIEWERS, form=(*UPLOAD, "approve")),
    "csv_import_confirm": Route({}, POST_ONLY, form=("accept", "reason")),
    "completeness": Route({}, REVIEWERS, ("year", "state", "format")),
    "methodology": Route({}, EVERYONE),
    # Without ?period= the API explains what is missing; the gate is what is tested here.
    "progress_api": Route(
        {}, statuses(LOGIN, 400, 400, 400, 400, 400), ("period", "indicator", "plan")
    ),
    # Traceability: a result's sources, as of a moment, and what changed since a summary.
    "sources": Route(
        {"code": "patent_agents", "scope": "province", "quarter": "2022Q4"},
        PUBLISHED,
        ("as_of", "_export", "plan"),
    ),
    "sources_api": Route(
        {},
        statuses(LOGIN, 400, 400, 400, 400, 400),
        ("indicator", "period", "scope", "as_of", "plan"),
    ),
    "changes": Route({}, statuses(LOGIN, 400, 400, 400, 400, 400), ("since", "scope", "quarter")),
    "evidence_upload": Route(CITY, POST_ONLY, form=(*UPLOAD, "indicator", "replaces")),
    "evidence_ask": Route(CITY, POST_ONLY, form=("indicator", "need")),
    "evidence_download": Route({"pk": 1}, statuses(LOGIN, 404, 404, 404, 404, 404)),
}  # fmt: skip

HOSTILE = {
    "empty": "",
    "huge": "9" * 40,
    "negative": "-1",
    "decimal": "2022.5",
    "exponent": "1e3",
    "non-numeric": "abc",
    "NUL": "\x00",
    "unknown choice": "no-such-choice",
    "10 kB": "x" * 10_240,
}


def named_patterns(resolver=None):
    """Every named URL pattern outside the admin (which guards itself and is tested below)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from named_patterns(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name


def test_every_url_pattern_has_a_route():
    assert sorted(set(named_patterns())) == sorted(ROUTES)


# Where views, forms and templates read a request's parameters by name.
READS_IN_CODE = [
    re.compile(r"""request\.(GET|POST)(?:\.get|\.getlist|\.pop)?[(\[]\s*["']([^"']+)"""),
    re.compile(r"""["']([^"']+)["']\s+in\s+request\.(GET|POST)\b"""),
    re.compile(r"""request\.(GET|POST)\.([A-Za-z_][\w]*)\b(?!\()"""),
    re.compile(r"""(?:whole_number|one_of)\(\s*request,\s*["']([^"']+)"""),
]
NOT_PARAMETERS = {"get", "getlist", "copy", "items", "lists", "pop", "urlencode", "dict"}


def names_read_in_code() -> set[tuple[str, str]]:
    found = set()
    for folder in ["accounts", "ipplan", "reports", "targets", "reminders", "templates"]:
        for path in Path(settings.BASE_DIR, folder).rglob("*"):
            if path.suffix not in {".py", ".html"} or "migrations" in path.parts:
                continue
            text = path.read_text()
            for pattern in READS_IN_CODE:
                for match in pattern.finditer(text):
                    groups = match.groups()
                    if len(groups) == 1:
                        found.add(("GET", groups[0]))
                    elif groups[0] in ("GET", "POST"):
                        found.add((groups[0], groups[1]))
                    else:
                        found.add((groups[1], groups[0]))
    return {(method, name) for method, name in found if name not in NOT_PARAMETERS}


def test_every_parameter_read_in_the_code_has_a_route():
    listed = {("GET", name) for route in ROUTES.values() for name in route.query} | {
        ("POST", name) for route in ROUTES.values() for name in route.form or ()
    }
    assert names_read_in_code() - listed == set()


class RecordingQueryDict(QueryDict):
    """A request's GET or POST that notes every name a view, form or template asks for."""

    reads = None  # copies a view makes for itself note nothing

    def _note(self, key):
        if self.reads is not None:
            self.reads.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)


def recording(data: QueryDict, reads: set) -> RecordingQueryDict:
    copy = RecordingQueryDict(mutable=True)
    copy.reads = reads
    for key, values in data.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


READS = []  # (url name, "GET" or "POST", parameter name), filled by ReadRecorder


class ReadRecorder:
    """Test middleware, last in the chain: the view sees a recording GET and POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        name = request.resolver_match.url_name
        for method in ("GET", "POST"):
            reads = _Reads(name, method)
            setattr(request, method, recording(getattr(request, method), reads))


class _Reads(set):
    def __init__(self, name, method):
        super().__init__()
        self.name, self.method = name, method

    def add(self, key):
        READS.append((self.name, self.method, key))


@pytest.fixture
def site(plan, city_officer, other_officer, provincial):
    """Drafts for two cities and approved, computed figures behind the dashboards."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    indicator = Indicator.objects.get(code="patent_agents")
    for code, user in [("440100", city_officer), ("440300", other_officer)]:
        save_quarter(
            prefecture=Prefecture.objects.get(code=code),
            period=period,
            user=user,
            entries={indicator: Entry(Decimal(3))},
            seen_version=0,
        )
    for city in Prefecture.objects.exclude(code__in=["440100", "440300"]):
        approve(indicator, city, period, 20)
    recompute_progress()


@pytest.fixture
def recorded(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_every_url.ReadRecorder"]
    READS.clear()
    yield READS
    READS.clear()


def _log_in(client, request, persona):
    """Sign the persona in, again if a request (say, logout) signed it out."""
    if persona != "anonymous" and "_auth_user_id" not in client.session:
        client.force_login(request.getfixturevalue(persona))


def _path(name, kwargs, key=None, value=None):
    path = reverse(name, kwargs=kwargs)
    if key is None:
        return path
    valid = f"/{kwargs[key]}/"
    assert valid in path, (path, valid)
    return path.replace(valid, f"/{quote(value, safe='')}/", 1)


def _form(route, value) -> dict:
    """Every form field of the route set to `value`, families spread over every indicator."""
    codes = Indicator.objects.values_list("code", flat=True)
    data = {}
    for field in route.form or ():
        names = [field.format(indicator=code, quarter="2022Q4") for code in codes]
        data |= dict.fromkeys(names, value)
    return data


ROUTE_PERSONA = [(name, persona) for name in ROUTES for persona in PERSONAS]


@pytest.mark.parametrize("name, persona", ROUTE_PERSONA)
def test_each_url_answers_each_persona_as_its_route_says_and_no_hostile_value_gets_a_500(
    client, site, recorded, request, name, persona
):
    route = ROUTES[name]
    _log_in(client, request, persona)
    response = client.get(_path(name, route.kwargs))
    if route.status[persona] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == route.status[persona]
    client.raise_request_exception = False
    tries = [
        ("GET", _path(name, route.kwargs, key, value), {})
        for key in route.kwargs
        for value in HOSTILE.values()
    ]
    tries += [
        ("GET", _path(name, route.kwargs), {parameter: value})
        for parameter in route.query
        for value in HOSTILE.values()
    ]
    if route.takes_post:
        tries += [
            ("POST", _path(name, route.kwargs), _form(route, value)) for value in HOSTILE.values()
        ]
    for method, path, data in tries:
        _log_in(client, request, persona)
        response = client.get(path, data) if method == "GET" else client.post(path, data)
        assert response.status_code < 500, (
            method,
            path[:100],
            {k: v[:20] for k, v in data.items()},
        )
    read = {(method, key) for url, method, key in recorded if url == name}
    listed = {("GET", key) for key in route.query} | {("POST", field) for field in route.form or ()}
    assert {(method, _family(key)) for method, key in read} <= listed


FAMILY = re.compile(r"^(?:(?P<quarter>\d{4}Q[1-4])|(?P<indicator>[a-z0-9_]+))-(?P<field>\w+)$")


def _family(key: str) -> str:
    """A per-indicator or per-quarter field name as ROUTES lists it."""
    if (match := FAMILY.match(key)) is None:
        return key
    if match["quarter"]:
        return "{quarter}-" + match["field"]
    if Indicator.objects.filter(code=match["indicator"]).exists():
        return "{indicator}-" + match["field"]
    return key


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("city_officer", 302), ("provincial", 302), ("superuser", 200)],
)
def test_only_administrators_reach_the_admin(client, site, request, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/").status_code == status


# The admin's own query parameters: search, ordering, page, show all.
ADMIN_QUERY = ("q", "o", "p", "all")


def admin_models():
    from django.contrib import admin

    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


@pytest.mark.parametrize("app, model", admin_models())
def test_no_hostile_value_in_the_admin_gets_a_server_error(client, site, superuser, app, model):
    client.raise_request_exception = False
    client.force_login(superuser)
    changelist = reverse(f"admin:{app}_{model}_changelist")
    tries = [
        (changelist, {parameter: value}) for parameter in ADMIN_QUERY for value in HOSTILE.values()
    ]
    for view in ("change", "delete", "history"):
        for value in HOSTILE.values():
            path = reverse(f"admin:{app}_{model}_{view}", args=["1"])
            tries.append((path.replace("/1/", f"/{quote(value, safe='')}/", 1), {}))
    tries.append((reverse(f"admin:{app}_{model}_add"), {}))
    for path, query in tries:
        response = client.get(path, query)
        assert response.status_code < 500, (path[:100], {k: v[:20] for k, v in query.items()})
