import os
import subprocess
import sys

import pytest
from django.conf import settings


def start_up(show="None", **env):
    """Start Django in a fresh interpreter with these environment variables; print `show`."""
    environment = {**os.environ, "DEBUG": "true", **env}
    code = f"import django; django.setup(); from django.conf import settings; print({show})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DEBUG", "maybe"),
        ("HTTPS", "sometimes"),
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://root@localhost/ipplan"),
        ("SESSION_COOKIE_AGE", "eight hours"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = start_up(**{variable: value})
    assert result.returncode != 0
    assert f"{variable}=" in result.stderr


def test_without_debug_a_secret_key_is_required():
    result = start_up(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_good_values_start_up():
    assert start_up(DEBUG="false", SECRET_KEY="x" * 50).returncode == 0


def test_the_site_speaks_chinese_first_in_china_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_without_a_broker_tasks_run_in_process():
    show = "settings.CELERY_TASK_ALWAYS_EAGER"
    assert start_up(show, CELERY_BROKER_URL="").stdout.strip() == "True"
    with_redis = start_up(show, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert with_redis.stdout.strip() == "False"


def test_the_database_defaults_to_sqlite_in_the_project_folder():
    result = start_up("settings.DATABASES['default']['NAME']", DATABASE_URL="")
    assert result.stdout.strip() == str(settings.BASE_DIR / "db.sqlite3")
