"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core on every page visited.

Skipped when /usr/bin/chromium is missing (a newcomer's machine); CI's second run makes a skip a failure.
"""
import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests and run them last (the quick feedback of the rest comes first)."""
    navegador, resto = [], []
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            navegador.append(item)
        else:
            resto.append(item)
    items[:] = resto + navegador


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread while
# the browser is open, and code that calls asyncio.run() (pyHanko's signing) fails inside it. Closing
# the browser after each module lets the rest of the suite run in any order.
@pytest.fixture(scope="module")
def navegador():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def pagina(navegador, live_server):
    """A fresh browser context (own cookies) at phone-friendly desktop width."""
    context = navegador.new_context(viewport={"width": 1280, "height": 900}, locale="es-EC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def assert_sin_violaciones(page) -> None:
    """axe-core (WCAG 2.1 A/AA rules) finds nothing on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    resultado = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    violaciones = resultado.response.get("violations", [])
    detalle = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in violaciones
    ]
    assert not violaciones, f"axe en {page.url}:\n" + "\n".join(detalle)
