import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from evidence.models import EvidenceFile
from targets.models import Indicator, ReportingPeriod
from targets.reporting import Entry, save_quarter


@pytest.fixture(autouse=True)
def evidence_folder(monkeypatch, tmp_path):
    """Evidence files go to a folder of the test's own (the field took its storage from the
    settings when the model loaded)."""
    folder = tmp_path / "evidence"
    field = EvidenceFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=folder))
    return folder


@pytest.fixture
def client(client):
    """Pages in English, so that assertions read the same whatever the default language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def draft(plan, city_officer):
    """广州's 2022Q4 saved as a draft."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    agents = Indicator.objects.get(code="patent_agents")
    submission, _ = save_quarter(
        prefecture=city_officer.prefecture,
        period=period,
        user=city_officer,
        entries={agents: Entry(Decimal(716))},
        seen_version=0,
    )
    return submission


def pdf_bytes(javascript=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, kind)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "认定文件"
    workbook.save(out)
    return out.getvalue()


DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    ),
    "word/document.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>合同</w:t></w:r></w:p></w:body></w:document>"
    ),
}


def zip_bytes(parts: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(DOCX_PARTS)
