"""Hostile uploads are refused, or neutralised, with a sentence saying so; nothing is kept."""

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.checks import MAX_BYTES
from evidence.models import EvidenceFile
from tests.evidence.conftest import DOCX_PARTS, pdf_bytes, zip_bytes

UPLOAD = reverse("evidence_upload", args=["440100", "2022Q4"])


def raw_pdf(catalog_extra: bytes, page_extra: bytes) -> bytes:
    """A hand-made PDF, for dangerous parts that a plain search of the bytes would miss or
    that take other routes than a document-level script."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] " + page_extra + b" >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


ESCAPED_NAME_JS = raw_pdf(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>", b"")
LAUNCH = raw_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>", b"")
PAGE_ACTION = raw_pdf(b"", b"/AA << /O << /S /JavaScript /JS (x) >> >>")


def attach(client, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(UPLOAD, {"file": upload}, follow=True)
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("report.pdf", b"MZ\x90\x00\x03" + bytes(200), "is a program (application/x-msdownload)"),
        ("report.pdf", b"\x7fELF\x02\x01\x01" + bytes(200), "is a program"),
        ("report.html", b"<!DOCTYPE html><script>alert(1)</script>", "a web page"),
        ("report.pdf", b"<html><body onload=alert(1)>", "a web page"),
        ("report.pdf", pdf_bytes(javascript="app.alert('hi')"), "/JavaScript"),
        ("report.pdf", ESCAPED_NAME_JS, "/JavaScript"),
        ("report.pdf", LAUNCH, "/Launch"),
        ("report.pdf", PAGE_ACTION, "/AA"),
        ("report.pdf", b"%PDF-1.4\nnot really a pdf", "damaged"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "damaged"),
        ("宏.xlsx", zip_bytes({**DOCX_PARTS, "word/vbaProject.bin": "x"}), "macros"),
        ("data.xlsx", zip_bytes({"a.txt": "hello"}), "an archive"),
        ("bomb.docx", zip_bytes({**DOCX_PARTS, "word/media/x.bin": "0" * 5_000_000}), "unpacks"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_hostile_file_is_refused_with_a_reason(client, draft, city_officer, name, content, says):
    client.force_login(city_officer)
    [message] = attach(client, name, content)
    assert message.startswith("No file was attached:")
    assert says in message
    assert not EvidenceFile.objects.exists()


def test_a_path_in_the_file_name_is_dropped_and_never_reaches_the_storage(
    client, draft, city_officer, evidence_folder
):
    client.force_login(city_officer)
    for name in ["../../../etc/cron.d/evil.pdf", "..\\..\\windows\\evil.pdf"]:
        [message] = attach(client, name, pdf_bytes())
        assert message == "Attached “evil.pdf”."
    assert list(EvidenceFile.objects.values_list("name", flat=True)) == ["evil.pdf", "evil.pdf"]
    stored = [path for path in evidence_folder.rglob("*") if path.is_file()]
    assert len(stored) == 2
    assert all(path.name != "evil.pdf" and path.is_relative_to(evidence_folder) for path in stored)


class SparseBody:
    """A multipart body whose file part is a 10 GB sparse file, read as a server would read
    the socket; it counts what was read."""

    def __init__(self, head: bytes, path, tail: bytes):
        self.parts = [io.BytesIO(head), open(path, "rb"), io.BytesIO(tail)]  # noqa: SIM115
        self.read_bytes = 0

    def read(self, size=-1):
        while self.parts:
            chunk = self.parts[0].read(size if size and size > 0 else 65536)
            if chunk:
                self.read_bytes += len(chunk)
                return chunk
            self.parts.pop(0).close()
        return b""

    def readline(self, size=-1):
        return self.read(size)


def test_a_huge_file_announced_as_small_is_cut_off_at_the_limit_while_it_streams(
    client, draft, city_officer, tmp_path
):
    sparse = tmp_path / "huge.pdf"
    with open(sparse, "wb") as file:
        file.truncate(10 * 1024**3)  # 10 GB of holes: no disk used
    boundary = "BoUnDaRy"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="small.pdf"\r\n'
        "Content-Type: application/pdf\r\nContent-Length: 1024\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = SparseBody(head, sparse, tail)
    client.force_login(city_officer)
    started = time.monotonic()
    response = client.generic(
        "POST",
        UPLOAD,
        **{
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "wsgi.input": body,
            "CONTENT_LENGTH": str(len(head) + os.path.getsize(sparse) + len(tail)),
        },
    )
    assert time.monotonic() - started < 30
    assert body.read_bytes < MAX_BYTES + 1024 * 1024
    assert response.status_code == 302
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == ["No file was attached: a file may be at most 10 MB."]
    assert not EvidenceFile.objects.exists()
