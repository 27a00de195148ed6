"""A summary too slow to make in the request: the page waits for the worker, then offers the
file, without reloading itself."""

import pytest

from accounts.models import User
from tests.workers import start_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_summary_is_prepared_by_a_worker_and_offered_when_ready(
    open_as, live_server, demo, own_redis, broker, settings, tmp_path
):
    settings.PDF_SUMMARY_WAIT_SECONDS = 0  # every summary goes by the slow path
    broker(own_redis)
    log = tmp_path / "worker.log"
    worker = start_worker(own_redis, log)
    try:
        page = open_as(User.objects.get(username="lingdao"), password="ipplan-demo")
        page.goto(f"{live_server.url}/dashboard/?quarter=2025Q3")
        page.get_by_role("link", name="下载PDF摘要").click()
        assert "正在生成摘要" in page.locator("#summary-state").inner_text()
        page.evaluate("window.stillTheSamePage = true")
        ready = page.get_by_role("link", name="下载PDF摘要文件")
        ready.wait_for(state="visible", timeout=120_000)
        assert page.locator("#summary-state").inner_text() == "摘要已生成。"
        assert page.evaluate("window.stillTheSamePage"), "the page reloaded itself"
        with page.expect_download() as download:
            ready.click()
        pdf = download.value.path().read_bytes()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert pdf.startswith(b"%PDF-"), log.read_text()
    assert download.value.suggested_filename == "进展摘要-广东省-2025Q3.pdf"
