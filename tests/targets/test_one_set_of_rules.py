"""The form, the Excel sheet and a CSV file given the same values store the same figures,
give the same errors and the same warnings: one set of rules for every channel."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.imports import import_figures, read_csv
from targets.models import Figure, Indicator, Prefecture, ReportingPeriod
from targets.spreadsheets import headers
from targets.validation import part_label
from tests.factories import approve

# (value, denominator, note) as typed. 执业专利代理人 was 716 the quarter before: 7420 is a
# typed extra digit, which every channel must warn about.
GOOD = {
    "patent_agents": ("7420", "", "年报核实"),
    "pledge_financing": ("12.34", "", ""),
    "hitech_compliance_rate": ("300", "1200", ""),
    "key_protected_enterprises": ("7,300", "", ""),
    "ip_insurance_coverage": ("是", "", ""),
}
BAD = {
    "patent_agents": ("abc", "", ""),
    "pledge_financing": ("12.345", "", ""),
    "hitech_compliance_rate": ("300", "abc", ""),
    "patent_agencies": ("-3", "", ""),
    "ip_transaction_value": ("1e2", "", ""),
    "key_protected_enterprises": ("5", "", "核对\x1b完毕"),
    "info_push_beneficiaries": ("300.000000000000000000000000001", "", ""),
}
CITIES = {"form": "440100", "excel": "440300", "csv": "440200"}


@pytest.fixture
def last_quarter(plan):
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    agents = Indicator.objects.get(code="patent_agents")
    for code in CITIES.values():
        approve(agents, Prefecture.objects.get(code=code), period, Decimal(716))


def by_form(client, officer, values):
    """What the form makes of `values`: errors and warnings as (code, part, message), and
    the page's warnings after a draft is saved."""
    client.force_login(officer)
    url = reverse("quarter_form", kwargs={"reporter": CITIES["form"], "quarter": "2022Q4"})
    data = {"seen_version": "0", "save": ""}
    for code, (value, denominator, note) in values.items():
        data[f"{code}-value"] = {"是": "1", "否": "0"}.get(value, value)
        data[f"{code}-denominator"] = denominator
        data[f"{code}-note"] = note
    response = client.post(url, data)
    if response.status_code == 302:
        form = client.get(url).context["form"]
        errors = set()
    else:
        form = response.context["form"]
        errors = {
            (key.rsplit("-", 1)[0], _part(key.rsplit("-", 1)[1]), message)
            for key, messages in form.errors.items()
            for message in messages
        }
    warnings = {(row.indicator.code, w) for row in form.rows for w in row.warnings}
    return errors, warnings


def _part(name):
    return "nothing_to_report" if name == "nothing" else name


def by_excel(client, officer, values):
    client.force_login(officer)
    kwargs = {"reporter": CITIES["excel"], "quarter": "2022Q4"}
    book = load_workbook(io.BytesIO(client.get(reverse("quarter_workbook", kwargs=kwargs)).content))
    for row in book.active.iter_rows(min_row=5):
        if row[0].value in values:
            value, denominator, note = values[row[0].value]
            row[6].value, row[7].value = _typed(value), _typed(denominator)
            # Excel writes a character XML cannot hold as _xHHHH_.
            row[9].value = re.sub(r"[\x00-\x08\x0b-\x1f]", lambda c: f"_x{ord(c[0]):04X}_", note)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "sheet.xlsx"
    response = client.post(reverse("quarter_upload", kwargs=kwargs), {"file": buffer})
    upload = response.context["upload"]
    names = {i.name: i.code for i in Indicator.objects.all()}
    parts = dict(
        zip(headers()[6:], ["value", "denominator", "nothing_to_report", "note"], strict=True)
    )
    errors = {(names[p.indicator], parts[p.column], p.message) for p in upload.errors}
    warnings = {
        (item.change.indicator.code, w)
        for item in response.context["preview"]
        for w in item.warnings
    }
    if not errors:
        client.post(reverse("quarter_upload_confirm", kwargs=kwargs))
    return errors, warnings


def _typed(text):
    """A cell as Excel keeps what was typed into it: a plain number of at most 15 digits as a
    number, anything else (a sheet's text cell) as text."""
    if not text:
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", text) or len(text.replace(".", "")) > 15:
        return text
    return float(text) if "." in text else int(text)


def by_csv(user, values):
    lines = ["prefecture,indicator,period,value,denominator,note"]
    for code, (value, denominator, note) in values.items():
        lines.append(f'{CITIES["csv"]},{code},2022Q4,"{value}",{denominator},{note}')
    rows, problems = read_csv("\n".join(lines).encode())
    warnings = {(row.indicator.code, w) for row in rows for w in row.warnings}
    if not problems:
        import_figures(
            rows=rows, user=user, approve=False, source="same.csv", accept_warnings="年报核实"
        )
    return [message for _line, message in problems], warnings


def stored(code):
    return {
        (f.indicator.code, f.value, f.denominator, f.note)
        for f in Figure.objects.filter(
            submission__prefecture__code=code,
            submission__period__year=2022,
            submission__period__quarter=4,
        ).select_related("indicator")
    }


@pytest.mark.parametrize("values", [GOOD, BAD], ids=["good", "bad"])
def test_form_excel_and_csv_store_refuse_and_warn_alike(
    client, last_quarter, city_officer, other_officer, provincial, values
):
    other_officer.prefecture = Prefecture.objects.get(code=CITIES["excel"])
    form_errors, form_warnings = by_form(client, city_officer, values)
    excel_errors, excel_warnings = by_excel(client, other_officer, values)
    csv_errors, csv_warnings = by_csv(provincial, values)

    assert excel_errors == form_errors
    names = {i.code: i.name for i in Indicator.objects.all()}
    expected = sorted(f"{names[c]}，{part_label(p)}：{m}" for c, p, m in form_errors)
    assert sorted(m for line in csv_errors for m in _split(line)) == expected
    assert form_warnings == excel_warnings == csv_warnings
    if values is GOOD:
        assert form_warnings == {("patent_agents", "超过上季度 716 的三倍。")}
        assert stored(CITIES["form"]) == stored(CITIES["excel"]) == stored(CITIES["csv"])
        assert ("patent_agents", 7420, None, "年报核实") in stored(CITIES["form"])
    else:
        assert {code for code, _part, _message in form_errors} == set(BAD)
        assert not Figure.objects.filter(submission__period__quarter=4).exists()


def _split(line):
    """A CSV error line lists each part's problem as “indicator，part：message”, one space
    between them."""
    names = [i.name for i in Indicator.objects.all()]
    pieces, current = [], ""
    for word in line.split(" "):
        if current and any(word.startswith(f"{name}，") for name in names):
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*pieces, current]
