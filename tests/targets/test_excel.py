import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import Figure, Submission

DOWNLOAD = reverse("quarter_workbook", kwargs={"reporter": "440100", "quarter": "2022Q4"})
UPLOAD = reverse("quarter_upload", kwargs={"reporter": "440100", "quarter": "2022Q4"})
CONFIRM = reverse("quarter_upload_confirm", kwargs={"reporter": "440100", "quarter": "2022Q4"})


@pytest.fixture
def officer(client, city_officer):
    client.force_login(city_officer)
    return city_officer


def download(client):
    response = client.get(DOWNLOAD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def filled(book, **values):
    """Fill the sheet's entry cells by indicator code: {"patent_agents": 3000, ...}."""
    sheet = book.active
    for row in sheet.iter_rows(min_row=5):
        code = row[0].value
        if code in values:
            value, *denominator = (
                values[code] if isinstance(values[code], tuple) else [values[code]]
            )
            row[6].value = value
            if denominator:
                row[7].value = denominator[0]
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    return buffer


def every_row(book):
    values = {}
    for row in book.active.iter_rows(min_row=5):
        kind_is_yes_no = "是/否" in str(row[3].value) or "是否完成" in str(row[3].value)
        values[row[0].value] = "是" if kind_is_yes_no else 10
    return values | {"hitech_compliance_rate": (10, 40)}


def test_the_sheet_has_chinese_headers_hints_and_locked_structure(client, officer):
    sheet = download(client).active
    headers = [cell.value for cell in sheet[4]]
    assert headers[:4] == ["代码", "指标", "单位", "填报内容"]
    assert (sheet["B2"].value, sheet["D2"].value) == ("440100", "2022Q4")
    codes = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert len(codes) == 18 and "patent_agents" in codes
    assert sheet.protection.sheet
    assert sheet["A5"].protection.locked and sheet["B5"].protection.locked
    assert not sheet["G5"].protection.locked and not sheet["J5"].protection.locked


def test_the_preview_shows_what_changes_before_anything_is_saved(client, officer):
    book = download(client)
    page = client.post(UPLOAD, {"file": filled(book, **every_row(book))}).content.decode()
    assert "新增" in page
    assert not Submission.objects.exists()
    assert client.post(CONFIRM).status_code == 302
    assert Figure.objects.get(indicator__code="patent_agents").value == 10
    assert Figure.objects.get(indicator__code="ip_insurance_coverage").value == 1

    book = download(client)
    assert book.active["G5"].value == 10
    page = client.post(UPLOAD, {"file": filled(book, patent_agents=12)}).content.decode()
    assert page.count("修改") >= 1 and "保持不变" in page
    client.cookies["django_language"] = "en"
    page = client.post(CONFIRM, follow=True).content.decode()
    assert "Saved from Excel as draft: 1 figure changed." in page
    assert Figure.objects.get(indicator__code="patent_agents").value == 12


def test_a_quarter_the_city_may_not_change_takes_no_file(client, officer):
    book = download(client)
    client.post(UPLOAD, {"file": filled(book, patent_agents=742)})
    assert client.post(CONFIRM).status_code == 302
    submission = Submission.objects.get()
    submission.status = Submission.Status.APPROVED
    submission.save()
    page = client.get(UPLOAD).content.decode()
    assert "本季度数据不能修改：已审核通过。" in page and 'type="file"' not in page
    page = client.post(UPLOAD, {"file": filled(download(client), patent_agents=800)})
    assert "变更" not in page.content.decode() and "742" not in page.content.decode()
    assert Figure.objects.get(indicator__code="patent_agents").value == 742


def test_errors_are_listed_by_row_and_column_and_nothing_can_be_saved(client, officer):
    book = download(client)
    values = every_row(book) | {"patent_agents": "abc", "key_protected_enterprises": -3}
    page = client.post(UPLOAD, {"file": filled(book, **values)}).content.decode()
    assert "执业专利代理人，本季度：“abc”不是数字。" in page
    assert "省市知识产权保护重点企业，本季度：不能为负数。" in page
    assert client.post(CONFIRM).status_code == 302
    assert not Figure.objects.exists()


def test_a_formula_is_refused(client, officer):
    book = download(client)
    page = client.post(UPLOAD, {"file": filled(book, patent_agents="=1+1")}).content.decode()
    assert "不接受公式" in page


def test_a_sheet_for_another_city_is_refused(client, officer, plan):
    book = download(client)
    book.active["B2"] = "440300"
    page = client.post(UPLOAD, {"file": filled(book)}).content.decode()
    assert "这份表格属于深圳市 2022年第4季度，而您正在为广州市 2022年第4季度上传" in page
    assert client.post(CONFIRM).status_code == 302
    assert not Figure.objects.exists()


def named(data: bytes, name="sheet.xlsx"):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


@pytest.mark.parametrize(
    "content, message",
    [
        (b"prefecture,indicator\n", "不是 Excel .xlsx 文件"),
        (b"x" * (3 * 1024 * 1024), "文件大于 2 MB"),
    ],
)
def test_files_that_are_not_our_sheet_are_refused(client, officer, content, message):
    page = client.post(UPLOAD, {"file": named(content)}).content.decode()
    assert message in page


def test_a_zip_bomb_is_refused(client, officer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "0" * (50 * 1024 * 1024))
    page = client.post(UPLOAD, {"file": named(buffer.getvalue())}).content.decode()
    assert "解压后远大于" in page


def test_a_sheet_with_the_wrong_structure_is_refused(client, officer):
    book = download(client)
    book.active["B4"] = "别的表头"
    page = client.post(UPLOAD, {"file": filled(book)}).content.decode()
    assert "这不是从本系统下载的季度填报表" in page


def test_a_sheet_claiming_a_million_rows_is_read_by_the_rows_it_has(client, officer):
    original = io.BytesIO(client.get(DOWNLOAD).content)
    inflated = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(inflated, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:J1000000"', data)
            target.writestr(item, data)
    page = client.post(UPLOAD, {"file": named(inflated.getvalue())}).content.decode()
    assert page.count('class="effect-same') == 18
    assert "表格超过了" not in page and 'class="errorlist' not in page


def test_a_csv_renamed_to_xlsx_is_refused(client, officer):
    renamed = named(b"prefecture,indicator,period,value\n", "figures.xlsx")
    assert "不是 Excel .xlsx 文件" in client.post(UPLOAD, {"file": renamed}).content.decode()
