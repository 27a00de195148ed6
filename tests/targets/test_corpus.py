"""Every file of tests/corpus through every channel it fits, with the right outcome
(tests/corpus/README.md says what each file is)."""

import io
import re
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Prefecture,
    ReportingPeriod,
    Submission,
)
from targets.periods import Quarter
from targets.reporting import reopen_quarter
from targets.spreadsheets import UnreadableSheet, read_quarter_workbook

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
UPLOAD = reverse("quarter_upload", kwargs={"reporter": "440100", "quarter": "2022Q4"})
CONFIRM = reverse("quarter_upload_confirm", kwargs={"reporter": "440100", "quarter": "2022Q4"})
REPR = re.compile(r"datetime\.|Decimal\(|Traceback|<class |\bNone\b")

READ = {
    "float-artefacts.xlsx": {"info_push_beneficiaries": "3480", "ip_transaction_value": "31.05"},
    "float-artefacts-ratio.xlsx": {
        "hitech_compliance_rate": ("2496", "10000"),
        "pledge_financing": "200.1",
    },
    "formatted-empty-rows.xlsx": {"patent_agents": "742", "ip_transaction_value": "31.05"},
    "shared-strings-no-dimension.xlsx": {"patent_agents": "742"},
    "english-sheet.xlsx": {"patent_agents": "745", "assistance_centre_coverage": "1"},
    "libreoffice-saved.xlsx": {"patent_agents": "745", "ip_transaction_value": "31.05"},
    "formula-note.xlsx": {"patent_agents": "742"},
}
CELL_PROBLEMS = {
    "date-in-number-cell.xlsx": ["第 9 行，知识产权保护中心，本季度：单元格中是日期（2022/1/2）"],
    "libreoffice-date-cell.xlsx": ["第 9 行，知识产权保护中心，本季度：单元格中是日期（2022/1/2）"],
    "date-in-denominator.xlsx": ["第 7 行，高新技术企业贯标率，分母：单元格中是日期（2022/1/2）"],
    "time-in-number-cell.xlsx": ["第 9 行，知识产权保护中心，本季度：单元格中是时间（12:30）"],
    "boolean-cell.xlsx": ["第 9 行，知识产权保护中心，本季度：单元格中是逻辑值 TRUE，不是数字。"],
    "extra-decimals.xlsx": [
        "第 12 行，年度知识产权交易运营额，本季度：最多保留 2 位小数。",
        "第 19 行，执业专利代理人，本季度：请填写整数。",
    ],
    "maybe-in-yes-no.xlsx": [
        "第 11 行，维权援助中心地市全覆盖，本季度：“maybe”不是有效的选项：请填写“是”或“否”。"
    ],
    "huge-exponent.xlsx": ["第 19 行，执业专利代理人，本季度：单元格中的数字超出了 Excel"],
    "scientific-text.xlsx": [
        "第 18 行，专利代理机构，本季度：“1e2”是科学计数法：请写出完整的数字。",
        "第 19 行，执业专利代理人，本季度：“7.42E+2”是科学计数法：请写出完整的数字。",
    ],
    "control-character-note.xlsx": ["第 19 行，执业专利代理人，备注：备注中含有不是文字的控制字符"],
}  # fmt: skip
REFUSED = {
    "another-city.xlsx": "这份表格属于韶关市 2022年第4季度，而您正在为广州市 2022年第4季度上传",
    "junk-rows.xlsx": "表格超过了第 5000 行",
    "junk-rows-400000.xlsx": "文件解压后远大于正常填报表",
    "xxe.xlsx": "出于安全考虑",
    "billion-laughs.xlsx": "出于安全考虑",
    "truncated-sheet.xlsx": "文件已损坏",
    "broken-styles.xlsx": "文件已损坏",
    "no-worksheet.xlsx": "文件中没有工作表",
}


def test_the_corpus_lists_every_file_it_holds():
    listed = (CORPUS / "README.md").read_text()
    for path in [*CORPUS.glob("*.xlsx"), *CORPUS.glob("*.csv")]:
        assert f"`{path.name}`" in listed, path.name
    sheets = {path.name for path in CORPUS.glob("*.xlsx")}
    assert sheets == set(READ) | set(CELL_PROBLEMS) | set(REFUSED)


@pytest.fixture
def officer(client, city_officer):
    client.force_login(city_officer)
    return city_officer


def upload(client, name):
    data = io.BytesIO((CORPUS / name).read_bytes())
    data.name = name
    response = client.post(UPLOAD, {"file": data})
    assert response.status_code == 200
    page = response.content.decode()
    assert not REPR.search(re.sub(r"<[^>]+>", " ", page)), name
    return page


def stored(code):
    figure = Figure.objects.get(indicator__code=code, submission__prefecture__code="440100")
    if figure.denominator is not None:
        return (f"{figure.value.normalize():f}", f"{figure.denominator.normalize():f}")
    return f"{figure.value.normalize():f}"


@pytest.mark.parametrize("name", sorted(READ))
def test_sheets_people_make_are_read_as_they_show(client, officer, name):
    page = upload(client, name)
    assert "error-summary" not in page and 'class="errorlist' not in page
    assert client.post(CONFIRM).status_code == 302
    for code, value in READ[name].items():
        assert stored(code) == value, code


def test_a_formula_in_a_note_is_kept_as_text(client, officer):
    upload(client, "formula-note.xlsx")
    client.post(CONFIRM)
    assert Figure.objects.get(indicator__code="patent_agents").note.startswith("=HYPERLINK(")


@pytest.mark.parametrize("name", sorted(CELL_PROBLEMS))
def test_cells_that_are_not_what_the_row_asks_for_are_named_in_a_sentence(client, officer, name):
    page = upload(client, name)
    for sentence in CELL_PROBLEMS[name]:
        assert sentence in page
    assert client.post(CONFIRM).status_code == 302
    assert not Figure.objects.exists()


def preview_rows(page):
    """The upload preview's rows: (the row's classes, its text), the text beginning with the
    row's indicator."""
    [body] = re.findall(r'<table class="preview">.*?<tbody>(.*?)</tbody>', page, re.S)
    return [
        (classes.split(), " ".join(re.sub(r"<[^>]+>", " ", cells).split()))
        for classes, cells in re.findall(r'<tr class="([^"]*)">(.*?)</tr>', body, re.S)
    ]


@pytest.fixture
def demo_2022q4(demo):
    """The demo with 广州市's 2022Q4, the quarter the corpus sheets are for, reopened for
    correction: the demo approved and closed it (its open quarters are 2025Q3/Q4)."""
    reopen_quarter(
        prefecture=Prefecture.objects.get(code="440100"),
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=User.objects.get(username="sheng"),
        reason="核对年报数据",
    )


@pytest.mark.parametrize("name", sorted(CELL_PROBLEMS))
def test_a_row_with_a_problem_reads_as_refused_not_as_a_change(client, demo_2022q4, name):
    """With the demo's figures there, what could be read of a bad row is not shown as a
    change to them: the row is refused, with its problem; the others keep their effect."""
    client.force_login(User.objects.get(username="guangzhou"))
    rows = {
        text.split(" ")[0]: (classes, text) for classes, text in preview_rows(upload(client, name))
    }
    refused = set()
    for sentence in CELL_PROBLEMS[name]:
        _row, indicator, told = sentence.split("，", 2)
        refused.add(indicator)
        classes, text = rows[indicator]
        assert "refused" in classes and "不予接收" in text and told in text
        assert not {"修改", "新增", "保持不变", "→"} & set(text.split(" ")), text
    for indicator, (classes, text) in rows.items():
        if indicator not in refused:
            assert "refused" not in classes and "不予接收" not in text
            assert classes[0].startswith("effect-"), indicator


def test_a_refused_row_reads_as_refused_in_english(client, demo_2022q4):
    client.force_login(User.objects.get(username="guangzhou"))
    client.cookies["django_language"] = "en"
    page = upload(client, "date-in-denominator.xlsx")
    hitech = Indicator.objects.get(code="hitech_compliance_rate")
    with translation.override("en"):
        name = hitech.name
    [(classes, text)] = [row for row in preview_rows(page) if row[1].startswith(name)]
    assert "refused" in classes
    assert text.startswith(f"{name} refused 4428 / 15711 Denominator: The cell holds a date")
    assert "→" not in text and "4428.0" not in text


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_that_are_not_this_pages_sheet_are_refused(client, officer, name):
    page = upload(client, name)
    assert REFUSED[name] in page
    assert 'class="preview"' not in page
    client.post(CONFIRM)
    assert not Submission.objects.exists()


def test_junk_rows_are_refused_while_streaming_fast_and_in_little_memory(plan):
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.get(code="440100")))

    def read(data):
        with pytest.raises(UnreadableSheet):
            read_quarter_workbook(
                data, reporter="440100", quarter=Quarter(2022, 4), indicators=indicators
            )

    # 400,000 rows: refused from the package's sizes before any XML is read. 6,000 rows
    # within the size limit: read up to the row cap (0.2 s here when the machine is quiet).
    for name, seconds in [("junk-rows-400000.xlsx", 1.0), ("junk-rows.xlsx", 5.0)]:
        data = (CORPUS / name).read_bytes()
        started = time.perf_counter()
        read(data)
        took = time.perf_counter() - started
        tracemalloc.start()  # apart from the timing: tracing slows Python down
        read(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert took < seconds and peak < 20 * 1024**2, (name, took, peak)


# CSV: the page (in Chinese) and the command (its messages in English).

IMPORTED = {
    "crlf-blank-rows.csv": {
        ("440100", "key_protected_enterprises", 2022, 4): "7300",
        ("440100", "ip_transaction_value", 2022, 4): "31.05",
    },
    "libreoffice-saved.csv": {
        ("440100", "key_protected_enterprises", 2019, 4): "7300",
        ("440100", "ip_transaction_value", 2019, 4): "31.05",
        ("440100", "hitech_compliance_rate", 2019, 4): "300",
        ("440100", "ip_insurance_coverage", 2019, 4): "1",
    },
    "yes-no-words.csv": {
        ("440100", "ip_insurance_coverage", 2019, 4): "1",
        ("440300", "ip_insurance_coverage", 2019, 4): "0",
        (None, "patent_regulation_revised", 2019, 4): "1",
        (None, "ip_regulation_enacted", 2019, 4): "0",
    },
    "excel-gbk.csv": {("440100", "patent_agents", 2019, 4): "1200"},
    "excel-empty-columns.csv": {("440100", "patent_agents", 2019, 4): "1200"},
    "hitech-just-short.csv": {
        ("445300", "hitech_compliance_rate", 2022, 4): "116",
        ("440100", "patent_agents", 2021, 2): "110",
    },
}
CSV_PROBLEMS = {
    "ratio-missing-denominator.csv": {22: "高新技术企业贯标率，分母：请同时填写分母。"},
    "bad-denominator.csv": {2: "高新技术企业贯标率，分母：“abc”不是数字。"},
    "excel-scientific.csv": {2: "执业专利代理人，数值：“1.23E+11”是科学计数法"},
    "exponents.csv": {
        2: "执业专利代理人，数值：“1e999999999”是科学计数法",
        3: "专利代理机构，数值：“1e-999999999”是科学计数法",
        4: "知识产权质押融资金额，数值：“1e2”是科学计数法",
    },
    "many-digits.csv": {2: "执业专利代理人，数值：请填写整数。"},
    "unclosed-quote.csv": {2: "该行无法按 CSV 格式读取：请检查引号是否成对。"},
    "bad-notes.csv": {
        2: "执业专利代理人，备注：备注有 501 个字符：请缩短到 500 个字符以内。",
        3: "执业专利代理人，备注：备注中含有不是文字的控制字符",
    },
    "excel-unicode-text.csv": {0: "文件既不是 UTF-8 也不是 GBK 编码的文本。请另存为“CSV UTF-8”。"},
}


def value_of(prefecture, code, year, quarter):
    figure = Figure.objects.get(
        submission__prefecture__code=prefecture,
        indicator__code=code,
        submission__period__year=year,
        submission__period__quarter=quarter,
    )
    return f"{figure.value.normalize():f}"


def post_csv(client, name, **extra):
    data = io.BytesIO((CORPUS / name).read_bytes())
    data.name = name
    response = client.post(reverse("csv_import"), {"file": data, **extra})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def staff(client, provincial, plan):
    client.force_login(provincial)
    return provincial


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_csv_files_people_make_import_through_the_page(client, staff, name):
    page = post_csv(client, name)
    assert "error-summary" not in page
    assert client.post(reverse("csv_import_confirm")).status_code == 302
    for key, value in IMPORTED[name].items():
        assert value_of(*key) == value


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_csv_files_people_make_import_through_the_command(provincial, plan, name):
    call_command("import_figures", CORPUS / name, user="provincial", stdout=io.StringIO())
    for key, value in IMPORTED[name].items():
        assert value_of(*key) == value


@pytest.mark.parametrize("name", sorted(CSV_PROBLEMS))
def test_bad_csv_rows_are_listed_by_line_on_the_page(client, staff, name):
    page = post_csv(client, name).replace("</td><td>", " ")
    for line, message in CSV_PROBLEMS[name].items():
        # Line 0 is the file as a whole.
        assert f"<tr><td>{line or '—'} {message}" in page, (line, message)
    client.post(reverse("csv_import_confirm"))
    assert not Figure.objects.exists()


@pytest.mark.parametrize("name", sorted(CSV_PROBLEMS))
def test_bad_csv_rows_are_listed_by_line_by_the_command(provincial, plan, name, capsys):
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_figures", CORPUS / name, user="provincial")
    errors = capsys.readouterr().err
    for line in CSV_PROBLEMS[name]:
        assert f"{name}:{line}: " in errors if line else f"{name}: " in errors
    assert not Figure.objects.exists()


def test_several_quarters_of_one_city_are_compared_with_the_files_own_rows(client, staff, capsys):
    page = post_csv(client, "several-quarters.csv").replace("</td><td>", " ")
    assert "有 2 行需要核对" in page
    assert "<tr><td>3 广州市 2021年第2季度 执业专利代理人 超过上季度 100 的三倍。" in page
    assert "<tr><td>4 广州市 2021年第3季度 执业专利代理人 低于上季度的 400" in page
    with pytest.raises(CommandError, match="有 2 行需要核对"):
        call_command("import_figures", CORPUS / "several-quarters.csv", user="provincial")
    assert "several-quarters.csv:3: " in capsys.readouterr().err
    assert not Figure.objects.exists()


def test_a_field_larger_than_the_csv_modules_limit_is_a_row_error(csv_path, provincial, plan):
    text = "prefecture,indicator,period,value,denominator,note\n"
    text += "440100,patent_agents,2019Q4,1,," + "备" * 200_000 + "\n"
    text += "440300,patent_agents,2019Q4,1,,\n"
    english, err = translation.override("en"), io.StringIO()
    with english, pytest.raises(CommandError, match=r"Nothing imported: 1 bad row\.$"):
        call_command("import_figures", csv_path(text), user="provincial", stderr=err)
    assert err.getvalue().endswith(":2: A cell on this line is longer than 131072 characters.\n")
    with pytest.raises(CommandError):
        call_command("import_figures", csv_path(text), user="provincial", stderr=err)
    assert err.getvalue().endswith(":2: 该行有单元格超过 131072 个字符。\n")


@pytest.fixture
def csv_path(tmp_path):
    def write(text):
        path = tmp_path / "figures.csv"
        path.write_text(text)
        return path

    return write


def test_two_million_rows_are_refused_while_reading(tmp_path, provincial, plan, capsys):
    path = tmp_path / "huge.csv"
    with path.open("w") as out:
        out.write("prefecture,indicator,period,value,denominator,note\n")
        row = "440100,patent_agents,2019Q4,1,,\n"
        for _ in range(200):
            out.write(row * 10_000)

    def refused():
        with pytest.raises(CommandError):
            call_command("import_figures", path, user="provincial")

    started = time.perf_counter()
    refused()
    took = time.perf_counter() - started
    tracemalloc.start()
    refused()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "huge.csv:100002: 超过 100000 行：请拆分文件。" in capsys.readouterr().err
    print(f"2,000,000-row CSV refused in {took:.2f} s, peak {peak / 1024**2:.1f} MB")
    assert took < 5 and peak < 100 * 1024**2, (took, peak)
    assert not Figure.objects.exists()


def test_typed_extra_digit_needs_an_acknowledged_reason(demo, capsys):
    path = CORPUS / "typed-extra-digit.csv"
    with pytest.raises(CommandError, match="未导入任何数据：有 1 行需要核对"):
        call_command("import_figures", path, user="sheng", approve=True)
    errors = capsys.readouterr().err
    assert "typed-extra-digit.csv:2: 执业专利代理人：超过上季度 716 的三倍。" in errors
    figure = Figure.objects.get(
        indicator__code="patent_agents",
        submission__prefecture__code="440100",
        submission__period__year=2022,
        submission__period__quarter=4,
    )
    # Nothing imported: the demo's approved 742 stands.
    assert figure.value == 742 and figure.approved_value == 742

    said = io.StringIO()
    call_command(
        "import_figures",
        path,
        user="sheng",
        approve=True,
        accept_warnings="年报核实：新增 6700 名",
        stdout=said,
    )
    assert (
        "typed-extra-digit.csv:2: 已确认：执业专利代理人：超过上季度 716 的三倍。"
        in said.getvalue()
    )
    figure.refresh_from_db()
    assert (figure.value, figure.approved_value) == (Decimal(7420), Decimal(7420))
    revision = FigureRevision.objects.filter(figure=figure).latest("pk")
    assert revision.new_value == 7420 and "年报核实：新增 6700 名" in revision.reason
