"""Requests no form would send: a 400 or 404 in the user's language, never a 500.

Each example of issue 14 is a test here; tests/test_every_url.py tries the same kinds of
value on every URL and parameter.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy

from targets.models import Figure


@pytest.fixture
def staff(client, provincial, plan):
    client.raise_request_exception = False
    client.force_login(provincial)
    return client


@pytest.mark.parametrize("year", ["abc", "2022.5", "1e3", "-1", "99999999999999999999", "２０２２"])
def test_a_year_that_is_not_a_whole_number_is_a_bad_request(staff, year):
    response = staff.get(reverse("completeness"), {"year": year})
    assert response.status_code == 400
    assert "“year”必须是" in response.content.decode()


def test_a_real_year_still_filters_the_completeness_matrix(staff):
    response = staff.get(reverse("completeness"), {"year": "2022"})
    assert response.status_code == 200
    assert {period.year for period in response.context["matrix"].periods} == {2022}


@pytest.mark.parametrize(
    "query", [{"per_page": "-1"}, {"per_page": "0"}, {"_export": "yaml"}, {"_export": "ods"}]
)
def test_a_table_setting_the_page_does_not_offer_is_a_bad_request(staff, query):
    response = staff.get(reverse("indicator_dashboard", args=["patent_agents"]), query)
    assert response.status_code == 400


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_offered_downloads_still_work(staff, export):
    response = staff.get(
        reverse("indicator_dashboard", args=["patent_agents"]), {"_export": export}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{export}"')


def test_a_nul_in_the_path_is_a_bad_request_in_the_users_language(staff):
    response = staff.get("/dashboard/prefectures/%00/")
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()
    staff.cookies["django_language"] = "en"
    assert "a character that is not allowed" in staff.get("/dashboard/prefectures/%00/").text


@pytest.mark.parametrize(
    "query", [{"indicator": "\x00"}, {"period": "2022Q4", "indicator": "\x00"}, {"period": "\x00"}]
)
def test_the_api_answers_a_nul_with_its_json_400(staff, query):
    response = staff.get(reverse("progress_api"), query)
    assert response.status_code == 400
    assert "不允许的字符" in response.json()["error"]


def test_a_nul_in_a_form_field_or_its_name_is_a_bad_request(staff):
    for data in [{"comment": "ok\x00"}, {"comm\x00ent": "ok"}]:
        response = staff.post(reverse("review", args=["440100", "2022Q4"]), data)
        assert response.status_code == 400


def test_a_nul_in_a_cookie_is_a_bad_request(client, plan):
    client.raise_request_exception = False
    # Sent as a raw header: Debian's Python refuses to build such a cookie itself.
    response = client.get(reverse("login"), HTTP_COOKIE="sessionid=abcdefgh\x00ijkl")
    assert response.status_code == 400


def test_a_multipart_body_without_a_boundary_is_a_bad_request(staff):
    response = staff.post(reverse("csv_import"), data=b"file=x", content_type="multipart/form-data")
    assert response.status_code == 400


def test_an_unauthenticated_login_with_a_256_character_username_is_refused_kindly(client, plan):
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"username": "x" * 256, "password": "guess"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


CSV_WITH_NUL = (
    "prefecture,indicator,period,value,denominator,note\n"
    "440100,patent_agents,2022Q4,5,,bad\x00note\n"
)


def test_a_nul_inside_an_uploaded_file_is_a_bad_row_not_a_server_error(staff):
    upload = SimpleUploadedFile("figures.csv", CSV_WITH_NUL.encode())
    preview = staff.post(reverse("csv_import"), {"file": upload})
    assert preview.status_code == 200
    assert "备注中含有不是文字的控制字符（如 NUL）" in preview.content.decode()
    assert staff.post(reverse("csv_import_confirm")).status_code == 302
    assert not Figure.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/?quarter=2030Q1",
        "/dashboard/indicators/patent_agents/?quarter=2030Q1",
        reverse_lazy("quarter_form", args=["440100", "2030Q1"]),
    ],
)
def test_a_quarter_not_on_record_is_named_with_the_quarters_there_are(staff, url):
    response = staff.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有 2030年第1季度 这个报送期。" in page
    assert "现有报送期为 2018年第1季度 至 2026年第4季度。" in page
    staff.cookies["django_language"] = "en"
    assert "Quarters on record run from 2018 Q1 to 2026 Q4." in staff.get(url).text


@pytest.mark.parametrize("quarter", ["abc", "2022Q5", "2022q", "\u20022022Q4x"])
def test_a_quarter_that_is_no_quarter_is_a_bad_request_saying_how_to_write_one(staff, quarter):
    response = staff.get("/dashboard/", {"quarter": quarter})
    assert response.status_code == 400
    assert "2021Q3" in response.content.decode()
