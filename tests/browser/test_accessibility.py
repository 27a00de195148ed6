"""axe-core, injected into the dashboards in Chromium, finds no serious or critical problem.

With IPPLAN_SCREENSHOTS set to a folder, the test also saves the pages there as README shows
them (`IPPLAN_SCREENSHOTS=docs make test`).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

AXE = settings.BASE_DIR / ".cache" / "axe.min.js"
PAGES = {
    "overview": "/dashboard/?quarter=2025Q3",
    "indicator": "/dashboard/indicators/key_protected_enterprises/?quarter=2025Q3",
    "prefecture": "/dashboard/prefectures/440100/?quarter=2025Q3",
}


def test_the_dashboards_pass_an_accessibility_scan(open_as, live_server, demo):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` fetches axe-core with npm.")
    from accounts.models import User

    # The site's CSP rightly refuses injected scripts; this one is the test's own tool.
    page = open_as(User.objects.get(username="lingdao"), password="ipplan-demo", bypass_csp=True)
    shots = os.environ.get("IPPLAN_SCREENSHOTS")
    problems = {}
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert result["passes"], "axe-core did not run"
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    assert problems == {}
