"""The API docs page in real Chromium: Swagger UI from the portal's own static files renders
every operation under the strict CSP, without a single violation, and can call the API."""

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_with_no_csp_violation(page):
    from playwright.sync_api import expect

    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    console, outside = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((page.base_url, "data:"))
            else None
        ),
    )
    response = page.goto(page.base_url + "/api/v1/docs/")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Oncology Portal open data API"
    )
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/v1/departments/{slug}/")).to_have_count(1)
    expect(operations.filter(has_text="/api/v1/search/")).to_have_count(1)
    assert operations.count() >= 11

    # Try one call from the page, as a developer would (fetch to the same origin).
    block = page.locator(".opblock", has=page.locator('[data-path="/api/v1/services/"]'))
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    expect(block.locator(".live-responses-table tr.response .response-col_status")).to_have_text(
        "200"
    )
    expect(block.locator(".live-responses-table")).to_contain_text("chemotherapy")

    page.wait_for_timeout(300)
    assert page.evaluate("window.__violations") == []
    assert not [text for text in console if "Content Security Policy" in text]
    assert outside == []  # no CDN, no outside validator badge
