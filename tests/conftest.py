import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import Role
from ipplan.celery import app as celery_app
from targets.models import Prefecture
from targets.seeding import seed_plan, seed_prefectures
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production hashing takes half a second a password by design; tests log in often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Tasks run in-process unless a test starts a worker itself, whatever the environment."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def plan(db):
    """The 2018 plan, its indicators and periods, and the 21 cities, as `seed_plan` loads them."""
    seed_prefectures()
    seed_plan()


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

    yield use
    _forget_connections()
    celery_app.conf.update(broker_url=settings.CELERY_BROKER_URL, task_always_eager=True)


def _forget_connections():
    # Celery keeps its producer pool across a change of broker_url unless told otherwise.
    celery_app.close()
    celery_app.amqp._producer_pool = None
