"""Attaching evidence files to a quarter, and reading them back under the figures' rules."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.checks import DOCX, XLSX
from evidence.models import EvidenceFile
from tests.evidence.conftest import docx_bytes, image_bytes, pdf_bytes, xlsx_bytes

UPLOAD = reverse("evidence_upload", args=["440100", "2022Q4"])


def messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def attach(client, name, content, **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(UPLOAD, {"file": upload, **fields}, follow=True)


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("认定文件.pdf", pdf_bytes(), "application/pdf"),
        ("scan.png", image_bytes("PNG"), "image/png"),
        ("scan.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("统计报表.xlsx", xlsx_bytes(), XLSX),
        ("合同.docx", docx_bytes(), DOCX),
    ],
)
def test_an_officer_attaches_each_accepted_kind(
    client, draft, city_officer, evidence_folder, name, content, content_type
):
    client.force_login(city_officer)
    response = attach(client, name, content)
    assert f"Attached “{name}”." in messages(response)
    evidence = EvidenceFile.objects.get()
    assert (evidence.name, evidence.content_type, evidence.size) == (
        name,
        content_type,
        len(content),
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == city_officer
    stored = list(evidence_folder.rglob("*"))
    assert [p.read_bytes() for p in stored if p.is_file()] == [content]
    assert name not in evidence.file.name
