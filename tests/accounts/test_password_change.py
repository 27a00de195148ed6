"""Password change: linked from the user menu, in the site's own pages, in both languages."""

import pytest
from django.urls import reverse

CHANGE = reverse("password_change")
DONE = reverse("password_change_done")
OLD = "correct horse battery staple"


@pytest.fixture
def officer(client, city_officer):
    client.force_login(city_officer)
    return city_officer


def test_the_user_menu_links_to_it(client, officer):
    page = client.get(reverse("plan")).content.decode()
    assert f'<a href="{CHANGE}">修改密码</a>' in page


def test_it_is_a_page_of_the_site_with_full_width_colons(client, officer):
    page = client.get(CHANGE).content.decode()
    assert 'class="site-header"' in page and "admin/css" not in page
    for label in ["旧密码：", "新密码：", "新密码确认："]:
        assert label in page
    assert "旧密码:" not in page


def test_it_speaks_english_on_request(client, officer):
    client.cookies["django_language"] = "en"
    page = client.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change your password" in page and "Old password:" in page


def test_a_wrong_old_password_is_named_and_changes_nothing(client, officer):
    data = {"old_password": "wrong", "new_password1": "x7#kQ9!pL2", "new_password2": "x7#kQ9!pL2"}
    page = client.post(CHANGE, data).content.decode()
    assert "密码未修改。请更正：" in page
    assert '<a href="#id_old_password">旧密码：</a>' in page
    officer.refresh_from_db()
    assert officer.check_password(OLD)


def test_the_password_is_changed_and_the_done_page_is_the_sites(client, officer):
    data = {"old_password": OLD, "new_password1": "x7#kQ9!pL2", "new_password2": "x7#kQ9!pL2"}
    response = client.post(CHANGE, data, follow=True)
    assert response.redirect_chain[-1][0] == DONE
    page = response.content.decode()
    assert "密码已修改" in page and 'class="site-header"' in page
    officer.refresh_from_db()
    assert officer.check_password("x7#kQ9!pL2")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(CHANGE)["Location"].startswith(reverse("login"))
