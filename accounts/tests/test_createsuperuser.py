"""`createsuperuser` with an email login and a name, unattended and at a terminal."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUPERUSER_PASSWORD = "Root-of-all-7asks!"


def log_in_status(client, email: str, password: str) -> int:
    return client.post(reverse("auth-login"), {"email": email, "password": password}).status_code


def assert_superuser_who_can_log_in(client, email: str, name: str) -> None:
    user = User.objects.get(email=email)
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.name == name
    assert user.has_usable_password()
    assert log_in_status(client, email, SUPERUSER_PASSWORD) == 200


# --- Unattended (--noinput) -------------------------------------------------


@pytest.fixture
def superuser_env(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root@Example.ORG")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", SUPERUSER_PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_NAME", "Root Operator")
    return monkeypatch


def create_unattended() -> str:
    out = StringIO()
    call_command("createsuperuser", interactive=False, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.usefixtures("superuser_env")
def test_noinput_creates_a_superuser_from_the_environment_who_can_log_in(api_client):
    out = create_unattended()

    assert "Superuser created successfully." in out
    assert_superuser_who_can_log_in(api_client, "root@example.org", "Root Operator")
    assert log_in_status(api_client, "ROOT@example.org", SUPERUSER_PASSWORD) == 200


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SUPERUSER_EMAIL", "You must use --email with --noinput."),
        ("DJANGO_SUPERUSER_NAME", "You must use --name with --noinput."),
    ],
)
def test_noinput_without_email_or_name_is_refused(superuser_env, missing, message):
    superuser_env.delenv(missing)

    with pytest.raises(CommandError, match=message):
        create_unattended()

    assert not User.objects.exists()


def test_noinput_with_an_email_taken_in_another_case_is_refused(superuser_env):
    UserFactory(email="root@example.org")

    with pytest.raises(CommandError, match="That email address is already taken"):
        create_unattended()

    assert User.objects.get().is_superuser is False


def test_noinput_with_an_invalid_email_is_refused(superuser_env):
    superuser_env.setenv("DJANGO_SUPERUSER_EMAIL", "not-an-address")

    with pytest.raises(CommandError, match="valid email address"):
        create_unattended()

    assert not User.objects.exists()


def test_noinput_options_take_precedence_over_the_environment(superuser_env, api_client):
    call_command(
        "createsuperuser",
        interactive=False,
        email="ops@example.org",
        name="From Options",
        stdout=StringIO(),
    )

    assert_superuser_who_can_log_in(api_client, "ops@example.org", "From Options")


# --- At a terminal ----------------------------------------------------------


class Terminal(StringIO):
    def isatty(self):
        return True


@pytest.fixture
def terminal(monkeypatch):
    """Feeds answers to createsuperuser's prompts; records the prompts it showed."""

    class Answers:
        def __init__(self):
            self.inputs: dict[str, list[str]] = {}
            self.passwords: list[str] = []
            self.prompts: list[str] = []

        def input(self, prompt=""):
            self.prompts.append(prompt)
            for start, answers in self.inputs.items():
                if prompt.startswith(start):
                    return answers.pop(0)
            raise AssertionError(f"unexpected prompt {prompt!r}")

        def getpass(self, prompt="Password: "):
            self.prompts.append(prompt)
            return self.passwords.pop(0)

        def run(self) -> tuple[str, str]:
            out, err = StringIO(), StringIO()
            call_command("createsuperuser", stdin=Terminal(), stdout=out, stderr=err)
            return out.getvalue(), err.getvalue()

    answers = Answers()
    monkeypatch.setattr("builtins.input", answers.input)
    monkeypatch.setattr("getpass.getpass", answers.getpass)
    return answers


def test_interactive_asks_email_name_and_password_and_creates_a_superuser(terminal, api_client):
    terminal.inputs = {"Email address": ["Admin@Example.org"], "Name": ["Ada Admin"]}
    terminal.passwords = [SUPERUSER_PASSWORD, SUPERUSER_PASSWORD]

    out, _ = terminal.run()

    assert "Superuser created successfully." in out
    assert terminal.prompts[0].startswith("Email address")
    assert terminal.prompts[1:] == ["Name: ", "Password: ", "Password (again): "]
    assert not any("username" in prompt.lower() for prompt in terminal.prompts)
    assert_superuser_who_can_log_in(api_client, "admin@example.org", "Ada Admin")


def test_interactive_asks_again_after_a_taken_email_or_mismatched_passwords(terminal, api_client):
    UserFactory(email="taken@example.org")
    terminal.inputs = {
        "Email address": ["TAKEN@example.org", "fresh@example.org"],
        "Name": ["Fresh"],
    }
    terminal.passwords = [SUPERUSER_PASSWORD, "something else"] + [SUPERUSER_PASSWORD] * 2

    _, err = terminal.run()

    assert "That email address is already taken." in err
    assert "Your passwords didn't match." in err
    assert_superuser_who_can_log_in(api_client, "fresh@example.org", "Fresh")
    assert User.objects.count() == 2


# --- As run from a terminal --------------------------------------------------


def test_help_describes_the_email_and_name_options():
    command = load_command_class("django.contrib.auth", "createsuperuser")
    text = command.create_parser("manage.py", "createsuperuser").format_help()

    assert "--email" in text
    assert "--name" in text
    assert "--username" not in text


def test_noinput_without_an_email_is_refused():
    with pytest.raises(CommandError, match="^You must use --email with --noinput.$"):
        call_command("createsuperuser", interactive=False, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(databases=[])
def test_noinput_without_an_email_exits_1_with_a_one_line_reason(tmp_path):
    # A real process: the exit status and the one line reach the terminal.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_SUPERUSER_")
    }
    database_url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=settings.BASE_DIR,
        env={**env, "DATABASE_URL": database_url, "ENV_FILE": os.devnull},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == ["CommandError: You must use --email with --noinput."]
