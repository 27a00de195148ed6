"""Chinese pages punctuate as Chinese: a colon after Chinese words is full-width (“审核：”),
never the ASCII colon English puts there. Every page of the project, as the people who may
see it get it, on a site with drafts and published figures (test_every_url's)."""

import re

import pytest
from django.urls import reverse

from tests.test_every_url import ROUTES, site  # noqa: F401 (the fixture)

ASCII_COLON_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff\u3002\uff09]\s*:(?!//)")
TAG = re.compile(r"<[^>]*>")


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_chinese_page_puts_an_ascii_colon_after_chinese_words(client, site, request, name):  # noqa: F811
    route = ROUTES[name]
    persona = next(
        (p for p in ["superuser", "provincial", "city_officer"] if route.status[p] == 200), None
    )
    if persona is None:
        pytest.skip("no persona reads this page")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name, kwargs=route.kwargs))
    if not response["Content-Type"].startswith("text/html"):
        pytest.skip("not a page")
    text = TAG.sub(" ", response.content.decode())
    assert ASCII_COLON_AFTER_CHINESE.findall(text) == [], [
        text[max(0, m.start() - 30) : m.end() + 10]
        for m in ASCII_COLON_AFTER_CHINESE.finditer(text)
    ]
