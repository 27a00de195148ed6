"""What a first visit to an indicator page costs over the wire, served as production serves it
(gunicorn, whitenoise's compressed static files, compressed pages), and that the partial
plotly.js bundle still draws every chart the site shows."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import User
from tests.workers import database_url_of_this_test, free_port

pytestmark = pytest.mark.django_db(transaction=True)
BUDGET = 600 * 1024
PAGES = [
    "/dashboard/indicators/patent_agents/?quarter=2025Q3",  # line, bars, heat map
    "/dashboard/indicators/assistance_centre_coverage/?quarter=2022Q3&plan=2018",  # tile map
    "/dashboard/map/?quarter=2025Q3",
]


@pytest.fixture
def production_server(demo, tmp_path):
    """gunicorn on a spare port, on this test's database, with DEBUG off: static files as
    `make test` collected them."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ipplan.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--log-level", "warning"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url_of_this_test(), "DEBUG": "false",
             "ALLOWED_HOSTS": "127.0.0.1", "SECRET_KEY": settings.SECRET_KEY},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def session_cookie(url) -> dict:
    """A logged-in session of the demo's leadership user, made in the database the server
    reads (its password hash is the tests' fast one, which the server does not accept)."""
    user = User.objects.get(username="lingdao")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def test_a_first_visit_to_an_indicator_page_transfers_at_most_600_kb(production_server, browser):
    cookie = session_cookie(production_server)
    for path in PAGES:
        sizes = first_visit(browser, production_server + path, cookie)
        if "indicators/patent_agents" in path:
            plotly = next(size for url, size in sizes.items() if "plotly" in url)
            assert plotly < 550 * 1024  # compressed: the file itself is 1.5 MB
            transferred = sorted(sizes.items(), key=lambda item: -item[1])
            assert sum(sizes.values()) <= BUDGET, transferred


def first_visit(browser, url, cookie) -> dict:
    """{url: bytes transferred} of a visit with an empty cache (a context of its own), once
    plotly.js has drawn every chart of the page without an error."""
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    finished, errors = [], []
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("pageerror", lambda error: errors.append(error))
    response = page.goto(url)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    charts = page.locator("[data-chart]")
    assert charts.count() >= 1
    for index in range(charts.count()):
        assert charts.nth(index).locator(".main-svg").count() >= 1, (url, index)
    assert not errors, errors
    sizes = {request.url: _transferred(request) for request in finished}
    context.close()
    return sizes


def _transferred(request) -> int:
    """Bytes over the wire for one response: its headers and its body as encoded."""
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]
