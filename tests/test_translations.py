"""Every user-facing string has a Chinese translation, and the compiled catalogue is current."""

import gettext
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings

CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def missing(catalogue: polib.POFile) -> list[str]:
    return [entry.msgid for entry in catalogue if not entry.translated() or entry.obsolete]


def test_every_string_in_the_catalogue_is_translated():
    assert missing(polib.pofile(str(CATALOGUE))) == []


def test_the_compiled_catalogue_matches_the_translations():
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgid_plural:
            assert (
                translations.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            )
        else:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            assert translations._catalog.get(key) == entry.msgstr, entry.msgid


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: `make test` installs Debian's gettext package.")
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "*.sqlite3", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(project / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert missing(extracted) == [], "run `make messages` and translate the new strings"
