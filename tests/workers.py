"""Starting real Celery workers (and a Redis of their own) for the tests that need them."""

import os
import shutil
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

from ipplan.celery import app as celery_app


def database_url_of_this_test() -> str:
    """The test database, as a URL a worker process can open (SQLite tests use a file)."""
    config = connection.settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    host = config["HOST"] or "127.0.0.1"
    return f"postgres://{config['USER']}{password}@{host}:{config['PORT'] or 5432}/{config['NAME']}"


def start_worker(broker_url: str, log_path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "ipplan", "worker", "--pool", "solo"]
    command += ["--loglevel", "info", "--without-gossip", "--without-mingle"]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_this_test(),
        "CELERY_BROKER_URL": broker_url,
    }
    worker = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log_path.open("a"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        assert worker.poll() is None, "the worker stopped: " + log_path.read_text()
        assert time.monotonic() < deadline, "the worker did not start"
    return worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen, str] | None:
    """A Redis of the test's own on a spare loopback port, or None when none is installed."""
    if not shutil.which("redis-server"):
        return None
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError("redis-server did not start")
