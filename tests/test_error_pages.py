"""Errors are seen: each is logged with a request id that the page shows the user."""

import os
import re
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from tests.workers import database_url_of_this_test

FORCED_500 = """
import django
django.setup()
from unittest import mock
from django.test import Client

def broken():
    raise RuntimeError("forced for the test")

with mock.patch("ipplan.views._database_ok", broken):
    response = Client(raise_request_exception=False).get("/health/")
print(response.status_code, response["X-Request-ID"])
print(response.content.decode())
"""


def test_a_server_error_is_logged_once_with_its_traceback_and_the_id_the_page_shows(db):
    """In a process of its own, with the site's LOGGING, as under gunicorn and journald."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ipplan.settings",
        "DATABASE_URL": database_url_of_this_test(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
    }
    run = subprocess.run(
        [sys.executable, "-c", FORCED_500],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    status_line, page = run.stdout.split("\n", 1)
    status, request_id = status_line.split()
    assert status == "500"
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id in page and "出错了" in page
    records = re.findall(r"^\d{4}-\d\d-\d\d \S+ (\w+) \[([^\]]+)\] (\S+): (.*)$", run.stderr, re.M)
    errors = [record for record in records if record[0] == "ERROR"]
    assert errors == [("ERROR", request_id, "django.request", "Internal Server Error: /health/")]
    traceback = run.stderr.split("Internal Server Error: /health/", 1)[1]
    assert "Traceback (most recent call last)" in traceback
    assert "RuntimeError: forced for the test" in traceback


def test_each_response_carries_its_request_id(client, db):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_not_found_is_a_page_of_the_site_in_the_users_language(client, leadership):
    client.force_login(leadership)
    response = client.get("/dashboard/indicators/no-such-indicator/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "找不到" in page and response["X-Request-ID"] in page
    assert 'class="site-header"' in page and "css/site" in page
    client.cookies["django_language"] = "en"
    assert "There is no page at this address." in client.get("/no/such/page/").text


def test_not_allowed_is_a_page_of_the_site_in_the_users_language(client, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("review_queue"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权" in page and response["X-Request-ID"] in page


def test_a_bad_request_says_what_is_wrong_with_its_id(client, provincial):
    client.force_login(provincial)
    response = client.get(reverse("completeness"), {"year": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“year”" in page and response["X-Request-ID"] in page


def test_an_expired_form_is_explained_in_the_users_language(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def test_the_site_has_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert f'<link rel="icon" href="{response["Location"]}">' in client.get(reverse("login")).text


def test_opening_a_form_buttons_address_says_what_it_is_in_both_languages(client, leadership):
    """Every POST-only address (logout, the plan switcher, freezing a final evaluation...)
    answers a GET with the site's page, not Django's empty 405."""
    client.force_login(leadership)
    for url in [reverse("choose_plan"), reverse("logout"), reverse("conclude_plan", args=["x"])]:
        response = client.get(url)
        assert response.status_code == 405 and "POST" in response["Allow"]
        assert "此地址只接收表单按钮提交的内容" in response.content.decode()
        english = client.get(url, headers={"accept-language": "en"}).content.decode()
        assert "This address only takes what a form&#x27;s button sends." in english
