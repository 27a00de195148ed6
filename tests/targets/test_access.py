"""Every reporting URL, for every kind of user: who may see, who may write, who is turned away.

The officer persona reports for 广州市 (440100); 深圳市 (440300) is "another city".
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Figure, Indicator, Prefecture, ReportingPeriod, Submission
from targets.reporting import Entry, save_quarter

OWN, OTHER, PROVINCE = "440100", "440300", "province"
Q = "2022Q4"
OK, REDIRECT, FORBIDDEN, NOT_ALLOWED = 200, 302, 403, 405


@pytest.fixture
def reporting(plan, city_officer, other_officer, provincial):
    """A draft for each city and for the province, each with one figure."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    for prefecture, user, code in [
        (Prefecture.objects.get(code=OWN), city_officer, "patent_agents"),
        (Prefecture.objects.get(code=OTHER), other_officer, "patent_agents"),
        (None, provincial, "pct_national_rank"),
    ]:
        indicator = Indicator.objects.get(code=code)
        save_quarter(
            prefecture=prefecture,
            period=period,
            user=user,
            entries={indicator: Entry(Decimal(3))},
            seen_version=0,
        )


def persona(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


# A quarter's working copy (form, history, sheet) is for its own officers and provincial staff;
# leadership reads published figures on the dashboards, exports, API and PDFs instead.
VIEWERS = {
    "anonymous": REDIRECT,
    "city_officer": FORBIDDEN,
    "leadership": FORBIDDEN,
    "provincial": OK,
}
REVIEWERS = {"anonymous": REDIRECT, "city_officer": FORBIDDEN, "leadership": FORBIDDEN}
REVIEWERS_OK = {**REVIEWERS, "provincial": OK}
OWN_VIEWERS = {**VIEWERS, "city_officer": OK}
OWN_WRITER = {**REVIEWERS, "city_officer": REDIRECT, "provincial": FORBIDDEN}
NO_WRITER = {**REVIEWERS, "provincial": FORBIDDEN}
PROVINCIAL_WRITER = {**REVIEWERS, "provincial": REDIRECT}
OWN_ENTERER = {**REVIEWERS, "city_officer": OK, "provincial": FORBIDDEN}
OWN_ENTERER_POST = {**REVIEWERS, "city_officer": REDIRECT, "provincial": FORBIDDEN}
FIGURE = {"quarter": Q, "indicator": "patent_agents"}
PLAN = {"code": "2018"}
PUBLISHED = {"anonymous": REDIRECT, "city_officer": OK, "leadership": OK, "provincial": OK}
# A POST-only URL answers a GET with 405 to anyone logged in, whatever their role.
POST_ONLY = {
    "anonymous": REDIRECT,
    "city_officer": NOT_ALLOWED,
    "leadership": NOT_ALLOWED,
    "provincial": NOT_ALLOWED,
}

SIGNED_IN_BAD_REQUEST = {
    "anonymous": REDIRECT,
    "city_officer": 400,
    "leadership": 400,
    "provincial": 400,
}

# (method, url name, reporter, extra kwargs, {persona: expected status})
MATRIX = [
    ("get", "quarters", OWN, {}, OWN_VIEWERS),
    ("get", "quarters", OTHER, {}, VIEWERS),
    ("get", "quarters", PROVINCE, {}, VIEWERS),
    ("get", "quarter_form", OWN, {"quarter": Q}, OWN_VIEWERS),
    ("get", "quarter_form", OTHER, {"quarter": Q}, VIEWERS),
    ("get", "quarter_form", PROVINCE, {"quarter": Q}, VIEWERS),
    ("post", "quarter_form", OWN, {"quarter": Q}, OWN_WRITER),
    ("post", "quarter_form", OTHER, {"quarter": Q}, NO_WRITER),
    ("post", "quarter_form", PROVINCE, {"quarter": Q}, PROVINCIAL_WRITER),
    ("get", "submission_history", OWN, {"quarter": Q}, OWN_VIEWERS),
    ("get", "submission_history", OTHER, {"quarter": Q}, VIEWERS),
    ("get", "figure_history", OWN, FIGURE, OWN_VIEWERS),
    ("get", "figure_history", OTHER, FIGURE, VIEWERS),
    ("get", "quarter_workbook", OWN, {"quarter": Q}, OWN_VIEWERS),
    ("get", "quarter_workbook", OTHER, {"quarter": Q}, VIEWERS),
    ("get", "quarter_upload", OWN, {"quarter": Q}, OWN_ENTERER),
    ("get", "quarter_upload", OTHER, {"quarter": Q}, NO_WRITER),
    ("post", "quarter_upload", OWN, {"quarter": Q}, OWN_ENTERER),
    ("post", "quarter_upload", OTHER, {"quarter": Q}, NO_WRITER),
    ("post", "quarter_upload_confirm", OWN, {"quarter": Q}, OWN_ENTERER_POST),
    ("post", "quarter_upload_confirm", OTHER, {"quarter": Q}, NO_WRITER),
    ("get", "quarter_upload_confirm", OWN, {"quarter": Q}, POST_ONLY),
    ("get", "csv_import", None, {}, REVIEWERS_OK),
    ("post", "csv_import", None, {}, REVIEWERS_OK),
    ("post", "csv_import_confirm", None, {}, PROVINCIAL_WRITER),
    ("get", "csv_import_confirm", None, {}, POST_ONLY),
    ("get", "plan_upload", None, {}, REVIEWERS_OK),
    ("post", "plan_upload", None, {}, REVIEWERS_OK),
    ("post", "plan_upload_confirm", None, {}, PROVINCIAL_WRITER),
    ("get", "plan_upload_confirm", None, {}, POST_ONLY),
    ("get", "completeness", None, {}, REVIEWERS_OK),
    ("get", "audit", None, {}, REVIEWERS_OK),
    ("get", "review_queue", None, {}, REVIEWERS_OK),
    ("get", "review", OWN, {"quarter": Q}, REVIEWERS_OK),
    ("post", "review", OWN, {"quarter": Q}, REVIEWERS_OK),
    ("post", "reopen", OWN, {"quarter": Q}, PROVINCIAL_WRITER),
    ("get", "reopen", OWN, {"quarter": Q}, POST_ONLY),
    ("post", "withdraw", OWN, {"quarter": Q}, OWN_WRITER),
    ("post", "withdraw", OTHER, {"quarter": Q}, NO_WRITER),
    ("post", "withdraw", PROVINCE, {"quarter": Q}, PROVINCIAL_WRITER),
    ("get", "withdraw", OWN, {"quarter": Q}, POST_ONLY),
    ("get", "periods", None, {}, REVIEWERS_OK),
    ("post", "periods_add", None, {}, REVIEWERS_OK),
    ("get", "periods_add", None, {}, POST_ONLY),
    ("post", "period_rule", None, {}, REVIEWERS_OK),
    ("get", "period_rule", None, {}, POST_ONLY),
    ("post", "period_update", None, {"quarter": Q}, PROVINCIAL_WRITER),
    ("get", "period_update", None, {"quarter": Q}, POST_ONLY),
    # Anyone signed in may switch plans; this POST names none.
    ("post", "choose_plan", None, {}, SIGNED_IN_BAD_REQUEST),
    ("get", "choose_plan", None, {}, POST_ONLY),
    # A concluded plan's final evaluation (reports.urls): published, frozen by the province.
    ("get", "final_evaluation", None, PLAN, PUBLISHED),
    ("post", "conclude_plan", None, PLAN, PROVINCIAL_WRITER),
    ("get", "conclude_plan", None, PLAN, POST_ONLY),
]  # fmt: skip
# The URLs of reports.urls that act on a plan as a whole, in the matrix with those above.
PLAN_URLS = {"final_evaluation", "conclude_plan"}

CASES = [
    pytest.param(method, name, reporter, kwargs, who, status, id=f"{method} {name} {reporter} {who}")  # noqa: E501
    for method, name, reporter, kwargs, expected in MATRIX
    for who, status in expected.items()
]  # fmt: skip


@pytest.mark.parametrize("method, name, reporter, kwargs, who, status", CASES)
def test_each_url_admits_exactly_who_it_should(
    client, reporting, request, method, name, reporter, kwargs, who, status
):
    if user := persona(request, who):
        client.force_login(user)
    url = reverse(name, kwargs={**kwargs, **({"reporter": reporter} if reporter else {})})
    data = {"seen_version": "1", "save": "1", "reason": "x", "comment": "x"}
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == status
    if status == REDIRECT and who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_every_reporting_url_is_in_the_matrix():
    from targets.urls import urlpatterns

    covered = {name for _, name, *_ in MATRIX} | {"home", "plan"}
    assert {pattern.name for pattern in urlpatterns} | PLAN_URLS == covered


def test_a_city_cannot_write_another_citys_figures_by_changing_the_url(
    client, reporting, city_officer
):
    client.force_login(city_officer)
    url = reverse("quarter_form", kwargs={"reporter": OTHER, "quarter": Q})
    response = client.post(url, {"seen_version": "1", "patent_agents-value": "999", "save": "1"})
    assert response.status_code == FORBIDDEN
    assert not Figure.objects.filter(value=999).exists()


def test_a_city_cannot_redirect_its_save_by_adding_form_fields(client, reporting, city_officer):
    client.force_login(city_officer)
    url = reverse("quarter_form", kwargs={"reporter": OWN, "quarter": Q})
    data = {"seen_version": "1", "patent_agents-value": "777", "save": "1"}
    client.post(url, {**data, "prefecture": OTHER, "submission": "2", "period": "1"})
    figure = Figure.objects.get(value=777)
    assert figure.submission.prefecture.code == OWN
    other = Submission.objects.get(prefecture__code=OTHER, period__year=2022, period__quarter=4)
    assert other.figures.get().value == 3


def test_unknown_cities_and_quarters_are_not_found(client, reporting, provincial):
    client.force_login(provincial)
    assert client.get("/report/449900/2022Q4/").status_code == 404
    assert client.get("/report/440100/2031Q1/").status_code == 404
    assert client.get("/report/440100/2022Q5/").status_code == 404
