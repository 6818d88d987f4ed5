"""Helpers shared by the tests."""


def axe_violations(browser_page):
    """Run axe-core (WCAG 2.1 A/AA and best-practice rules) and return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        browser_page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]
