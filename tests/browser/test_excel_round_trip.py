"""A city officer downloads the quarter's Excel sheet, fills it, uploads it and confirms."""

from openpyxl import load_workbook

from targets.models import Figure


def test_a_filled_sheet_comes_back_into_the_form(open_as, live_server, city_officer, tmp_path):
    page = open_as(city_officer)
    page.goto(f"{live_server.url}/report/440100/2022Q4/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)

    book = load_workbook(path)
    for row in book.active.iter_rows(min_row=5):
        yes_no = row[3].value == "是/否"
        row[6].value = "是" if yes_no else 20
        if row[0].value == "hitech_compliance_rate":
            row[7].value = 80
    book.save(path)

    page.get_by_role("link", name="上传已填写的 Excel 表").click()
    page.set_input_files("input[type=file]", path)
    page.get_by_role("button", name="检查文件").click()
    preview = page.locator("table.preview").inner_text()
    assert preview.count("新增") == 18
    assert not Figure.objects.exists()

    page.get_by_role("button", name="将这些数据保存为草稿").click()
    assert "已从 Excel 保存为草稿：18 项数据有修改。" in page.locator(".messages").inner_text()
    assert page.input_value("input[name='patent_agents-value']") == "20"
    assert page.input_value("input[name='hitech_compliance_rate-denominator']") == "80"
    assert page.input_value("select[name='ip_insurance_coverage-value']") == "1"
