"""Fixtures for the browser tests: a production server, Chromium, users and tasks.

The server runs once per session on a fresh SQLite file (or on the database
BROWSER_DATABASE_URL names); every name and email carries a random run id so
that a shared PostgreSQL database can be reused between runs.
"""

import os
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from browser_tests.api import Account, ApiClient
from browser_tests.front_end import FrontEndServer
from harness.server import ProductionServer

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium hangs on the connections
# this machine refuses (no internet beyond the package mirrors).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = item.funcargs.get("page") if report.when == "call" else None
    if report.failed and page is not None:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
        try:
            page.screenshot(path=path, full_page=True)
            report.sections.append(("screenshot", str(path)))
        except PlaywrightError as exc:
            report.sections.append(("screenshot", f"none taken: {exc}"))
    return report


@pytest.fixture(scope="session")
def run_id() -> str:
    return secrets.token_hex(4)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests drive Debian's chromium package. "
            "Install it with `make browser-deps` (apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def front_end():
    server = FrontEndServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, front_end):
    workdir = tmp_path_factory.mktemp("server")
    database_url = os.environ.get("BROWSER_DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}"
    server = ProductionServer(
        database_url=database_url,
        workdir=workdir,
        log_path=ARTIFACTS_DIR / "server.log",
        env={"CORS_ALLOWED_ORIGINS": front_end.url},
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def api(server) -> ApiClient:
    return ApiClient(server.url)


@pytest.fixture(scope="session")
def superuser(server, run_id) -> Account:
    account = Account(f"admin-{run_id}@example.org", secrets.token_urlsafe(16), "Ada Admin")
    server.manage(
        "createsuperuser",
        "--noinput",
        env={
            "DJANGO_SUPERUSER_EMAIL": account.email,
            "DJANGO_SUPERUSER_PASSWORD": account.password,
            "DJANGO_SUPERUSER_NAME": account.name,
        },
    )
    return account


@pytest.fixture(scope="session")
def owner(api, run_id) -> Account:
    account = Account(f"owner-{run_id}@example.org", secrets.token_urlsafe(16), "Olive Owner")
    api.register(account)
    return account


@pytest.fixture(scope="session")
def owner_tasks(api, owner, run_id) -> dict[str, dict]:
    """The owner's tasks by a short name: milk and passport pending, taxes completed."""
    token = api.login(owner)
    taxes = api.create_task(token, title=f"File taxes {run_id}", priority="low")
    return {
        "milk": api.create_task(token, title=f"Buy milk {run_id}", priority="high"),
        "passport": api.create_task(token, title=f"Renew passport {run_id}"),
        "taxes": api.complete_task(token, taxes["id"]),
    }


@pytest.fixture(scope="session")
def stranger_task(api, run_id) -> dict:
    """A task of another user, which the owner must never see."""
    account = Account(f"stranger-{run_id}@example.org", secrets.token_urlsafe(16), "Stan")
    return api.create_task(api.register(account), title=f"Stranger's task {run_id}")
