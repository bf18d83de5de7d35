"""The user admin: email is the login (no username anywhere), passwords.

Its column of task counts is tested with the tasks (tasks/tests/test_user_admin.py).
"""

import html

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "An0ther-Strong-passw0rd!"


def add_form(**overrides) -> dict:
    return {
        "email": "new.person@example.org",
        "name": "New Person",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "_save": "Save",
        **overrides,
    }


def tasks_changelist_for(user) -> str:
    return f"{reverse('admin:tasks_task_changelist')}?user__id__exact={user.pk}"


# --- Adding a user ----------------------------------------------------------


def test_add_form_asks_for_email_name_password_and_confirmation_and_no_username(
    admin_session,
):
    response = admin_session.get(reverse("admin:accounts_user_add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"email", "name", "password1", "password2"} <= set(form.fields)
    assert "username" not in form.fields
    page = response.content.decode()
    for name in ("email", "name", "password1", "password2"):
        assert f'name="{name}"' in page
    assert "username" not in page.lower()


def test_adding_a_user_gives_them_a_password_they_can_log_in_with(admin_session, api_client):
    response = admin_session.post(
        reverse("admin:accounts_user_add"), add_form(email="New.Person@Example.ORG")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "New Person"
    assert user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    assert authenticate(email="new.person@example.org", password=NEW_PASSWORD) == user
    login = api_client.post(
        reverse("auth-login"), {"email": "new.person@example.org", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200, login.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "not-the-same-passw0rd!"}, "password2"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"password1": "12345", "password2": "12345"}, "password2"),
    ],
    ids=["mismatched-passwords", "bad-email", "no-email", "weak-password"],
)
def test_add_form_refuses_bad_input_and_creates_nobody(admin_session, overrides, field):
    users_before = User.objects.count()

    response = admin_session.post(reverse("admin:accounts_user_add"), add_form(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert User.objects.count() == users_before


def test_add_form_refuses_an_email_taken_in_another_case(admin_session):
    UserFactory(email="taken@example.org")

    response = admin_session.post(
        reverse("admin:accounts_user_add"), add_form(email="TAKEN@example.org")
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email="taken@example.org").count() == 1


# --- Changing a user --------------------------------------------------------


def test_change_page_has_no_username_and_links_to_the_users_tasks(admin_session, user):
    response = admin_session.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "username" not in form.fields
    page = response.content.decode()
    assert "username" not in page.lower()
    assert f'href="{html.escape(tasks_changelist_for(user))}"' in page


def test_editing_a_user_in_the_admin_keeps_their_password(admin_session, user):
    url = reverse("admin:accounts_user_change", args=[user.pk])

    response = admin_session.post(
        url,
        {
            "email": user.email,
            "name": "Renamed",
            "is_active": "on",
            "groups": [],
            "user_permissions": [],
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.name == "Renamed"
    assert user.check_password(PASSWORD)


def test_change_password_form_sets_a_new_password(admin_session, user):
    url = f"/admin/accounts/user/{user.pk}/password/"
    assert url == reverse("admin:auth_user_password_change", args=[user.pk])

    page = admin_session.get(url)
    response = admin_session.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert authenticate(email=user.email, password=NEW_PASSWORD) == user


def test_change_password_form_refuses_mismatched_passwords(admin_session, user):
    url = f"/admin/accounts/user/{user.pk}/password/"

    response = admin_session.post(
        url,
        {"password1": NEW_PASSWORD, "password2": "different-passw0rd!", "usable_password": "true"},
    )

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_search_finds_users_by_email_or_name(admin_session):
    UserFactory(email="grace@example.org", name="Grace Hopper")
    UserFactory(email="alan@example.org", name="Alan Turing")
    changelist = reverse("admin:accounts_user_changelist")

    by_email = admin_session.get(changelist, {"q": "grace@"}).context["cl"].result_list
    by_name = admin_session.get(changelist, {"q": "turing"}).context["cl"].result_list

    assert [user.email for user in by_email] == ["grace@example.org"]
    assert [user.email for user in by_name] == ["alan@example.org"]
