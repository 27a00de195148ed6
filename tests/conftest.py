import io
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role
from ipplan.celery import app as celery_app
from targets.models import Prefecture
from targets.recompute import recompute_progress
from targets.seeding import seed_plan, seed_prefectures
from tests.factories import UserFactory
from tests.filing import save
from tests.workers import start_redis


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production hashing takes half a second a password by design; tests log in often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request in English leaves English
    active in the thread, and pytest-django runs tests that need no database last."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Tasks run in-process unless a test starts a worker itself, whatever the environment."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


# The day the test site is seeded on: the plan's quarters (2018Q1..2022Q4, open), the quarters
# since closed (2023Q1..2026Q3) and the current one open (2026Q4, due 2027-01-15), as on the
# site in use when periods began to follow the calendar. A fixed day, so that what the tests
# see does not change as the calendar turns.
SEEDED_ON = date(2026, 11, 30)


@pytest.fixture
def seeded_on():
    """The day `plan` seeds on; a module about what came before may override it."""
    return SEEDED_ON


@pytest.fixture
def plan(db, seeded_on):
    """The 2018 plan, its indicators and periods, and the 21 cities, as `seed_plan` loads them
    on `seeded_on`."""
    seed_prefectures()
    seed_plan(today=seeded_on)


@pytest.fixture
def demo(plan, settings):
    """The demo users and figures, as `make run` loads them, with progress computed."""
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    recompute_progress()  # load_demo's own waits for a commit, which a test may never make


@pytest.fixture
def provincial(db):
    return UserFactory(username="provincial", role=Role.PROVINCIAL)


@pytest.fixture
def leadership(db):
    return UserFactory(username="leader", role=Role.LEADERSHIP)


@pytest.fixture
def city_officer(plan):
    return UserFactory(
        username="guangzhou", role=Role.CITY, prefecture=Prefecture.objects.get(code="440100")
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def other_officer(plan):
    return UserFactory(
        username="shenzhen", role=Role.CITY, prefecture=Prefecture.objects.get(code="440300")
    )


@pytest.fixture
def guangzhou_q4(city_officer):
    """Guangzhou's 2022Q4 draft at version 1: 742 patent attorneys, 120 patent agencies."""
    return save(city_officer, 4, {"patent_agents": 742, "patent_agencies": 120}, every_row=False)


@pytest.fixture
def in_english():
    """Messages in English, so that assertions read the same whatever the default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def broker():
    """Send tasks to a broker, as production does, instead of running them in-process."""

    def use(url):
        _forget_connections()
        celery_app.conf.update(broker_url=url, task_always_eager=False)

    in_process = celery_app.conf.broker_url
    yield use
    _forget_connections()
    celery_app.conf.update(broker_url=in_process, task_always_eager=True)


@pytest.fixture
def own_redis():
    """A Redis of the test's own, on a spare port: its URL."""
    started = start_redis()
    if started is None:
        pytest.skip("redis-server is not installed (CI has it)")
    server, url = started
    yield url
    server.terminate()
    server.wait(timeout=10)


def _forget_connections():
    # Celery keeps its connection pools across a change of broker_url unless told otherwise.
    # (Not app.close(): that also unregisters the app, and shared tasks imported afterwards
    # would then never reach it.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
