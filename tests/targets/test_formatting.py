import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from targets.formatting import entry_text, join_sentences
from targets.models import Indicator
from targets.reporting import Entry
from targets.workbooks import sheet_name


@pytest.mark.parametrize(
    "code, entry, shown",
    [
        ("assistance_centre_coverage", Entry(Decimal(1)), "是"),
        ("assistance_centre_coverage", Entry(Decimal(0)), "否"),
        ("patent_regulation_revised", Entry(Decimal(1)), "完成"),
        ("patent_regulation_revised", Entry(Decimal(0)), "未完成"),
        ("patent_agents", Entry(Decimal("742.000000")), "742"),
        ("ip_transaction_value", Entry(Decimal("31.050000")), "31.05"),
        # In the indicator's two decimals, as every table prints 亿元: 0.60, never 0.6.
        ("pledge_financing", Entry(Decimal("0.6")), "0.60"),
        ("pledge_financing", Entry(Decimal("45")), "45.00"),
        ("hitech_compliance_rate", Entry(Decimal(2496), Decimal(10000)), "2496 / 10000"),
        # A rate per 10 000 residents is entered as its numerator, a count of patents.
        ("invention_patents_per_10k", Entry(Decimal("114094.000000")), "114094"),
        ("patent_agents", Entry(nothing_to_report=True), "本期无数据"),
        ("patent_agents", Entry(), "—"),
        ("patent_agents", None, "—"),
    ],
)
def test_an_entry_reads_in_its_indicators_terms(plan, code, entry, shown):
    assert entry_text(Indicator.objects.get(code=code), entry) == shown


def test_the_form_shows_last_quarters_coverage_as_yes_or_no(client, demo):
    client.force_login(User.objects.get(username="guangzhou"))
    page = client.get("/report/440100/2022Q4/").content.decode()
    row = page.split("维权援助中心地市全覆盖")[1].split("</tr>")[0]
    assert '<td class="number">是</td>' in row


@pytest.mark.parametrize(
    "name, end, shown",
    [
        ("Practising patent attorneys", "2022Q4", "Practising patent attor… 2022Q4"),
        ("执业专利代理人", "2022Q4", "执业专利代理人 2022Q4"),
        ("a/b:c", "", "a b c"),
        ("", "", "Sheet"),
    ],
)
def test_a_sheet_name_fits_excel_and_keeps_its_end_whole(name, end, shown):
    assert sheet_name(name, end) == shown and len(shown) <= 31


def test_a_figures_history_reads_its_values_in_the_indicators_terms(client, demo):
    client.force_login(User.objects.get(username="sheng"))
    for code, shown in [("assistance_centre_coverage", "是"), ("pledge_financing", ".")]:
        url = reverse(
            "figure_history", kwargs={"reporter": "440100", "quarter": "2022Q3", "indicator": code}
        )
        head = client.get(url).content.decode().split("</h1>")[1].split("</p>")[0]
        now, approved = (part.split("：", 1)[1] for part in head.split("·"))
        assert shown in now and shown in approved, head
        assert not re.search(r"\b\d+\.\d\b(?!\d)", head)  # 亿元 in two decimals, never 45.5


@pytest.mark.parametrize(
    "sentences, joined",
    [
        (
            ["它已提交，正在等待审核。", "本季度已截止报送。"],
            "它已提交，正在等待审核。本季度已截止报送。",
        ),
        (
            ["It has been approved.", "The quarter is closed."],
            "It has been approved. The quarter is closed.",
        ),
        (["One.", "", "Two."], "One. Two."),
    ],
)
def test_sentences_join_as_each_language_writes_them(sentences, joined):
    assert join_sentences(sentences) == joined
