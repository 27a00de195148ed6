"""A backup made as README says restores into an empty database with every figure and revision,
and with every evidence file.

SQLite: `manage.py dumpdata` then `migrate` + `loaddata`; PostgreSQL: `pg_dump` then
`pg_restore` into a new database. Evidence files: `tar` of MEDIA_ROOT's evidence folder,
made after the database dump, unpacked into the new MEDIA_ROOT.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from contextlib import closing
from decimal import Decimal

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection

from evidence.models import EvidenceFile
from targets.models import (
    Figure,
    FigureRevision,
    Indicator,
    Prefecture,
    ReportingPeriod,
    SubmissionEvent,
)
from targets.reporting import Entry, save_quarter, submit_quarter

COUNT_SQL = {
    "figures": "SELECT COUNT(*), SUM(value) FROM targets_figure",
    "revisions": "SELECT COUNT(*), SUM(new_value) FROM targets_figurerevision",
    "events": "SELECT COUNT(*), COUNT(DISTINCT action) FROM targets_submissionevent",
    "evidence": "SELECT COUNT(*), SUM(size) FROM evidence_evidencefile",
}
EVIDENCE = [("认定文件.pdf", b"%PDF-1.4 first"), ("合同.pdf", b"%PDF-1.4 second, longer")]


# The procedure README gives for SQLite.
DUMPDATA_OPTIONS = [
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
]
COUNT_SCRIPT = """
import django, json
django.setup()
from django.db import connection
cursor = connection.cursor()
counts = {{name: cursor.execute(query).fetchone() for name, query in {queries!r}.items()}}
print(json.dumps(counts, default=float))
"""
# Run against the restored database and MEDIA_ROOT: each evidence file's content, by name.
FILES_SCRIPT = """
import django, hashlib, json
django.setup()
from evidence.models import EvidenceFile
print(json.dumps({
    f.name: [f.sha256, hashlib.sha256(f.file.open("rb").read()).hexdigest()]
    for f in EvidenceFile.objects.all()
}))
"""


def reported(plan, city_officer):
    guangzhou = Prefecture.objects.get(code="440100")
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    indicators = list(Indicator.objects.reported_by(guangzhou))
    for version, value in enumerate([Decimal("5.5"), Decimal(7)]):
        submission, _ = save_quarter(
            prefecture=guangzhou,
            period=period,
            user=city_officer,
            entries={
                i: Entry(value, Decimal(20) if i.code == "hitech_compliance_rate" else None)
                for i in indicators
            },
            seen_version=version,
        )
    for name, content in EVIDENCE:
        evidence = EvidenceFile(
            submission=submission,
            name=name,
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=city_officer,
        )
        evidence.file.save("upload", ContentFile(content))
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    return {
        "figures": [Figure.objects.count(), sum(f.value for f in Figure.objects.all())],
        "revisions": [
            FigureRevision.objects.count(),
            sum(r.new_value for r in FigureRevision.objects.all()),
        ],
        "events": [SubmissionEvent.objects.count(), 2],
        "evidence": [len(EVIDENCE), sum(len(content) for _name, content in EVIDENCE)],
    }


@pytest.fixture
def media(monkeypatch, tmp_path):
    """The site's MEDIA_ROOT and the one restored into: evidence files go to the first."""
    site, restored = tmp_path / "media", tmp_path / "restored-media"
    restored.mkdir()
    field = EvidenceFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=site / "evidence"))
    return site, restored


def back_up_and_restore_files(site, restored, tmp_path) -> dict:
    """README's procedure for the evidence files; what the restored site reads back."""
    archive = tmp_path / "ipplan-files.tar.gz"
    run(["tar", "--create", "--gzip", f"--file={archive}", f"--directory={site}", "evidence"])
    run(["tar", "--extract", "--gzip", f"--file={archive}", f"--directory={restored}"])
    return {name: [digest, digest] for name, digest in _digests()}


def _digests():
    return [(e.name, e.sha256) for e in EvidenceFile.objects.all()]


def numbers(rows):
    return {name: [float(value) for value in row] for name, row in rows.items()}


def run(command, **env):
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite procedure")
def test_dumpdata_restores_into_an_empty_sqlite_database(plan, city_officer, tmp_path, media):
    expected = reported(plan, city_officer)
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        output=str(backup),
    )
    restored = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    run([sys.executable, "manage.py", "migrate", "--noinput"], DATABASE_URL=restored)
    run([sys.executable, "manage.py", "loaddata", str(backup)], DATABASE_URL=restored)
    script = COUNT_SCRIPT.format(queries=COUNT_SQL)
    counts = json.loads(run([sys.executable, "-c", script], DATABASE_URL=restored).stdout)
    assert numbers(counts) == numbers(expected)
    files = back_up_and_restore_files(*media, tmp_path)
    environment = {"DATABASE_URL": restored, "MEDIA_ROOT": str(media[1])}
    assert json.loads(run([sys.executable, "-c", FILES_SCRIPT], **environment).stdout) == files


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL procedure")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_restores_into_an_empty_postgresql_database(plan, city_officer, tmp_path, media):
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: install postgresql-client")
    expected = reported(plan, city_officer)
    config = connection.settings_dict
    url = f"postgres://{config['USER']}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    backup = tmp_path / "ipplan.dump"
    run(["pg_dump", "--format=custom", f"--file={backup}", f"{url}/{config['NAME']}"])
    target = "ipplan_restore_test"
    run(["dropdb", "--if-exists", f"--maintenance-db={url}/postgres", target])
    run(["createdb", f"--maintenance-db={url}/postgres", target])
    try:
        run(["pg_restore", "--no-owner", f"--dbname={url}/{target}", str(backup)])
        with closing(psycopg2.connect(f"{url}/{target}")) as restored:
            counts = {}
            with restored.cursor() as cursor:
                for name, query in COUNT_SQL.items():
                    cursor.execute(query)
                    counts[name] = cursor.fetchone()
        files = back_up_and_restore_files(*media, tmp_path)
        environment = {"DATABASE_URL": f"{url}/{target}", "MEDIA_ROOT": str(media[1])}
        read_back = json.loads(run([sys.executable, "-c", FILES_SCRIPT], **environment).stdout)
    finally:
        run(["dropdb", "--if-exists", f"--maintenance-db={url}/postgres", target])
    assert numbers(counts) == numbers(expected)
    assert read_back == files
