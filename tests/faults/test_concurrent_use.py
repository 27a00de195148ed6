"""A busy deadline day on whichever database the suite runs on, with real processes: gunicorn
workers serving parallel saves, several `compute_progress` and `import_figures --approve`
runs at once. Nothing may fail, and no recompute may be lost.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role
from targets.models import Figure, Indicator, Prefecture, Progress, Submission
from tests.factories import UserFactory
from tests.workers import database_url_of_this_test, free_port

pytestmark = pytest.mark.django_db(transaction=True)

SAVES = 8


def environment() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url_of_this_test(),
        "CELERY_BROKER_URL": "",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions the tests sign in with
        "ALLOWED_HOSTS": "127.0.0.1",
    }


def run_at_once(commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Start every command before waiting for any."""
    started = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    finished = []
    for process in started:
        stdout, stderr = process.communicate(timeout=300)
        finished.append(
            subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        )
    return finished


@pytest.fixture
def server(plan, tmp_path):
    """gunicorn with the deployed configuration, four workers, on the test database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", "4", "ipplan.wsgi",
        ],
        cwd=settings.BASE_DIR,
        env=environment(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{address}/health/", timeout=2)
            break
        except OSError:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield address, log
    process.terminate()
    process.wait(timeout=30)


class Browser:
    """One person's signed-in session: its cookies, through urllib."""

    def __init__(self, address, user):
        self.address = address
        login = Client()
        login.force_login(user)
        jar = http.cookiejar.CookieJar()
        jar.set_cookie(session_cookie(login.cookies[settings.SESSION_COOKIE_NAME].value))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def open(self, path, data=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.address + path, body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, path) -> dict:
        """The hidden fields (CSRF token, version seen) of the form at `path`."""
        status, page = self.open(path)
        assert status == 200, page[:500]
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def session_cookie(value):
    return http.cookiejar.Cookie(
        0, settings.SESSION_COOKIE_NAME, value, None, False, "127.0.0.1", False, False, "/",
        True, False, None, False, None, None, {},
    )  # fmt: skip


def test_parallel_saves_of_one_citys_quarter_all_answer(server):
    """Eight people of four city offices save at once: each save is stored or told it came
    from a stale copy; none gets a server error."""
    address, log = server
    cities = list(Prefecture.objects.order_by("code")[:4])
    people = []
    for number in range(SAVES):
        city = cities[number % len(cities)]
        officer = UserFactory(username=f"officer{number}", role=Role.CITY, prefecture=city)
        browser = Browser(address, officer)
        path = f"/report/{city.code}/2022Q4/"
        people.append((browser, path, browser.form(path)))
    indicator = Indicator.objects.get(code="patent_agents")

    def save(number):
        browser, path, fields = people[number]
        fields |= {f"{indicator.code}-value": str(100 + number), "save": "1"}
        return browser.open(path, fields)

    with ThreadPoolExecutor(SAVES) as pool:
        answers = list(pool.map(save, range(SAVES)))
    assert [status for status, _ in answers] == [200] * SAVES, log.read_text()[-3000:]
    stored = Figure.objects.filter(indicator=indicator, submission__period__year=2022)
    assert stored.count() == len(cities)
    written = log.read_text()
    assert "Traceback" not in written
    # gunicorn's access log (deploy/gunicorn.conf.py) names each request by its id.
    access = r'"POST /report/\d{6}/2022Q4/ HTTP/1.1" (?:200|302) \S+ \d+ms request=[0-9a-f]{32}'
    assert len(re.findall(access, written)) == SAVES


def test_concurrent_compute_progress_runs_all_succeed(plan):
    runs = run_at_once([["compute_progress", "--full"]] * 3)
    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr[-2000:] for run in runs]
    assert Progress.objects.exists()


def test_concurrent_imports_all_succeed_and_no_recompute_is_lost(plan, provincial, tmp_path):
    """Four imports of the same quarter at once: they queue, every one succeeds, and the
    stored progress ends up reading what the last of them approved."""
    files = []
    for number in range(4):
        path = tmp_path / f"figures-{number}.csv"
        path.write_text(
            "prefecture,indicator,period,value,denominator,note\n"
            + "".join(
                f"{city.code},patent_agents,2022Q4,{10 + number},,\n"
                for city in Prefecture.objects.all()
            )
        )
        files.append(path)
    runs = run_at_once(
        [
            ["import_figures", str(path), "--user", provincial.username, "--approve"]
            for path in files
        ]
    )
    assert [run.returncode for run in runs] == [0] * 4, [run.stderr[-2000:] for run in runs]
    indicator = Indicator.objects.get(code="patent_agents")
    indicator.refresh_from_db()
    assert not indicator.progress_stale
    approved = set(
        Figure.objects.filter(indicator=indicator).values_list("approved_value", flat=True)
    )
    assert len(approved) == 1  # one import's values, everywhere
    province = Progress.objects.get(
        indicator=indicator, prefecture=None, period__year=2022, period__quarter=4
    )
    assert province.actual == approved.pop() * Prefecture.objects.count()
    assert Submission.objects.filter(period__year=2022, period__quarter=4).count() == 21
