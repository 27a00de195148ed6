import pytest
from django.urls import reverse

from reports.progress import FIELDS

URL = reverse("progress_api")


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(URL, {"period": "2022Q4"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["leadership", "provincial", "city_officer"])
def test_logged_in_users_get_the_stored_results(client, progress_2022q4, persona, request):
    client.force_login(request.getfixturevalue(persona))
    records = client.get(URL, {"period": "2022Q4"}).json()
    assert len(records) == 18 * 22 + 3
    assert all(list(record) == FIELDS for record in records)


def test_it_filters_by_indicator(client, progress_2022q4, leadership):
    client.force_login(leadership)
    records = client.get(URL, {"period": "2022q4", "indicator": "patent_agencies"}).json()
    assert {record["indicator"] for record in records} == {"patent_agencies"}
    assert [record["scope"] for record in records][:2] == ["province", "440100"]
    assert records[0]["actual"] == 420


@pytest.mark.parametrize(
    "query, chinese, english",
    [
        ({}, "请指明季度，如 ?period=2021Q3", "Name the quarter, as in ?period=2021Q3"),
        ({"period": "2022Q5"}, "不是", "is not a quarter"),
        ({"period": "2031Q1"}, "没有 2031Q1 这个报送期", "no reporting period 2031Q1"),
        ({"period": "2022Q4", "indicator": "nope"}, "没有代码为“nope”的指标", "no indicator"),
    ],
)
def test_a_bad_request_is_explained_in_the_users_language(
    client, progress_2022q4, leadership, query, chinese, english
):
    client.force_login(leadership)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert chinese in response.json()["error"]
    response = client.get(URL, query, headers={"accept-language": "en"})
    assert english in response.json()["error"]


def test_it_only_answers_get(client, progress_2022q4, leadership):
    client.force_login(leadership)
    assert client.post(URL, {"period": "2022Q4"}).status_code == 405


def test_it_reads_stored_results_without_recomputing(
    client, progress_2022q4, leadership, django_assert_max_num_queries
):
    client.force_login(leadership)
    with django_assert_max_num_queries(7):  # with the plan in view
        client.get(URL, {"period": "2022Q4"})
