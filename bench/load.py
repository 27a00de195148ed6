"""The deadline rush: every city saves and submits a quarter at once while provincial staff
read the dashboards. Runs gunicorn on 127.0.0.1 against PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipplan_load .venv/bin/python bench/load.py

Two rounds: the 21 cities, then 300 (279 simulated). Each city loads its form, saves every
figure and submits; READERS provincial sessions read the overview and an indicator page until
the cities are done. Bounded: each round stops after ROUND_SECONDS whatever happens. Prints
throughput, median and 95th-percentile latency per kind of request and the gunicorn workers'
peak memory, then checks that every submitted figure is stored exactly once with its history.
The database named in DATABASE_URL is emptied.
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
READERS = 4
WORKERS = 5
ROUND_SECONDS = 180
QUARTER = "2022Q4"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ipplan_load")
os.environ.setdefault("SECRET_KEY", "load-benchmark-only")
os.environ["DEBUG"] = "false"
os.environ["DJANGO_SETTINGS_MODULE"] = "ipplan.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from targets.models import Figure, FigureRevision, Indicator, Prefecture, Submission  # noqa: E402
from targets.seeding import seed_plan, seed_prefectures  # noqa: E402


def session_for(user) -> str:
    """A logged-in session made directly, so that the rush measures reporting, not hashing."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare(cities: int):
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    seed_prefectures()
    seed_plan()
    Prefecture.objects.bulk_create(
        Prefecture(
            code=f"{600000 + n}", name_zh=f"模拟{n}市", name_en=f"Sim {n}", display_order=100 + n
        )
        for n in range(cities - Prefecture.objects.count())
    )
    officers = []
    for prefecture in Prefecture.objects.all():
        user = User.objects.create(username=f"officer-{prefecture.code}", prefecture=prefecture)
        user.groups.add(Role.CITY.group)
        officers.append((prefecture.code, session_for(user)))
    reader = User.objects.create(username="reader")
    reader.groups.add(Role.PROVINCIAL.group)
    return officers, session_for(reader)


class Client:
    def __init__(self, port, session):
        self.port, self.cookies = port, {settings.SESSION_COOKIE_NAME: session}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response.status, text


def report_quarter(port, code, session, timings):
    client = Client(port, session)
    path = f"/report/{code}/{QUARTER}/"
    started = time.perf_counter()
    status, page = client.request("GET", path)
    timings["load form"].append(time.perf_counter() - started)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"csrfmiddlewaretoken": token, "seen_version": "0"}
    for name in re.findall(r'name="([a-z_0-9]+-value)"', page):
        form[name] = "1" if "coverage" in name else "10"
    form["hitech_compliance_rate-denominator"] = "40"
    for step in ("save", "submit"):
        started = time.perf_counter()
        status, _ = client.request("POST", path, form | {step: ""})
        timings[step].append(time.perf_counter() - started)
        if status != 302:
            raise RuntimeError(f"{code} {step}: HTTP {status}")
        form["seen_version"] = "1"


def read_dashboards(port, session, timings, done):
    client = Client(port, session)
    pages = ["/dashboard/", "/dashboard/indicators/patent_agents/", "/review/"]
    while not done.is_set():
        for path in pages:
            started = time.perf_counter()
            client.request("GET", path)
            timings["read " + path].append(time.perf_counter() - started)


def peak_memory_mib(master_pid) -> float:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    peaks = []
    for pid in children.stdout.split():
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024)
    return max(peaks, default=0)


def wait_until_serving(port, seconds=60):
    """Returns once the server answers a page with HTTP 200: an open socket is not yet a
    server ready to work (its workers may still be loading Django)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not answer within {seconds} s")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rush(cities: int):
    officers, reader = prepare(cities)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ipplan.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"},
    )  # fmt: skip
    try:
        wait_until_serving(port)
        timings, done = defaultdict(list), threading.Event()
        readers = [
            threading.Thread(target=read_dashboards, args=(port, reader, timings, done))
            for _ in range(READERS)
        ]
        for thread in readers:
            thread.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(cities, 50)) as pool:
            results = [pool.submit(report_quarter, port, c, s, timings) for c, s in officers]
            for result in results:
                result.result(timeout=max(1, ROUND_SECONDS - (time.perf_counter() - started)))
        elapsed = time.perf_counter() - started
        done.set()
        for thread in readers:
            thread.join(timeout=60)
        peak = peak_memory_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = sum(len(values) for values in timings.values())
    throughput = requests / elapsed
    print(f"\n{cities} cities: {elapsed:.1f} s, {requests} requests, {throughput:.1f} requests/s")
    for kind, values in sorted(timings.items()):
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
        median = statistics.median(values)
        line = f"  {kind:<42} n={len(values):<5} median {median * 1000:6.0f} ms"
        print(f"{line}  p95 {p95 * 1000:6.0f} ms")
    print(f"  gunicorn workers' peak memory: {peak:.0f} MiB each at most ({WORKERS} workers)")
    check(cities)


def check(cities: int):
    indicators = Indicator.objects.reported_by(Prefecture.objects.first()).count()
    submitted = Submission.objects.filter(status="submitted", prefecture__isnull=False)
    figures = Figure.objects.filter(submission__in=submitted)
    revisions = FigureRevision.objects.filter(figure__submission__in=submitted)
    ok = (
        submitted.count() == cities
        and figures.count() == cities * indicators
        and figures.values("submission", "indicator").distinct().count() == figures.count()
        and revisions.count() == figures.count()
        and all(s.events.count() == 2 for s in submitted)
    )
    verdict = "every figure stored once with its history" if ok else "MISMATCH"
    print(
        f"  check: {submitted.count()} submitted quarters, {figures.count()} figures, "
        f"{revisions.count()} revisions: {verdict}"
    )
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL.")
    for count in (21, 300):
        rush(count)
