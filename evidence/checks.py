"""What an uploaded evidence file really is, read from its content and never from its name.

Accepted: PDF without scripts or actions that run by themselves, PNG and JPEG images that
decode, and Excel (.xlsx) and Word (.docx) packages without macros. Anything else is refused
with a sentence saying why. `filetype` reads the magic numbers; pypdf walks a PDF's objects;
an Office file's package structure is read with zipfile and defusedxml.
"""

import zipfile
from dataclasses import dataclass

import filetype
from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Each file at most this (10 MB): the site's upload limit, held while the body streams in.
MAX_BYTES = settings.UPLOAD_MAX_BYTES

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", XLSX: ".xlsx", DOCX: ".docx"}

# An Office package's main part, and the content type it must declare.
OOXML_MAIN = {
    "/xl/workbook.xml": (
        XLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "/word/document.xml": (
        DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# A package that unpacks to more than this, or any part compressed more than this ratio, is
# treated as a zip bomb.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200

# PDF dictionary keys that make a viewer run something by itself or carry other files; and
# the action types (/S) that do.
PDF_RISKY_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
PDF_RISKY_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/Rendition",
    "/RichMediaExecute",
    "/GoToE",
}
PDF_MAX_OBJECTS = 500_000


def _macros() -> str:
    return _("The file contains macros: save it as .xlsx or .docx without them.")


class Refused(ValueError):
    """The file is not accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class Detected:
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def inspect(upload) -> Detected:
    """The type of an uploaded file (a Django UploadedFile or any binary file object), read
    from its content; Refused when it is not one that is accepted."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        raise Refused(_("The file is empty."))
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ("application/x-msdownload", "application/x-executable", "application/wasm"):
        raise Refused(
            _("The file is a program (%(type)s), whatever its name says: it was not accepted.")
            % {"type": mime}
        )
    if mime == PDF:
        _check_pdf(upload)
        return Detected(PDF)
    if mime in (PNG, JPEG):
        _check_image(upload, "PNG" if mime == PNG else "JPEG")
        return Detected(mime)
    if mime in ("application/zip", XLSX, DOCX):
        return Detected(_check_ooxml(upload))
    raise Refused(
        _(
            "Only PDF, PNG or JPEG images, Excel (.xlsx) and Word (.docx) files can be "
            "attached; this file is %(type)s."
        )
        % {"type": mime or _("something else (text, a web page or an unknown format)")}
    )


def _check_image(upload, expected: str) -> None:
    try:
        with Image.open(upload) as image:
            matches = image.format == expected
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        matches = False
    finally:
        upload.seek(0)
    if not matches:
        raise Refused(_("The image is damaged or not what it claims to be."))


def _check_pdf(upload) -> None:
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(
                _("The PDF is protected by a password, so it cannot be checked: remove it first.")
            )
        risky = _risky_pdf_objects(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as error:
        if isinstance(error, Refused):
            raise
        raise Refused(_("The PDF is damaged and cannot be read.")) from None
    finally:
        upload.seek(0)
    if risky:
        raise Refused(
            _(
                "The PDF contains scripts or actions that run when it is opened (%(what)s); "
                "for safety it was not accepted. Print it to a new PDF, or scan the paper "
                "document, and attach that."
            )
            % {"what": ", ".join(sorted(risky))}
        )


def _risky_pdf_objects(reader) -> set[str]:
    """The risky keys and actions found anywhere reachable from the document's trailer."""
    found, seen, stack = set(), set(), [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found |= PDF_RISKY_KEYS & set(item.keys())
            action = item.get("/S")
            if isinstance(action, NameObject) and action in PDF_RISKY_ACTIONS:
                found.add(str(action))
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _check_ooxml(upload) -> str:
    """XLSX or DOCX, from the package's declared main part; Refused otherwise."""
    try:
        with zipfile.ZipFile(upload) as package:
            parts = package.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MAX_UNPACKED or any(
                part.file_size > MAX_RATIO * max(part.compress_size, 1) for part in parts
            ):
                raise Refused(_("The file unpacks to far more than its size: not accepted."))
            names = {part.filename for part in parts}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Refused(_macros())
            declared = ElementTree.fromstring(package.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as error:
        if isinstance(error, Refused):
            raise
        raise Refused(_("The file is an archive, not an Excel or Word document.")) from None
    finally:
        upload.seek(0)
    overrides = {
        element.get("PartName"): element.get("ContentType")
        for element in declared.iter(f"{CONTENT_TYPES_NS}Override")
    }
    for part, (content_type, main_type) in OOXML_MAIN.items():
        if overrides.get(part) == main_type and part.lstrip("/") in names:
            return content_type
    if any("macroEnabled" in (value or "") for value in overrides.values()):
        raise Refused(_macros())
    raise Refused(_("The file is an archive, not an Excel or Word document."))
