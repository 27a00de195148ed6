"""Login lockout: guessing a colleague's password locks out the guesser, not the colleague.

Failures lock the (username, client address) pair; the client address comes from
X-Forwarded-For only through TRUSTED_PROXY_COUNT proxies; an address that fails for many
usernames meets a looser limit of its own. Runs on whichever database the suite uses.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

PASSWORD = "correct horse battery staple"
HOME, ELSEWHERE, ATTACKER = "10.0.1.10", "10.0.2.20", "10.0.6.66"
PROXY = "127.0.0.1"


def log_in(client, username, password, **meta):
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password}, **meta)
    return response.status_code, "_auth_user_id" in client.session


def guess(client, username, times, **meta):
    for _ in range(times):
        log_in(client, username, "wrong guess", **meta)


def test_failures_from_one_address_lock_that_address_only(client, city_officer, settings):
    guess(client, "guangzhou", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=ATTACKER)
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=ATTACKER) == (429, False)
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=HOME) == (302, True)


def test_the_lockout_page_says_why_in_the_users_language(client, city_officer, settings):
    guess(client, "guangzhou", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=ATTACKER)
    client.post(reverse("login"), {"username": "guangzhou", "password": "x"}, REMOTE_ADDR=ATTACKER)
    response = client.post(
        reverse("login"), {"username": "guangzhou", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert "登录失败次数过多" in response.content.decode()


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(
    client, city_officer, settings
):
    assert settings.TRUSTED_PROXY_COUNT == 0
    # The guesser claims a new address on every try: each still counts against its own.
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(
            client,
            "guangzhou",
            "wrong guess",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{number}",
        )
    assert log_in(
        client, "guangzhou", PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=HOME
    ) == (429, False)
    # Nor can a forged header put the real user's address in the lockout.
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=HOME) == (302, True)


@override_settings(AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR",))
@override_settings(AXES_IPWARE_PROXY_COUNT=0)  # TRUSTED_PROXY_COUNT=1: one reverse proxy
def test_behind_the_proxy_each_client_is_told_apart(client, city_officer, settings):
    guess(
        client, "guangzhou", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )  # fmt: skip
    behind_proxy = {"REMOTE_ADDR": PROXY}
    assert log_in(client, "guangzhou", PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR=ATTACKER) == (
        429,
        False,
    )
    assert log_in(client, "guangzhou", PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR=HOME) == (
        302,
        True,
    )
    # What the client wrote before the proxy's own entry is not believed.
    forged = f"{HOME}, {ATTACKER}"
    assert log_in(client, "guangzhou", PASSWORD, **behind_proxy, HTTP_X_FORWARDED_FOR=forged) == (
        429,
        False,
    )


def test_an_address_guessing_many_usernames_meets_its_own_limit(client, city_officer, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for number in range(12):
        log_in(client, f"someone{number}", "wrong guess", REMOTE_ADDR=ATTACKER)
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=ATTACKER) == (429, False)
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=ELSEWHERE) == (302, True)


def test_a_few_typos_below_both_limits_lock_nobody_out(client, city_officer, settings):
    guess(client, "guangzhou", settings.AXES_FAILURE_LIMIT - 1, REMOTE_ADDR=HOME)
    assert log_in(client, "guangzhou", PASSWORD, REMOTE_ADDR=HOME) == (302, True)


@pytest.mark.parametrize("length", [150, 151, 255, 256, 10_240])
def test_an_over_long_username_is_refused_like_any_wrong_login(client, plan, length):
    client.raise_request_exception = False
    status, signed_in = log_in(client, "x" * length, "wrong guess")
    assert (status, signed_in) == (200, False)
