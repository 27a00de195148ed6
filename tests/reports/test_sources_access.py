"""Every role on the sources page, its API and the "what changed since" page, and hostile
parameters on each: published figures are for every signed-in role; nothing answers 500."""

import pytest
from django.urls import reverse

from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.recompute import recompute_progress
from targets.reporting import Entry, save_quarter
from tests.factories import approve

PERSONAS = ["anonymous", "city_officer", "other_officer", "leadership", "provincial", "superuser"]
PAGE = reverse("sources", args=["patent_agents", "province", "2022Q4"])
API = reverse("sources_api")
CHANGES = reverse("changes")


@pytest.fixture
def figures(plan, city_officer, other_officer):
    """深圳's figure approved; 广州's working copy a draft that no page may show."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    agents = Indicator.objects.get(code="patent_agents")
    approve(agents, other_officer.prefecture, period, 900)
    save_quarter(
        prefecture=city_officer.prefecture,
        period=period,
        user=city_officer,
        entries={agents: Entry(7420)},
        seen_version=0,
    )
    recompute_progress()


def get(client, request, persona, url, query=None):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client.get(url, query or {})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url, query",
    [
        (PAGE, {}),
        (PAGE, {"as_of": "2022-12-31T23:59"}),
        (PAGE, {"_export": "csv"}),
        (PAGE, {"_export": "xlsx"}),
        (API, {"indicator": "patent_agents", "period": "2022Q4"}),
        (CHANGES, {"since": "2022-12-31T00:00", "quarter": "2022Q4"}),
    ],
)
def test_every_signed_in_role_reads_published_sources_and_never_a_draft(
    client, figures, request, persona, url, query
):
    response = get(client, request, persona, url, query)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == 200
    body = response.content
    assert b"7420" not in body
    if url != CHANGES and "as_of" not in query and query.get("_export") != "xlsx":
        assert b"900" in body


def test_post_is_not_allowed(client, figures, provincial):
    client.force_login(provincial)
    for url in [PAGE, API, CHANGES]:
        assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        reverse("sources", args=["nope", "province", "2022Q4"]),
        reverse("sources", args=["patent_agents", "999999", "2022Q4"]),
        reverse("sources", args=["patent_agents", "province", "2099Q1"]),
        reverse("sources", args=["patent_regulation_revised", "440100", "2022Q4"]),
    ],
)
def test_an_unknown_indicator_scope_or_quarter_is_not_found(client, figures, leadership, url):
    client.force_login(leadership)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "as_of", ["yesterday", "2022-13-01T00:00", "0001-01-01T00:00+14:00", "9" * 40, "\x00"]
)
def test_a_bad_moment_is_explained(client, figures, leadership, as_of):
    client.force_login(leadership)
    response = client.get(PAGE, {"as_of": as_of}, headers={"accept-language": "en"})
    assert response.status_code == 400
    # A NUL never reaches the page: the site refuses it for every address with one sentence.
    explained = ("is not a date and time", "out of range", "a character that is not allowed")
    assert any(words in response.content.decode() for words in explained)
    api = client.get(
        API,
        {"indicator": "patent_agents", "period": "2022Q4", "as_of": as_of},
        headers={"accept-language": "en"},
    )
    assert api.status_code == 400 and api.json()["error"]


@pytest.mark.parametrize(
    "query, says",
    [
        ({}, "no indicator"),
        ({"indicator": "patent_agents"}, "is not a quarter"),
        ({"indicator": "patent_agents", "period": "2031Q1"}, "no reporting period"),
        ({"indicator": "patent_agents", "period": "2022Q4", "scope": "999999"}, "scope"),
        ({"indicator": "patent_agents", "period": "2022Q4", "scope": "<script>"}, "scope"),
        (
            {"indicator": "patent_regulation_revised", "period": "2022Q4", "scope": "440100"},
            "reported by the province only",
        ),
    ],
)
def test_the_api_answers_bad_parameters_with_a_json_400(client, figures, leadership, query, says):
    client.force_login(leadership)
    response = client.get(API, query, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert says in response.json()["error"]


def test_the_api_gives_the_result_and_its_rows(client, figures, leadership):
    client.force_login(leadership)
    data = client.get(API, {"indicator": "patent_agents", "period": "2022Q4"}).json()
    assert data["result"]["actual"] == 900
    assert data["stored_is_current"] is True
    rows = {row["scope"]: row for row in data["rows"]}
    assert rows["440300"]["value"] == 900
    assert rows["440100"]["missing"] is True and rows["440100"]["value"] is None
    assert rows["440100"]["state"] == "draft"
    assert len(rows) == Prefecture.objects.count()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"since": "soon"},
        {"since": "2022-12-31T00:00", "scope": "nope"},
        {"since": "2022-12-31T00:00", "scope": "prefecture:999999"},
        {"since": "2022-12-31T00:00", "scope": "indicator:nope"},
    ],
)
def test_the_changes_page_explains_a_bad_request(client, figures, leadership, query):
    client.force_login(leadership)
    response = client.get(CHANGES, query)
    assert response.status_code == 400


def test_the_changes_page_does_not_find_an_unknown_quarter(client, figures, leadership):
    client.force_login(leadership)
    response = client.get(CHANGES, {"since": "2022-12-31T00:00", "quarter": "2099Q1"})
    assert response.status_code == 404
