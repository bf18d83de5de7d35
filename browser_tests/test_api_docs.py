"""Swagger UI and ReDoc, served by the application itself, work in a browser."""

import json

from playwright.sync_api import expect


def test_swagger_ui_lists_the_callers_tasks(page, api, owner, owner_tasks, stranger_task):
    token = api.login(owner)
    page.goto("/api/docs/")

    page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    scheme = dialog.locator(".auth-container").filter(has_text="jwtAuth")
    expect(scheme).to_contain_text("Bearer")
    scheme.get_by_role("textbox").fill(token)
    # Swagger UI labels its dialog buttons for screen readers: "Apply credentials"
    # is the Authorize button, "Remove authorization" the Logout one.
    scheme.get_by_role("button", name="Apply credentials").click()
    expect(scheme.get_by_role("button", name="Remove authorization")).to_be_visible()
    scheme.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    operation = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/api/tasks/"]')
    )
    operation.get_by_role("button", name="List the caller's tasks").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    body = json.loads(response.locator(".response-col_description pre").first.inner_text())
    titles = sorted(task["title"] for task in body)
    assert titles == sorted(task["title"] for task in owner_tasks.values())
    assert stranger_task["title"] not in titles


def test_redoc_lists_the_task_endpoints(page):
    page.goto("/api/redoc/")
    for summary in ["List the caller's tasks", "Create a task", "Get a task"]:
        expect(page.get_by_role("heading", name=summary).first).to_be_visible()
