"""The Django admin as staff use it: log in, find a task, complete it with an action."""

import re

from playwright.sync_api import expect


def log_in(page, account):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(account.name)


def completed_filter(page, choice):
    by_completed = page.locator("#changelist-filter details").filter(has_text="By completed")
    by_completed.get_by_role("link", name=choice, exact=True).click()


def test_mark_selected_tasks_as_completed(page, api, superuser, owner, owner_tasks):
    task = owner_tasks["passport"]
    log_in(page, superuser)
    page.locator("#content-main tr.model-task th a").click()
    expect(page.get_by_role("heading", name="Select task to change")).to_be_visible()

    page.locator("#searchbar").fill(task["title"])
    page.get_by_role("button", name="Search").click()
    completed_filter(page, "No")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(task["title"])
    expect(rows.first.locator("td.field-completed img")).to_have_attribute("alt", "False")

    rows.first.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Mark selected tasks as completed")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("ul.messagelist li")).to_have_text("1 task(s) marked as completed.")

    completed_filter(page, "Yes")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(task["title"])
    expect(rows.first.locator("td.field-completed img")).to_have_attribute("alt", "True")

    stored = api.get_task(api.login(owner), task["id"])
    assert stored["completed"] is True
    assert stored["completed_at"] is not None
