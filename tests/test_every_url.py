"""Every URL pattern of the project, for every kind of user.

A new view must get a row in RULES: the first test fails for any pattern without one.
The officer persona reports for 广州市 (440100); the "other city" persona for 深圳市, so on
广州's URLs it stands for an officer reaching into another city.
"""

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.reporting import Entry, save_quarter

PERSONAS = ["anonymous", "city_officer", "other_officer", "leadership", "provincial", "superuser"]
CITY = {"reporter": "440100", "quarter": "2022Q4"}
LOGIN = "login"  # anonymous users are redirected to the login page


def statuses(anonymous, own, other, leadership, provincial, superuser):
    return dict(
        zip(PERSONAS, [anonymous, own, other, leadership, provincial, superuser], strict=True)
    )


EVERYONE = statuses(LOGIN, 200, 200, 200, 200, 200)
# A quarter's working copy: its own officers and provincial staff (README, read rules).
WORKING_COPY = statuses(LOGIN, 200, 403, 403, 200, 200)
OWN_CITY_ENTRY = statuses(LOGIN, 200, 403, 403, 403, 403)
REVIEWERS = statuses(LOGIN, 403, 403, 403, 200, 200)
POST_ONLY = statuses(LOGIN, 405, 405, 405, 405, 405)
PUBLIC = statuses(200, 200, 200, 200, 200, 200)

# url name: (kwargs, GET status by persona)
RULES = {
    # Everyone lands on a dashboard: see tests/reports/test_dashboards.py for which.
    "home": ({}, statuses(LOGIN, 302, 302, 302, 302, 302)),
    "plan": ({}, EVERYONE),
    "overview": ({}, EVERYONE),
    "map": ({}, EVERYONE),
    "indicator_dashboard": ({"code": "patent_agents"}, EVERYONE),
    "prefecture_dashboard": ({"code": "440100"}, EVERYONE),
    "province_summary": ({}, EVERYONE),
    "indicator_summary": ({"code": "patent_agents"}, EVERYONE),
    "prefecture_summary": ({"code": "440100"}, EVERYONE),
    "login": ({}, PUBLIC),
    "logout": ({}, POST_ONLY),
    "password_change": ({}, EVERYONE),
    "password_change_done": ({}, EVERYONE),
    "preferences": ({}, EVERYONE),
    "set_language": ({}, statuses(302, 302, 302, 302, 302, 302)),
    "health": ({}, PUBLIC),
    "favicon": ({}, statuses(301, 301, 301, 301, 301, 301)),
    "quarters": ({"reporter": "440100"}, WORKING_COPY),
    "quarter_form": (CITY, WORKING_COPY),
    "submission_history": (CITY, WORKING_COPY),
    "figure_history": (CITY | {"indicator": "patent_agents"}, WORKING_COPY),
    "quarter_workbook": (CITY, WORKING_COPY),
    "quarter_upload": (CITY, OWN_CITY_ENTRY),
    "quarter_upload_confirm": (CITY, POST_ONLY),
    "review_queue": ({}, REVIEWERS),
    "review": (CITY, REVIEWERS),
    "reopen": (CITY, POST_ONLY),
    "periods": ({}, REVIEWERS),
    "period_update": ({"quarter": "2022Q4"}, POST_ONLY),
    "audit": ({}, REVIEWERS),
    "csv_import": ({}, REVIEWERS),
    "csv_import_confirm": ({}, POST_ONLY),
    "completeness": ({}, REVIEWERS),
    "methodology": ({}, EVERYONE),
    # Without ?period= the API explains what is missing; the gate is what is tested here.
    "progress_api": ({}, statuses(LOGIN, 400, 400, 400, 400, 400)),
}


def named_patterns(resolver=None, namespace=""):
    """Every named URL pattern outside the admin (which guards itself and is tested below)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from named_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name


def test_every_url_pattern_has_a_rule():
    assert sorted(set(named_patterns())) == sorted(RULES)


@pytest.fixture
def drafts(plan, city_officer, other_officer, provincial):
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


@pytest.mark.parametrize(
    "name, persona", [(name, persona) for name in RULES for persona in PERSONAS]
)
def test_each_url_answers_each_persona_as_its_rule_says(client, drafts, request, name, persona):
    kwargs, expected = RULES[name]
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name, kwargs=kwargs))
    if expected[persona] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[persona]


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("city_officer", 302), ("provincial", 302), ("superuser", 200)],
)
def test_only_administrators_reach_the_admin(client, drafts, request, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/").status_code == status
