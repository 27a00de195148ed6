"""How long the input channels take on the largest files they accept, and on hostile ones.

    .venv/bin/python bench/imports.py                       # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_imports_bench \\
        .venv/bin/python bench/imports.py                   # PostgreSQL: its tables are emptied

Prints, through the import page as a browser uses it (the preview, then the confirm): a
whole plan's history (every city × every quarter 2018–2022 × every city indicator, 7,560
rows) imported and approved into an empty database, then imported again with every value
changed; and, apart from the database, a 2,000,000-row CSV given to `import_figures` and the
400,000-junk-row sheet of tests/corpus given to the upload (time, and peak Python memory
measured on a second run so that tracing does not slow the timed one). Progress is
recomputed in the worker in production; here the request's own share is timed (the
recompute is left to a broker that is not there).
"""

import contextlib
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipplan.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["ALLOWED_HOSTS"] = "testserver"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from targets.models import Figure, Indicator, Prefecture, ReportingPeriod  # noqa: E402
from targets.periods import Quarter  # noqa: E402
from targets.seeding import seed_plan, seed_prefectures  # noqa: E402
from targets.spreadsheets import UnreadableSheet, read_quarter_workbook  # noqa: E402
from targets.tasks import Enqueued  # noqa: E402

# Issue 13's aim on PostgreSQL, well inside gunicorn's 30 s timeout (deploy/gunicorn.conf.py).
CONFIRM_GOAL = 5


def history(scale: int) -> bytes:
    lines = ["prefecture,indicator,period,value,denominator,note"]
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.first()))
    for prefecture in Prefecture.objects.all():
        # The plan's whole history, 2018Q1 to 2022Q4, not the quarters since.
        for period in ReportingPeriod.objects.filter(year__lte=2022):
            for index, indicator in enumerate(indicators):
                value, denominator = 100 * scale + index, ""
                if indicator.kind in ("coverage", "milestone"):
                    value = "yes"
                elif indicator.code == "hitech_compliance_rate":
                    denominator = 1000 * scale
                lines.append(f"{prefecture.code},{indicator.code},{period},{value},{denominator},")
    return "\n".join(lines).encode()


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def peak(action) -> float:
    tracemalloc.start()
    action()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top / 1024**2


def through_the_page(client, data: bytes) -> tuple[float, float]:
    upload = io.BytesIO(data)
    upload.name = "history.csv"
    preview, response = timed(lambda: client.post("/import/", {"file": upload, "approve": "on"}))
    assert response.status_code == 200, response.status_code
    confirm, response = timed(lambda: client.post("/import/confirm/"))
    assert response.status_code == 302, response.status_code
    return preview, confirm


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    seed_prefectures()
    seed_plan()
    staff = User.objects.create_user("bench", password="x")
    staff.groups.add(Role(Role.PROVINCIAL).group)
    client = Client()
    client.force_login(staff)
    # The recompute is the worker's job in production: the request only marks what changed
    # and enqueues it.
    Enqueued.send = lambda self: None

    first = history(1)
    rows = first.count(b"\n")
    database = connection.vendor
    # Static files named by their source paths: no `collectstatic` needed first.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        DEBUG=False, STORAGES={**settings.STORAGES, "staticfiles": plain_static}
    ):
        preview, confirm = through_the_page(client, first)
        print(f"{database}: {rows} rows into an empty database: preview {preview:.2f} s, "
              f"confirm {confirm:.2f} s ({Figure.objects.count()} figures)")  # fmt: skip
        slowest = confirm
        preview, confirm = through_the_page(client, history(2))
        print(f"{database}: {rows} rows changing every figure: preview {preview:.2f} s, "
              f"confirm {confirm:.2f} s")  # fmt: skip
        slowest = max(slowest, confirm)
    held = "held" if slowest <= CONFIRM_GOAL else "NOT held"
    print(f"goal import confirm, a plan's history   {slowest:.2f} s  goal ≤ {CONFIRM_GOAL:g} s  "
          f"{held}")  # fmt: skip

    huge = Path(tempfile.mkdtemp()) / "huge.csv"
    with huge.open("w") as out:
        out.write("prefecture,indicator,period,value,denominator,note\n")
        for _ in range(200):
            out.write("440100,patent_agents,2019Q4,1,,\n" * 10_000)

    def command():
        with contextlib.suppress(CommandError):
            call_command("import_figures", huge, user="bench", stderr=io.StringIO())

    took = timed(command)[0]
    print(f"2,000,000-row CSV ({huge.stat().st_size / 1024**2:.0f} MB) refused by "
          f"import_figures in {took:.2f} s, peak {peak(command):.1f} MB")  # fmt: skip

    junk = (ROOT / "tests" / "corpus" / "junk-rows-400000.xlsx").read_bytes()
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.get(code="440100")))

    def upload():
        with contextlib.suppress(UnreadableSheet):
            read_quarter_workbook(
                junk, reporter="440100", quarter=Quarter(2022, 4), indicators=indicators
            )

    took = timed(upload)[0]
    print(f"400,000 junk rows ({len(junk) / 1024:.0f} kB) refused by the upload in "
          f"{took * 1000:.1f} ms, peak {peak(upload):.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
