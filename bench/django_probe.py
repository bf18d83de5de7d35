"""What the benchmark asks of the Django application itself, run with its settings.

    python -m bench.django_probe password-hash PASSWORD
    python -m bench.django_probe tokens                  # {user id: access token}
    python -m bench.django_probe explain TOKEN QUERY...  # the SQL of GET /api/tasks/?QUERY

Password hashes and tokens come from Django and simplejwt, not from a copy
of their formats. `explain` sends the request through the real view stack
(Django's test client) and shows PostgreSQL's plan for every statement it
ran, so the plans are those of the SQL the API really sends. Prints JSON.
"""

import argparse
import json
import os
import sys

import django


def password_hash(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def tokens() -> dict[str, str]:
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    return {str(user.pk): str(AccessToken.for_user(user)) for user in User.objects.all()}


def explain(token: str, queries: list[str]) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    results = []
    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/tasks/?{query}")
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/tasks/?{query} answered {response.status_code}")
        statements = []
        for sql in (q["sql"] for q in captured.captured_queries):
            if '"accounts_user"' in sql:
                continue  # the user lookup of authentication
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            statements.append({"sql": sql, "plan": plan})
        results.append({"query": query, "statements": statements})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("password-hash").add_argument("password")
    commands.add_parser("tokens")
    explain_parser = commands.add_parser("explain")
    explain_parser.add_argument("token")
    explain_parser.add_argument("queries", nargs="+")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
    django.setup()
    if args.command == "password-hash":
        result = password_hash(args.password)
    elif args.command == "tokens":
        result = tokens()
    else:
        result = explain(args.token, args.queries)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
