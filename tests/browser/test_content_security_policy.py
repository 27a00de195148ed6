"""The pages, charts included, work under the site's Content-Security-Policy."""


def test_charts_draw_under_the_content_security_policy(open_as, live_server, leadership, plan):
    page = open_as(leadership)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if message.type == "error" else None
    )
    response = page.goto(f"{live_server.url}/dashboard/indicators/patent_agents/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("[data-chart=series] .main-svg")
    page.goto(f"{live_server.url}/dashboard/map/")
    page.wait_for_selector("[data-chart=map] .main-svg")
    assert [text for text in refused if "Content Security Policy" in text] == []
