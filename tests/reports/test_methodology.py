from django.urls import reverse


def test_the_header_links_to_the_methodology_page(client, leadership):
    client.force_login(leadership)
    page = client.get(reverse("plan")).content.decode()
    assert reverse("methodology") in page and "方法说明" in page


def test_it_states_the_rules_in_chinese(client, leadership):
    client.force_login(leadership)
    page = client.get(reverse("methodology")).content.decode()
    assert "绝不取各地市比率的平均值" in page
    assert "差距不超过应达值的 10 %" in page
    assert "最近 8 个有完整数值的季度（至少 4 个）" in page
    assert "21 000" in page


def test_it_states_the_rules_in_english(client, leadership):
    client.force_login(leadership)
    page = client.get(reverse("methodology"), headers={"accept-language": "en"}).content.decode()
    assert "never an average of the cities' ratios" in page.replace("&#x27;", "'")
    assert "by no more than 10 % of it" in page
    assert "A worked example" in page


def test_anonymous_users_are_sent_to_log_in(client, db):
    assert client.get(reverse("methodology")).status_code == 302
