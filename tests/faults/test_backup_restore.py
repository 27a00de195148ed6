"""A backup made as README says restores into an empty database with every figure and revision.

SQLite: `manage.py dumpdata` then `migrate` + `loaddata`; PostgreSQL: `pg_dump` then
`pg_restore` into a new database.
"""

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
from django.core.management import call_command
from django.db import connection

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
}


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
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    return {
        "figures": [Figure.objects.count(), sum(f.value for f in Figure.objects.all())],
        "revisions": [
            FigureRevision.objects.count(),
            sum(r.new_value for r in FigureRevision.objects.all()),
        ],
        "events": [SubmissionEvent.objects.count(), 2],
    }


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
def test_dumpdata_restores_into_an_empty_sqlite_database(plan, city_officer, tmp_path):
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL procedure")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_restores_into_an_empty_postgresql_database(plan, city_officer, tmp_path):
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
    finally:
        run(["dropdb", "--if-exists", f"--maintenance-db={url}/postgres", target])
    assert numbers(counts) == numbers(expected)
