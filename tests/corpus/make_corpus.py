"""Rebuild the generated members of the corpus from the site's own quarter sheet.

    .venv/bin/python tests/corpus/make_corpus.py

It seeds a throw-away SQLite database with the plan and the demo, downloads 广州市's 2022Q4
sheet as the site makes it (in Chinese and in English) and 韶关市's, and edits copies the
way Excel, LibreOffice and hostile hands write files (see README.md beside it for what
each is and what the site must make of it). With LibreOffice's `soffice` on the PATH
(Debian: libreoffice-calc-nogui) it also saves sheets and a CSV through LibreOffice itself.
The files from the field (`/work/shared/field`) are copied in as they are, not made here.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
DATABASE = Path(tempfile.mkdtemp()) / "corpus.sqlite3"
os.environ |= {
    "DJANGO_SETTINGS_MODULE": "ipplan.settings",
    "DATABASE_URL": f"sqlite:///{DATABASE}",
    "DEBUG": "true",
    "SECRET_KEY": "corpus",
}

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from targets.models import Figure, Indicator, Prefecture, ReportingPeriod  # noqa: E402
from targets.periods import Quarter  # noqa: E402
from targets.spreadsheets import quarter_workbook  # noqa: E402
from targets.views import approved_entries_before  # noqa: E402

SHEET = "xl/worksheets/sheet1.xml"


def template(code="440100", language="zh-hans") -> bytes:
    """The 2022Q4 sheet as the download view makes it, demo figures filled in."""
    prefecture = Prefecture.objects.get(code=code)
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    figures = {
        f.indicator_id: f
        for f in Figure.objects.filter(submission__prefecture=prefecture, submission__period=period)
    }
    with translation.override(language):
        return quarter_workbook(
            reporter=code,
            reporter_name=prefecture.name,
            quarter=Quarter(2022, 4),
            indicators=list(Indicator.objects.reported_by(prefecture)),
            figures=figures,
            previous=approved_entries_before(prefecture, period),
        )


def filled(data: bytes, **cells) -> bytes:
    """The sheet with cells set by indicator code and column letter: patent_agents_G=742."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=5)}
    for name, value in cells.items():
        code, column = name.rsplit("_", 1)
        cell = sheet[f"{column}{rows[code]}"]
        cell.value = value
        if isinstance(value, datetime):
            cell.number_format = "yyyy/m/d"
        elif isinstance(value, time):
            cell.number_format = "h:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def repacked(data: bytes, edit=None, drop=(), replace=None) -> bytes:
    """The package with its parts edited (`edit(name, bytes) -> bytes`), dropped or replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename in drop:
                continue
            part = source.read(item.filename)
            if replace and item.filename in replace:
                part = replace[item.filename]
            elif edit:
                part = edit(item.filename, part)
            target.writestr(item.filename, part)
    return out.getvalue()


def in_sheet(change):
    return lambda name, part: change(part) if name == SHEET else part


def without_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def junk_rows(count: int):
    rows = b'<row><c t="n"><v>1</v></c></row>' * count
    return in_sheet(
        lambda xml: without_dimension(xml).replace(b"</sheetData>", rows + b"</sheetData>")
    )


def cell_xml(xml: bytes, code: str, column: str, new: bytes) -> bytes:
    """Replace the cell in `column` of the row whose code is `code` with raw XML."""
    row = re.search(rb'<c r="A(\d+)"[^>]*>(?:(?!</c>).)*>' + code.encode() + rb"<", xml)[1]
    ref = column.encode() + row
    return re.sub(
        rb'<c r="' + ref + rb'"[^>]*?(?:/>|>.*?</c>)', new.replace(b"REF", ref), xml, count=1
    )


def doctype(xml: bytes, declaration: bytes, use: bytes) -> bytes:
    """The sheet with a DTD before its root and an entity used in the note of the first row."""
    xml = xml.replace(b"<worksheet", declaration + b"<worksheet", 1)
    return cell_xml(
        xml,
        "key_protected_enterprises",
        "J",
        b'<c r="REF" t="inlineStr"><is><t>' + use + b"</t></is></c>",
    )


def _billion_laughs() -> bytes:
    entities = b'<!ENTITY lol "lol">'
    for level in range(1, 10):
        previous = b"&lol%d;" % (level - 1) if level > 1 else b"&lol;"
        entities += b'<!ENTITY lol%d "%s">' % (level, previous * 10)
    return b"<!DOCTYPE lolz [" + entities + b"]>"


BILLION_LAUGHS = _billion_laughs()


def sheets(base: bytes, english: bytes, shaoguan: bytes) -> dict[str, bytes]:
    number = lambda value: b'<c r="REF" s="4" t="n"><v>' + value + b"</v></c>"  # noqa: E731
    return {
        "float-artefacts-ratio.xlsx": repacked(
            base,
            in_sheet(
                lambda xml: cell_xml(
                    cell_xml(
                        cell_xml(xml, "hitech_compliance_rate", "G", number(b"2495.9999999999995")),
                        "hitech_compliance_rate",
                        "H",
                        number(b"9999.999999999998"),
                    ),
                    "pledge_financing",
                    "G",
                    number(b"200.10000000000002"),
                )
            ),
        ),
        "extra-decimals.xlsx": filled(base, ip_transaction_value_G=31.051, patent_agents_G=742.5),
        "boolean-cell.xlsx": filled(base, protection_centres_G=True),
        "date-in-denominator.xlsx": filled(base, hitech_compliance_rate_H=datetime(2022, 1, 2)),
        "time-in-number-cell.xlsx": filled(base, protection_centres_G=time(12, 30)),
        "maybe-in-yes-no.xlsx": filled(base, assistance_centre_coverage_G="maybe"),
        "english-sheet.xlsx": filled(
            english, patent_agents_G=745, assistance_centre_coverage_G="yes"
        ),
        "another-city.xlsx": shaoguan,
        "shared-strings-no-dimension.xlsx": _shared_strings(base),
        "junk-rows.xlsx": repacked(base, junk_rows(6000)),
        "junk-rows-400000.xlsx": repacked(base, junk_rows(400_000)),
        "xxe.xlsx": repacked(
            base,
            in_sheet(
                lambda xml: doctype(
                    xml, b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"
                )
            ),
        ),
        "billion-laughs.xlsx": repacked(
            base, in_sheet(lambda xml: doctype(xml, BILLION_LAUGHS, b"&lol9;"))
        ),
        "truncated-sheet.xlsx": repacked(base, in_sheet(lambda xml: xml[: len(xml) // 2])),
        "broken-styles.xlsx": repacked(base, replace={"xl/styles.xml": b"<styleSheet><cellXfs"}),
        "no-worksheet.xlsx": repacked(
            base,
            lambda name, part: (
                re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part)
                if name == "xl/workbook.xml"
                else part
            ),
            drop=(SHEET,),
        ),
        "huge-exponent.xlsx": repacked(
            base, in_sheet(lambda xml: cell_xml(xml, "patent_agents", "G", number(b"1e999999999")))
        ),
        "scientific-text.xlsx": filled(base, patent_agencies_G="1e2", patent_agents_G="7.42E+2"),
        "formula-note.xlsx": filled(
            base, patent_agents_J='=HYPERLINK("http://example.invalid/","点此核对")'
        ),
        # Excel writes a control character it cannot put in XML as an _xHHHH_ escape.
        "control-character-note.xlsx": repacked(
            base,
            in_sheet(
                lambda xml: cell_xml(
                    xml,
                    "patent_agents",
                    "J",
                    '<c r="REF" s="4" t="inlineStr"><is><t>核对_x001B_完毕</t></is></c>'.encode(),
                )
            ),
        ),
    }


def _shared_strings(data: bytes) -> bytes:
    """Text in a shared-string table, as Excel writes it, and no <dimension>."""
    strings: list[bytes] = []

    def shared(match):
        text = match[2]
        if text not in strings:
            strings.append(text)
        return match[1] + b' t="s"><v>' + str(strings.index(text)).encode() + b"</v></c>"

    def edit(name, part):
        if name == SHEET:
            part = without_dimension(part)
            return re.sub(
                rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>',
                shared,
                part,
            )
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                b"</Relationships>",
            )
        return part

    edited = repacked(data, edit)
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    table += b"".join(b"<si><t>" + text + b"</t></si>" for text in strings) + b"</sst>"
    out = io.BytesIO(edited)
    with zipfile.ZipFile(out, "a") as package:
        package.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def through_libreoffice(files: dict[str, bytes]) -> dict[str, bytes]:
    """Each file opened and saved again by LibreOffice Calc, in the format of its name."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: LibreOffice members left as they are")
        return {}
    saved = {}
    with tempfile.TemporaryDirectory() as work:
        for name, data in files.items():
            source = Path(work) / ("in-" + name.replace(".csv", ".xlsx"))
            source.write_bytes(data)
            if name.endswith(".csv"):
                target = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, quote, UTF-8
            else:
                target = "xlsx:Calc MS Excel 2007 XML"
            subprocess.run(
                [soffice, "--headless", f"-env:UserInstallation=file://{work}/profile",
                 "--convert-to", target, "--outdir", f"{work}/out", str(source)],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
            saved[name] = (
                Path(work) / "out" / source.with_suffix(Path(name).suffix).name
            ).read_bytes()
    return saved


def csv_source() -> bytes:
    """A small CSV import as an .xlsx, for LibreOffice to save as CSV."""
    from openpyxl import Workbook

    book = Workbook()
    for row in [
        ["prefecture", "indicator", "period", "value", "denominator", "note"],
        ["440100", "key_protected_enterprises", "2019Q4", 7300, None, "市局年报"],
        ["440100", "ip_transaction_value", "2019Q4", 31.05, None, None],
        ["440100", "hitech_compliance_rate", "2019Q4", 300, 1200, None],
        ["440100", "ip_insurance_coverage", "2019Q4", "yes", None, None],
    ]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = "prefecture,indicator,period,value,denominator,note"


def csv_files() -> dict[str, bytes]:
    """CSV files as Excel saves them: “CSV UTF-8” (BOM, CRLF) unless said otherwise."""

    def excel(*lines, encoding="utf-8-sig"):
        return "\r\n".join([HEADER, *lines, ""]).encode(encoding)

    return {
        "excel-scientific.csv": excel("440100,patent_agents,2019Q4,1.23E+11,,"),
        # “CSV (逗号分隔)” on Chinese Windows: GBK, no BOM.
        "excel-gbk.csv": excel("440100,patent_agents,2019Q4,1200,,市局年报", encoding="gbk"),
        # Excel's “Unicode 文本”, renamed: UTF-16 with a byte-order mark.
        "excel-unicode-text.csv": excel(
            "440100,patent_agents,2019Q4,1200,,市局年报", encoding="utf-16"
        ),
        "several-quarters.csv": excel(
            "440100,patent_agents,2021Q1,100,,",
            "440100,patent_agents,2021Q2,400,,",
            "440100,patent_agents,2021Q3,390,,",
            "440100,patent_agents,2021Q4,420,,",
        ),
        "many-digits.csv": excel("440100,patent_agents,2019Q4,300.000000000000000000000000001,,"),
        "exponents.csv": excel(
            "440100,patent_agents,2019Q4,1e999999999,,",
            "440100,patent_agencies,2019Q4,1e-999999999,,",
            "440100,pledge_financing,2019Q4,1e2,,",
        ),
        "yes-no-words.csv": excel(
            "440100,ip_insurance_coverage,2019Q4,是,,",
            "440300,ip_insurance_coverage,2019Q4,否,,",
            "province,patent_regulation_revised,2019Q4,完成,,",
            "province,ip_regulation_enacted,2019Q4,未完成,,",
        ),
        "bad-notes.csv": excel(
            "440100,patent_agents,2019Q4,1200,," + "备" * 501,
            "440300,patent_agents,2019Q4,900,,核对\x00完毕",
        ),
        "bad-denominator.csv": excel("440100,hitech_compliance_rate,2019Q4,300,abc,"),
        # A column right of 备注 once formatted: Excel writes its empty cell on every line.
        "excel-empty-columns.csv": "\r\n".join(
            [HEADER + ",,", "440100,patent_agents,2019Q4,1200,,市局年报,,", ",,,,,,,", ""]
        ).encode("utf-8-sig"),
    }


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_plan", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    base = template()
    files = sheets(base, template(language="en"), template("440200")) | csv_files()
    files |= {
        f"libreoffice-{name}": data
        for name, data in through_libreoffice(
            {
                "saved.xlsx": filled(base, patent_agents_G=745, ip_transaction_value_G=31.05),
                "date-cell.xlsx": filled(base, protection_centres_G=datetime(2022, 1, 2)),
                "saved.csv": csv_source(),
            }
        ).items()
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
