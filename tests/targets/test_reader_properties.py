"""Whatever bytes arrive, the Excel and CSV readers answer with their own refusal or their
own list of problems: never another exception (which a page would turn into a 500)."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets.imports import read_csv
from targets.models import Figure, Indicator, Prefecture
from targets.periods import Quarter
from targets.spreadsheets import UnreadableSheet, quarter_workbook, read_quarter_workbook
from targets.validation import Problem, cell_amount, choice_amount, parse_amount

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUARTER = Quarter(2022, 4)


@pytest.fixture
def sheet(plan):
    """The real template of 广州市 2022Q4, and the indicators its upload expects."""
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.get(code="440100")))
    data = quarter_workbook(
        reporter="440100",
        reporter_name="广州市",
        quarter=QUARTER,
        indicators=indicators,
        figures={},
        previous={},
    )
    return data, indicators


def read(data, indicators):
    try:
        read_quarter_workbook(data, reporter="440100", quarter=QUARTER, indicators=indicators)
    except UnreadableSheet as refusal:
        assert str(refusal)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_as_a_sheet(sheet, data):
    read(data, sheet[1])


# A change to the bytes of one part: flip, cut, insert or swap in bytes or markup.
MARKUP = st.sampled_from(
    [
        b"<", b">", b"&", b"&lol;", b'"', b"<!DOCTYPE x>", b"<row/>", b"<c/>",
        b'<c r="G5" t="n"><v>1e999999999</v></c>', b'<c r="G5" t="b"><v>2</v></c>',
        b'<c r="G5" t="s"><v>99999</v></c>', b'<c r="G5" s="999"><v>1</v></c>',
        b'<row r="1048577">', b'<row r="-1">', b'<row r="x">', b"\x00", b"\xff\xfe",
        b'r="ZZZ1"', b'<f>1+1</f>', b'<dimension ref="A1:XFD1048576"/>',
    ]
)  # fmt: skip


@st.composite
def mutated(draw, parts):
    name = draw(st.sampled_from(sorted(parts)))
    part = parts[name]
    at = draw(st.integers(0, len(part)))
    change = draw(st.sampled_from(["insert", "cut", "truncate", "flip", "drop", "replace"]))
    if change == "insert":
        part = part[:at] + draw(st.one_of(MARKUP, st.binary(max_size=16))) + part[at:]
    elif change == "cut":
        part = part[:at] + part[at + draw(st.integers(1, 64)) :]
    elif change == "truncate":
        part = part[:at]
    elif change == "flip" and part:
        index = min(at, len(part) - 1)
        part = part[:index] + bytes([part[index] ^ draw(st.integers(1, 255))]) + part[index + 1 :]
    elif change == "replace":
        part = draw(st.binary(max_size=256))
    return {key: value for key, value in parts.items() if key != name} | (
        {} if change == "drop" else {name: part}
    )


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def packed(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, part in parts.items():
            package.writestr(name, part)
    return buffer.getvalue()


@FUZZ
@given(st.data())
def test_mutated_copies_of_the_template_are_read_or_refused(sheet, data):
    template, indicators = sheet
    parts = parts_of(template)
    for _ in range(data.draw(st.integers(1, 3))):
        parts = data.draw(mutated(parts))
    read(packed(parts), indicators)


@FUZZ
@given(at=st.integers(0, 20_000), noise=st.binary(min_size=1, max_size=64))
def test_damaged_zip_bytes_of_the_template_are_refused(sheet, at, noise):
    template, indicators = sheet
    at = min(at, len(template))
    read(template[:at] + noise + template[at + len(noise) :], indicators)


def test_a_zip_claiming_a_version_zipfile_cannot_read_is_refused(sheet):
    """Found by the test above: a central directory asking for zip version 6.4."""
    template, indicators = sheet
    at = template.index(b"PK\x01\x02") + 6  # the version needed to extract
    with pytest.raises(UnreadableSheet, match=r"不是 Excel \.xlsx 文件"):
        read_quarter_workbook(
            template[:at] + bytes([64, 0]) + template[at + 2 :],
            reporter="440100",
            quarter=QUARTER,
            indicators=indicators,
        )


CSV_TEXT = (
    "prefecture,indicator,period,value,denominator,note\r\n"
    "440100,patent_agents,2022Q4,742,,\r\n"
    '440100,hitech_compliance_rate,2022Q4,"4,428",15711,核对\r\n'
    "440100,ip_insurance_coverage,2022Q4,是,,\r\n"
    "province,patent_regulation_revised,2022Q4,done,,\r\n"
).encode()
CSV_PIECES = st.sampled_from(
    [b",", b'"', b"\r\n", b"\n", b"\x00", b"1e999999999", b"-", b".", b"\xef\xbb\xbf",
     b"\xff", b"province", b"2022Q5", b"9" * 40, b"yes", b"\xe5\x90", b"\t"]
)  # fmt: skip


@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_are_read_as_a_csv_or_refused_line_by_line(plan, data):
    _rows, errors = read_csv(data)
    assert all(isinstance(line, int) and message for line, message in errors)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, len(CSV_TEXT)), CSV_PIECES), max_size=6))
def test_mutated_csv_files_are_read_or_refused_line_by_line(plan, edits):
    text = CSV_TEXT
    for at, piece in edits:
        text = text[:at] + piece + text[at:]
    _rows, errors = read_csv(text)
    assert all(isinstance(line, int) and message for line, message in errors)
    assert not Figure.objects.exists()


@FUZZ
@given(text=st.text(max_size=60))
def test_any_typed_text_is_a_number_or_a_problem(text):
    for reading in (parse_amount, cell_amount, lambda t: choice_amount(t)):
        try:
            reading(text)
        except Problem as problem:
            assert str(problem)


@FUZZ
@given(
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.booleans(),
        st.datetimes(),
        st.dates(),
        st.times(),
        st.timedeltas(),
        st.none(),
    )
)
def test_any_cell_value_is_a_number_or_a_problem(value):
    try:
        cell_amount(value)
    except Problem as problem:
        assert str(problem)
