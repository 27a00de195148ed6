"""The whole quarterly loop in a real browser: fill, submit, return, correct, approve."""

from targets.models import Submission


def fill_every_row(page):
    for field in page.locator("table.entry input[type=text][name$='-value']").all():
        field.fill("10")
    page.fill("input[name='hitech_compliance_rate-denominator']", "40")
    for choice in page.locator("table.entry select").all():
        choice.select_option("1")


def test_a_quarter_goes_from_city_to_approval_and_back_again(
    open_as, live_server, city_officer, provincial
):
    officer = open_as(city_officer)
    officer.click("text=数据填报")
    officer.click("text=2022年第4季度")
    fill_every_row(officer)
    officer.get_by_role("button", name="提交本季度数据审核").click()
    assert officer.locator(".messages").inner_text() == "已提交省局审核。"
    assert "已提交，正在等待省局审核。" in officer.locator(".lock").inner_text()

    reviewer = open_as(provincial)
    reviewer.click("header >> text=审核队列")
    reviewer.get_by_role("link", name="审核", exact=True).click()
    reviewer.fill("textarea[name=comment]", "执业专利代理人人数偏低，请核对")
    reviewer.get_by_role("button", name="退回修改").click()
    assert "没有待审核的报送" in reviewer.content()

    officer.reload()
    assert "执业专利代理人人数偏低，请核对" in officer.locator(".review-comment").inner_text()
    officer.fill("input[name='patent_agents-value']", "12")
    officer.get_by_role("button", name="提交本季度数据审核").click()
    assert officer.locator(".messages").inner_text() == "已提交省局审核。"

    reviewer.goto(f"{live_server.url}/review/")
    reviewer.get_by_role("link", name="审核", exact=True).click()
    assert '<span class="delta' not in reviewer.content()  # no approved Q3 to compare with
    reviewer.get_by_role("button", name="审核通过").click()

    officer.reload()
    assert "审核通过" in officer.locator(".status-panel").inner_text()
    officer.click("text=完整历史")
    steps = officer.locator("table.history >> nth=0").locator("tbody tr").all_inner_texts()
    actions = [row.split("\t")[2] for row in steps]
    assert actions == ["保存", "提交", "退回", "保存", "提交", "审核通过"]
    assert "执业专利代理人人数偏低，请核对" in steps[2]

    submission = Submission.objects.get(prefecture=city_officer.prefecture)
    assert submission.status == "approved"
    assert submission.figures.get(indicator__code="patent_agents").approved_value == 12
