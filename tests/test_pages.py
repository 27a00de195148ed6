import pytest
from django.db import connection
from django.urls import reverse

from targets.models import Figure
from tests.factories import FigureFactory, UserFactory


def log_in(client, user):
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("home")
    return client.get(reverse("plan"))


@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_anonymous_users_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith(
        "/admin/login/"
    )


def test_the_login_page_speaks_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert "用户名：" in response.content.decode() and "用户名:" not in response.content.decode()


def test_english_labels_keep_the_half_width_colon(client, db):
    client.cookies["django_language"] = "en"
    assert "Username:" in client.get(reverse("login")).content.decode()


def test_a_wrong_password_is_refused_in_chinese(client, city_officer):
    response = client.post(reverse("login"), {"username": "guangzhou", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "persona, greeting",
    [
        ("city_officer", "您负责填报广州市的季度数据"),
        ("provincial", "您负责审核各地市的季度数据"),
        ("leadership", "您可查看每项目标的进展"),
        ("superuser", "您在管理后台管理用户、角色和全部记录"),
    ],
)
def test_each_role_lands_on_its_home_page(client, plan, persona, greeting, request):
    user = request.getfixturevalue(persona)
    page = log_in(client, user).content.decode()
    assert greeting in page
    assert ("管理后台" in page) == user.is_staff


def test_a_user_without_a_role_is_told_so(client, plan):
    page = log_in(client, UserFactory()).content.decode()
    assert "您的账号尚未分配角色" in page


def test_the_home_page_lists_the_plan_and_its_targets_in_chinese(client, plan, leadership):
    client.force_login(leadership)
    page = client.get(reverse("plan")).content.decode()
    assert "关于强化知识产权保护推动经济高质量发展的行动方案" in page
    assert "粤知〔2018〕153号" in page
    assert "≥ 30000 家" in page
    assert "&gt; 15000 家" in page
    assert "全国第 1 名" in page
    assert "21 个地市全覆盖" in page
    assert "市级填报" in page and "仅省级" in page
    assert "期末存量" in page


def test_the_language_switch_shows_english(client, plan, leadership):
    client.force_login(leadership)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("plan")}, follow=True
    )
    page = response.content.decode()
    assert "Action Plan on Strengthening Intellectual Property Protection" in page
    assert "Key enterprises under provincial and municipal IP protection" in page
    assert "≥ 30000 enterprises" in page
    assert "Log out" in page
    assert "中文" in page
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("plan")}, follow=True
    )
    assert "退出登录" in response.content.decode()


def test_anonymous_users_can_switch_the_login_page_to_english(client, db):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert "Username" in response.content.decode()


def test_the_demo_banner_shows_only_while_demo_figures_exist(client, plan, leadership):
    client.force_login(leadership)
    assert "演示数据" not in client.get(reverse("plan")).content.decode()
    figure = FigureFactory(is_demo=True)
    assert "演示数据" in client.get(reverse("plan")).content.decode()
    Figure.objects.filter(pk=figure.pk).update(is_demo=False)
    assert "演示数据" not in client.get(reverse("plan")).content.decode()


def test_pages_use_local_static_files_only(client, plan, leadership):
    client.force_login(leadership)
    page = client.get(reverse("plan")).content.decode()
    assert "/static/css/site." in page
    assert "http://" not in page and "https://" not in page and "//cdn" not in page


def test_the_admin_speaks_chinese(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/").content.decode()
    assert "指标" in page and "报送" in page and "地市" in page


def test_the_demo_banner_reads_an_index_of_the_demo_figures_alone(db):
    """Every page asks; in production no figure is a demo one, and the answer must not scan
    the figures table to find that out."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An empty table is scanned whatever indexes it has: ask whether one is usable.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Figure.objects.filter(is_demo=True).order_by().values("pk")[:1].explain()
    assert "figure_demo_only" in plan, plan
