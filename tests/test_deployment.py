import os
import socket
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-" + "q" * 20,
    "ALLOWED_HOSTS": "ipplan.example.gov.cn",
    "HTTPS": "true",
}


def test_the_deployment_checklist_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**os.environ, **PRODUCTION},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_health_reports_the_database_and_an_in_process_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "in-process"}


def test_health_fails_when_the_broker_is_down(client, db, settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_health_sees_a_running_redis(client, db, settings, own_redis):
    settings.CELERY_BROKER_URL = own_redis
    assert client.get(reverse("health")).json()["broker"] == "ok"


def test_password_guessing_locks_the_account_out(client, city_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "guangzhou", "password": "guess"})
    response = client.post(
        reverse("login"), {"username": "guangzhou", "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_few_typos_do_not_lock_anyone_out(client, city_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "guangzhou", "password": "typo"})
    client.post(
        reverse("login"), {"username": "guangzhou", "password": "correct horse battery staple"}
    )
    assert "_auth_user_id" in client.session


def test_every_page_carries_a_content_security_policy(client, leadership, plan):
    client.force_login(leadership)
    policy = client.get(reverse("plan"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
