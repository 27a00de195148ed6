"""The PDF summary's typesetting: amounts never split, tables never leave a row or two alone on
a page, the cover's title never ends with a lone character, charts keep their legends and
labels clear. Read back from the PDF itself (pdftotext) and from WeasyPrint's page boxes."""

import os
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.utils import timezone, translation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from weasyprint.formatting_structure.boxes import TableRowGroupBox

from reports import chart_svg, charts, summaries
from reports.summaries import Scope
from reports.templatetags.dashboards import AMOUNT
from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod
from targets.plans import with_targets
from tests.reports.test_summaries import pdf_pages

# The 2018 plan's summaries (the demo's plan in force is its demo plan).
SCOPES = {
    "province": lambda: Scope(plan=Plan.objects.get(code="2018")),
    "city": lambda: Scope(
        prefecture=Prefecture.objects.get(code="440100"), plan=Plan.objects.get(code="2018")
    ),
}


@pytest.fixture
def period(demo):
    return ReportingPeriod.objects.get(year=2022, quarter=3)


@pytest.mark.parametrize(
    "scope, language, quarter",
    [("province", "zh-hans", 3), ("province", "en", 4), ("city", "en", 3), ("city", "zh-hans", 4)],
)
def test_the_summary_is_typeset_for_reading(demo, tmp_path, scope, language, quarter):
    period = ReportingPeriod.objects.get(year=2022, quarter=quarter)
    with translation.override(language):
        scope = SCOPES[scope]()
        content = summaries.content(scope, period, timezone.localdate())
        document = summaries.render_document(scope, period, timezone.localdate())
        title = scope.plan.title
    pdf = document.write_pdf()
    pages = pdf_pages(pdf, tmp_path)
    assert_no_amount_is_split(content, pages)
    assert_no_page_holds_only_one_or_two_rows_of_a_table(document)
    if scope.prefecture is None:
        assert_the_title_never_ends_with_a_lone_character(pages[0], title, language)
    if scope.prefecture is None and language == "zh-hans":
        text = "".join(pages)
        assert "超出 386 家" in text  # 知识产权贯标企业: 15386 against > 15000, never -386
        assert not re.search(r"(?<![\w.])[-−]\d", text)
        pictures_for_readme(pdf, pages, tmp_path)


def assert_no_amount_is_split(content, pages):
    """Every amount printed (a number, its sign and unit) stands on one line."""
    # Without spaces: pdftotext may drop one beside a narrow glyph (“≥5家”).
    lines = ["".join(line.split()) for line in "\n".join(pages).splitlines()]
    printed = [
        (reading.value, reading.target, reading.gap, reading.projection)
        for _indicator, _current, reading in content["rows"]
    ] + [
        (reading.value, reading.target, reading.gap)
        for _indicator, ranked in content["rankings"]
        for _row, reading in ranked
    ]
    amounts = {
        "".join(match.split())
        for texts in printed
        for text in texts
        for match in AMOUNT.findall(text)
    }
    assert len(amounts) > 20
    assert [amount for amount in amounts if not any(amount in line for line in lines)] == []


def rows_per_page(document):
    """{table body: Counter(page number: rows on that page)}."""
    pages_of = defaultdict(Counter)
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, TableRowGroupBox) and not box.is_header:
                pages_of[box.element][number] += len(box.children)
    return pages_of


def assert_no_page_holds_only_one_or_two_rows_of_a_table(document):
    tables = rows_per_page(document)
    assert any(len(pages) > 1 for pages in tables.values())  # some table does span pages
    for pages in tables.values():
        if sum(pages.values()) >= 3:
            assert min(pages.values()) >= 3, dict(pages)


def assert_the_title_never_ends_with_a_lone_character(cover, title, language):
    lines = title_lines(cover, title)
    assert len(lines) > 1  # wrapped: the case that matters
    last = lines[-1]
    assert len(last.split()) >= 2 if language == "en" else len(last) >= 2, lines


def title_lines(page_text: str, title: str) -> list[str]:
    """The lines the cover prints the title on."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    squeezed = "".join(title.split())
    for start, line in enumerate(lines):
        if squeezed.startswith("".join(line.split())):
            taken, joined = [], ""
            for line in lines[start:]:
                taken.append(line)
                joined += "".join(line.split())
                if joined == squeezed:
                    return taken
    raise AssertionError(f"the title is not on the cover: {title}")


def pictures_for_readme(pdf, pages, tmp_path):
    """With IPPLAN_SCREENSHOTS set to a folder, the cover and the first page of charts are
    saved there as README shows them (`IPPLAN_SCREENSHOTS=docs make test`)."""
    folder = os.environ.get("IPPLAN_SCREENSHOTS")
    if not folder:
        return
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    charts_page = next(n for n, text in enumerate(pages, 1) if "\n图表\n" in text)
    for name, number in [("summary-cover", 1), ("summary-charts", charts_page)]:
        page = ["-f", str(number), "-l", str(number)]
        out = str(Path(folder) / name)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", *page, path, out], check=True
        )


def drawn(figure):
    with chart_svg.matplotlib.rc_context(chart_svg.STYLE):
        chart = chart_svg.draw(figure)
        FigureCanvasAgg(chart).draw()
        return chart, chart.canvas.get_renderer()


@pytest.mark.parametrize("code", ["pledge_financing", "pct_national_rank", "ip_insurance_coverage"])
def test_pdf_charts_keep_their_legend_off_the_lines_and_every_label_on_the_page(period, code):
    plan = Plan.objects.get(code="2018")
    indicator = with_targets([Indicator.objects.get(code=code)], plan)[0]
    rows = list(
        Progress.objects.filter(
            plan=plan, indicator=indicator, prefecture=None, period__year__lte=2022
        )
        .select_related("period")
        .order_by("period__year", "period__quarter")
    )
    quarters = charts.timeline(indicator, ReportingPeriod.objects.all(), period)
    chart, renderer = drawn(charts.province_series(indicator, rows, quarters))
    axes = chart.axes[0]
    assert len(axes.get_xticklabels()) >= len(quarters) // 2  # every quarter on the axis
    if code == "pct_national_rank":  # first place at the top, whole places only
        assert axes.yaxis_inverted()
        assert all(tick == int(tick) for tick in axes.get_yticks())
    plot = axes.get_window_extent(renderer)
    legend = axes.get_legend().get_window_extent(renderer)
    assert legend.y1 <= plot.y0  # below the plot: it covers no line
    page = chart.bbox
    for text in axes.texts:  # the target's label (≥ 200 亿元, 全国第 1 名)
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
        assert box.y1 <= plot.y1  # under the chart's title
