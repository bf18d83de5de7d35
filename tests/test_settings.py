"""Settings come from the environment; a production configuration without a secret is refused."""

import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.DEBUG, int(s.SIMPLE_JWT['ACCESS_TOKEN_LIFETIME'].total_seconds()), "
    "s.ALLOWED_HOSTS, s.CORS_ALLOWED_ORIGINS, s.DATABASES['default']['ENGINE'])"
)


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    test_run_only = ("SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT")
    clean = {k: v for k, v in os.environ.items() if k not in test_run_only}
    # A developer's own .env must not leak into these tests.
    clean.setdefault("ENV_FILE", os.devnull)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "todo_project.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start_with_one_line():
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check']; import manage; manage.main()",
        DEBUG="false",
        SECRET_KEY="",
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_settings_are_read_from_the_environment():
    result = run_python(
        f"import django; django.setup(); {PRINT_SETTINGS}",
        DEBUG="true",
        JWT_ACCESS_TOKEN_MINUTES="5",
        ALLOWED_HOSTS="api.example.org,localhost",
        CORS_ALLOWED_ORIGINS="https://app.example.org",
        DATABASE_URL="postgres://u:p@db.example.org:5432/todo",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2)[:2] == ["True", "300"]
    assert "['api.example.org', 'localhost']" in result.stdout
    assert "['https://app.example.org']" in result.stdout
    assert "postgresql" in result.stdout


def test_defaults_are_safe():
    result = run_python(f"import django; django.setup(); {PRINT_SETTINGS}", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    debug, access_seconds, _ = result.stdout.split(" ", 2)
    assert debug == "False"
    assert access_seconds == "900"
    # No browser origin is allowed until one is named (issue: CORS for bearer-token front ends).
    assert "http://localhost:5173" not in result.stdout


def test_debug_allows_the_local_dev_servers_origins():
    result = run_python(f"import django; django.setup(); {PRINT_SETTINGS}", DEBUG="true")
    assert "http://localhost:5173" in result.stdout


def test_env_file_is_read_without_overriding_the_environment(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nJWT_ACCESS_TOKEN_MINUTES=7\nALLOWED_HOSTS=from-file\n")
    result = run_python(
        f"import django; django.setup(); {PRINT_SETTINGS}",
        ENV_FILE=str(env_file),
        ALLOWED_HOSTS="from-environment",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2)[:2] == ["True", "420"]
    assert "['from-environment']" in result.stdout


def test_production_settings_pass_the_deployment_checklist():
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']; "
        "import manage; manage.main()",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-of-fifty-plus-characters",
        ALLOWED_HOSTS="todo.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


PRINT_EXTERNAL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "j = s.EXTERNAL_JWT.jwks; print(j.jwks_url, j.issuer, list(j.audiences), list(j.algorithms))"
)


def test_better_auth_url_configures_the_jwks_issuer():
    result = run_python(
        PRINT_EXTERNAL, SECRET_KEY="x" * 50, BETTER_AUTH_URL="http://localhost:3000"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "http://localhost:3000/api/auth/jwks",
        "http://localhost:3000",
        "['http://localhost:3000']",
        "['EdDSA',",
        "'ES256',",
        "'RS256']",
    ]


def test_no_external_issuer_by_default():
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(bool(s.EXTERNAL_JWT))",
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"EXTERNAL_JWT_JWKS_URL": "file:///etc/passwd"},
            "EXTERNAL_JWT_JWKS_URL must be an http(s) URL",
        ),
        (
            {"BETTER_AUTH_URL": "http://localhost:3000", "EXTERNAL_JWT_ALGORITHMS": "EdDSA,HS256"},
            "HS256",
        ),
        ({"BETTER_AUTH_URL": "http://localhost:3000", "EXTERNAL_JWT_ALGORITHMS": "RS1"}, "RS1"),
    ],
)
def test_a_bad_external_issuer_stops_the_server_with_one_line(env, reason):
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check']; import manage; manage.main()",
        SECRET_KEY="x" * 50,
        **env,
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("todo_project: configuration error:")
    assert reason in line


def test_any_host_with_debug_off_stops_the_server_with_one_line():
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check']; import manage; manage.main()",
        SECRET_KEY="x" * 50,
        DEBUG="false",
        ALLOWED_HOSTS="*",
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "ALLOWED_HOSTS" in line and "'*'" in line


def test_gunicorn_believes_no_forwarded_headers_unless_told(monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["forwarded_allow_ips"] == ""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.2")
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["forwarded_allow_ips"] == "10.0.0.2"
