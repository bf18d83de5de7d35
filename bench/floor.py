"""The floor: the benchmarked requests answered by hand, as fast as plain Python goes.

A WSGI application with the API's routes and JSON shapes for what the
benchmark sends, and nothing else. Per request it does the work the Django
application cannot avoid: verify the access token (PyJWT, HS256, `exp`,
`token_type`), look the user up by id (active, password unchanged), run the
same SQL the API sends (count and page for lists; read then conditional
UPDATE for updates), and encode with orjson. A task is shown as the API
shows it: its columns, its tags' names (read as one JSON array with the
task, decoded and sorted whatever the letter case) and its subtasks'
counts. The API's own plain statements are imported from the app
(bench/floor_django.py); what it leaves to the ORM is written out in
bench/floor_orm_sql.py. One psycopg connection per worker, with
client-side binding like Django's, so PostgreSQL sees the same
statements. Not done: throttling, request logging, the connection health
check and the response headers of Django's middleware; that difference is
what the benchmark measures.

    gunicorn --config gunicorn.conf.py bench.floor:application
"""

import hashlib
import os
import re
import urllib.request
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode

import jwt
import orjson
import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from bench import floor_orm_sql as sql
from bench.floor_django import (
    FILTERS_BEYOND_COMPLETION,
    NOT_FILTERS,
    POSITION_STEP,
    USER_BY_ID,
    USER_BY_IDENTITY,
    USER_FIELD_NAMES,
    lists,
    store,
)

SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY") or os.environ["SECRET_KEY"]
ACCESS_LIFETIME = timedelta(minutes=int(os.environ.get("JWT_ACCESS_TOKEN_MINUTES") or 15))
REFRESH_LIFETIME = timedelta(days=int(os.environ.get("JWT_REFRESH_TOKEN_DAYS") or 7))
TASK_PATH = re.compile(r"^/api/tasks/?(?:(?P<id>[^/]+)/?(?P<complete>complete/?)?)?$")
TASK_FIELDS = store.LISTED_FIELD_NAMES  # all but the hidden ones
# Where the version is in a row of store.TASK_BY_ID: the first of the hidden
# columns (store.HIDDEN_FIELD_NAMES), after those shown, before what it shows.
VERSION = store.TASK_FIELD_NAMES.index("version")
SHOWN_AFTER = len(store.TASK_FIELD_NAMES)
USER_ID = USER_FIELD_NAMES.index("id")
IS_ACTIVE = USER_FIELD_NAMES.index("is_active")
PRIORITIES = {"low", "medium", "high", None}
# What a full update (PUT) leaves out becomes (tasks.serializers): without tags, it clears
# them. The benchmark's bodies name none.
PUT_DEFAULTS = {
    "description": None,
    "completed": False,
    "priority": None,
    "due_date": None,
    "due_on": None,
    "recurrence": None,
    "recur_from": "due",
    "tags": [],
    "reminders": [],
}
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
password_hasher = PasswordHasher()
_connection: psycopg.Connection | None = None
EXTERNAL_JWKS_URL = os.environ.get("EXTERNAL_JWT_JWKS_URL", "")
EXTERNAL_ISSUER = os.environ.get("EXTERNAL_JWT_ISSUER", "")
EXTERNAL_AUDIENCE = os.environ.get("EXTERNAL_JWT_AUDIENCE", "")
_external_keys: dict | None = None


class Problem(Exception):
    def __init__(self, status: int, detail: str = ""):
        self.status, self.detail = status, detail or HTTPStatus(status).phrase

    def body(self) -> dict:
        title = HTTPStatus(self.status).phrase
        code = title.lower().replace(" ", "_")
        return {
            "type": "about:blank",
            "title": title,
            "status": self.status,
            "detail": self.detail,
            "code": code,
        }


def db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(
            os.environ["DATABASE_URL"],
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            options="-c TimeZone=UTC",
        )
    return _connection


def application(environ, start_response):
    headers = []
    try:
        status, body, headers = dispatch(environ)
    except Problem as problem:
        status, body, content_type = problem.status, problem.body(), PROBLEM_JSON
    except psycopg.OperationalError:
        if _connection is not None:
            _connection.close()  # the next request reconnects
        status, body, content_type = 503, Problem(503).body(), PROBLEM_JSON
    else:
        content_type = JSON
    payload = b"" if body is None else orjson.dumps(body, option=orjson.OPT_UTC_Z)
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(payload))), *headers],
    )
    return [payload]


def dispatch(environ):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    conn = db()
    if path.rstrip("/") in ("/health", "/health/ready"):
        conn.execute("SELECT 1")
        return 200, {"status": "ok"}, []
    if path.rstrip("/") == "/api/auth/login" and method == "POST":
        return login(conn, read_json(environ))
    match = TASK_PATH.match(path)
    if match is None:
        raise Problem(404)
    user = authenticate(conn, environ)
    if match["id"] is None:
        if method == "GET":
            return task_list(conn, user, environ)
        if method == "POST":
            return task_create(conn, user, read_json(environ), environ)
        raise Problem(405)
    task_id = parse_uuid(match["id"])
    if match["complete"]:
        if method != "PATCH":
            raise Problem(405)
        return task_complete(conn, user, task_id, read_json(environ))
    if method == "GET":
        task, version = fetch_task(conn, user, task_id)
        return 200, task, etag(version)
    if method in ("PUT", "PATCH"):
        return task_update(conn, user, task_id, read_json(environ), partial=method == "PATCH")
    if method == "DELETE":
        task, _ = fetch_task(conn, user, task_id)
        task_delete(conn, user, task)
        return 204, None, []
    raise Problem(405)


def authenticate(conn, environ):
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Bearer" or not token:
        raise Problem(401)
    try:
        external = jwt.get_unverified_header(token).get("alg") == "EdDSA"
    except jwt.InvalidTokenError as exc:
        raise Problem(401) from exc
    if external:
        return authenticate_external(conn, token)
    try:
        claims = jwt.decode(token, SIGNING_KEY, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.InvalidTokenError as exc:
        raise Problem(401) from exc
    if claims.get("token_type") != "access" or "jti" not in claims:
        raise Problem(401)
    try:
        user_id = uuid.UUID(claims.get("user_id"))
    except (TypeError, ValueError) as exc:
        raise Problem(401) from exc
    user = conn.execute(USER_BY_ID, (user_id,)).fetchone()
    if user is None or not user[IS_ACTIVE]:
        raise Problem(401)
    if claims.get("hash_password") != password_digest(user[0]):
        raise Problem(401)
    return user


def authenticate_external(conn, token: str):
    """An EdDSA token of the external issuer (EXTERNAL_JWT_*), its keys fetched once."""
    try:
        key = external_keys().get(jwt.get_unverified_header(token).get("kid"))
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            issuer=EXTERNAL_ISSUER,
            audience=EXTERNAL_AUDIENCE,
            options={"require": ["exp", "iss"]},
        )
    except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
        raise Problem(401) from exc
    user = conn.execute(USER_BY_IDENTITY, (EXTERNAL_ISSUER, claims.get("sub"))).fetchone()
    if user is None or not user[IS_ACTIVE]:
        raise Problem(401)
    return user


def external_keys() -> dict:
    global _external_keys
    if _external_keys is None:
        with urllib.request.urlopen(EXTERNAL_JWKS_URL, timeout=2) as response:  # noqa: S310
            document = orjson.loads(response.read())
        _external_keys = {jwk["kid"]: jwt.PyJWK(jwk).key for jwk in document["keys"]}
    return _external_keys


def password_digest(password_hash: str) -> str:
    # simplejwt's revocation claim: changing the password invalidates tokens.
    return hashlib.md5(password_hash.encode()).hexdigest().upper()


def read_json(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length:
        return {}
    try:
        data = orjson.loads(environ["wsgi.input"].read(length))
    except orjson.JSONDecodeError as exc:
        raise Problem(400, "JSON parse error") from exc
    if not isinstance(data, dict):
        raise Problem(400, "expected an object")
    return data


def parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Problem(404) from exc


def task_json(row) -> dict:
    """A row of TASK_FIELDS as the API shows it."""
    task = dict(zip(TASK_FIELDS, row, strict=True))
    task["tags"] = sorted(orjson.loads(task["tags"]), key=str.casefold)
    task["reminders"] = [
        {
            "at": utc_text(at),
            "before_due_minutes": minutes,
            "fires_at": utc_text(fire_at) if pending else None,
        }
        for _, at, minutes, fire_at, pending in sorted(orjson.loads(task["reminders"]))
    ]
    return task


def utc_text(value: str | None) -> str | None:
    """A timestamp of PostgreSQL's JSON as the API writes it (UTC, with a Z)."""
    if value is None:
        return None
    text = datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def etag(version: int) -> list:
    return [("ETag", f'"{version}"')]


def fetch_task(conn, user, task_id) -> tuple[dict, int]:
    """The user's task as the API shows it, and its version."""
    row = conn.execute(store.TASK_BY_ID, (user[USER_ID], task_id)).fetchone()
    if row is None:
        raise Problem(404)
    return task_json((*row[:VERSION], *row[SHOWN_AFTER:])), row[VERSION]


def task_delete(conn, user, task: dict) -> None:
    """As tasks.store.task_delete, for a task without subtasks (the benchmark's have none)."""
    if not task["tags"] and not task["reminders"]:
        conn.execute(sql.TASK_DELETE, (task["id"], user[USER_ID]))
        return
    with conn.transaction():
        conn.execute(sql.COLLECTED_TASK, (task["id"], user[USER_ID]))
        conn.execute(sql.COLLECTED_SUBTASKS, (task["id"],))
        conn.execute(sql.COLLECTED_TAG_LINKS_DELETE, (task["id"],))
        conn.execute(sql.COLLECTED_REMINDERS_DELETE, (task["id"],))
        conn.execute(sql.COLLECTED_TASK_DELETE, (task["id"],))


def task_list(conn, user, environ):
    params = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    try:
        where, args, named_tags = sql.list_filter(conn, user[USER_ID], params)
        order = sql.list_order(params.get("sort"))
    except ValueError as exc:
        raise Problem(400, str(exc)) from exc
    try:
        page = int(params.get("page") or 1)
        size = int(params.get("page_size") or 100)
    except ValueError as exc:
        raise Problem(400, "page") from exc
    if page < 1 or not 1 <= size <= 500:
        raise Problem(400, "page")
    offset = (page - 1) * size
    shape = (params.get("status", ""), params.get("sort", ""))
    # A list filtered on completion alone is one of the API's fixed statements.
    if params.keys().isdisjoint(FILTERS_BEYOND_COMPLETION) and shape in store.TASK_PAGES:
        counts = conn.execute(store.TASK_COUNTS, (user[USER_ID],)).fetchone()
        total, completed = counts or (0, 0)
        status = shape[0] or "all"
        count = {"all": total, "pending": total - completed, "completed": completed}[status]
        rows = []
        if offset < count:
            rows = conn.execute(store.TASK_PAGES[shape], (user[USER_ID], size, offset)).fetchall()
    else:
        count = kept_count(conn, user, params, named_tags)
        if count is None:
            count = conn.execute(sql.TASK_COUNT + where, args).fetchone()[0]
        rows = []
        if offset < count:
            statement = f"{sql.TASK_SELECT}{where} ORDER BY {order} LIMIT {size}"
            if offset:
                statement += f" OFFSET {offset}"
            rows = conn.execute(statement, args).fetchall()
    last = max(1, -(-count // size))
    pages = {"first": 1, "last": last}
    if page > 1:
        pages["prev"] = min(page - 1, last)
    if page < last:
        pages["next"] = page + 1
    base = f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}?"
    link = ", ".join(
        f'<{base}{urlencode(sorted({**params, "page": number}.items()))}>; rel="{rel}"'
        for rel, number in pages.items()
    )
    headers = [("X-Total-Count", str(count)), ("Link", link)]
    return 200, [task_json(row) for row in rows], headers


def kept_count(conn, user, params: dict, named_tags) -> int | None:
    """The total of a list as TaskFilter.kept_count reads it (for a list filtered
    by one list, perhaps with completion, or by one tag alone), or None: count rows.

    Called once list_filter has accepted the parameters.
    """
    given = params.keys() - NOT_FILTERS
    status = params.get("status") or "all"
    if given <= {"list", "status"} and "list" in given:
        args = (uuid.UUID(params["list"]), user[USER_ID])
        total, completed = conn.execute(sql.LIST_COUNTS, args).fetchone() or (0, 0)
        return {"all": total, "pending": total - completed, "completed": completed}[status]
    if given <= {"tags", "status"} and "tags" in given and status == "all":
        if len(sql.tag_keys(params["tags"])) == 1:
            return sum(count for _, count in named_tags.values())
    return None


def validated(data: dict, *, partial: bool) -> dict:
    """The task fields of a body, checked as the API's serializer checks them."""
    changes = {}
    if "title" in data or not partial:
        title = data.get("title")
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
            raise Problem(400, "title")
        changes["title"] = title.strip()
    if "description" in data:
        description = data["description"]
        if description is not None and (
            not isinstance(description, str) or len(description) > 1000
        ):
            raise Problem(400, "description")
        changes["description"] = description.strip() if description else description
    if "completed" in data:
        if not isinstance(data["completed"], bool):
            raise Problem(400, "completed")
        changes["completed"] = data["completed"]
    if "priority" in data:
        if data["priority"] not in PRIORITIES:
            raise Problem(400, "priority")
        changes["priority"] = data["priority"]
    if "due_date" in data:
        changes["due_date"] = parse_datetime(data["due_date"])
    if not partial:
        changes = {**PUT_DEFAULTS, **changes}
    return changes


def parse_datetime(value):
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise Problem(400, "due_date") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def task_create(conn, user, data, environ):
    fields = {**PUT_DEFAULTS, **validated(data, partial=False)}
    now = datetime.now(UTC)
    # Last among the top-level tasks of the Inbox (tasks.order.last_position).
    inbox_id, last = conn.execute(lists.INBOX_AND_LAST_POSITION, (user[USER_ID],)).fetchone()
    task = {
        "id": uuid.uuid4(),
        "user_id": user[USER_ID],
        "list_id": inbox_id,
        "parent_id": None,
        "position": (last or 0) + POSITION_STEP,
        "title": fields["title"],
        "description": fields["description"],
        "completed": fields["completed"],
        "completed_at": now if fields["completed"] else None,
        "priority": fields["priority"],
        "due_date": fields["due_date"],
        "due_on": None,
        "recurrence": None,
        "recur_from": "due",
        "created_at": now,
        "updated_at": now,
        # Hidden: the benchmark's tasks are due at instants, so due_at is
        # due_date (tasks.dates); none recurs, so no series starts.
        "version": 1,
        "due_at": fields["due_date"],
        "recurrence_start_date": None,
        "recurrence_start_on": None,
    }
    conn.execute(sql.TASK_INSERT, [task[name] for name in store.TASK_FIELD_NAMES])
    for name in store.HIDDEN_FIELD_NAMES:
        del task[name]
    task.update(tags=[], subtask_count=0, completed_subtask_count=0, reminders=[])
    location = f"http://{environ['HTTP_HOST']}/api/tasks/{task['id']}/"
    return 201, task, [("Location", location), *etag(1)]


def task_update(conn, user, task_id, data, *, partial: bool):
    changes = validated(data, partial=partial)
    task, version = fetch_task(conn, user, task_id)
    # A PUT takes off the tags it does not name, in the transaction of its write.
    clear_tags = changes.get("tags") == [] and bool(task["tags"])
    with conn.transaction() if clear_tags else nullcontext():
        for _ in range(5):  # another write got in between: reapply on the task as it is now
            task.update(changes)
            if task["completed"] and task["completed_at"] is None:
                task["completed_at"] = datetime.now(UTC)
            elif not task["completed"]:
                task["completed_at"] = None
            task["updated_at"] = datetime.now(UTC)
            # As the store works out the hidden columns, for tasks due at an
            # instant that do not recur (the benchmark's).
            hidden = {
                "due_at": task["due_date"],
                "recurrence_start_date": None,
                "recurrence_start_on": None,
            }
            values = [hidden[n] if n in hidden else task[n] for n in store.WRITTEN_FIELD_NAMES]
            params = (*values, version + 1, user[USER_ID], task_id, version)
            if conn.execute(store.VERSIONED_WRITE, params).rowcount:
                break
            task, version = fetch_task(conn, user, task_id)
        else:
            raise Problem(409)
        if clear_tags:
            conn.execute(sql.TAG_LINKS_DELETE, (task_id,))
    return 200, task, etag(version + 1)


def task_complete(conn, user, task_id, data):
    completed = data.get("completed")
    if completed is not None and not isinstance(completed, bool):
        raise Problem(400, "completed")
    now = datetime.now(UTC)
    if completed is None:
        args = (now, now, user[USER_ID], task_id)
        updated = conn.execute(store.TOGGLE_COMPLETED, args).rowcount
    else:
        args = (completed, completed, now if completed else None, now, user[USER_ID], task_id)
        updated = conn.execute(store.SET_COMPLETED, args).rowcount
    if not updated:
        raise Problem(404)
    task, version = fetch_task(conn, user, task_id)
    return 200, task, etag(version)


def login(conn, data):
    email, password = data.get("email"), data.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise Problem(400, "email and password")
    user = conn.execute(sql.USER_BY_EMAIL, (email.strip().lower(),)).fetchone()
    fields = dict(zip(USER_FIELD_NAMES, user or (), strict=False))
    try:
        # Django stores "<algorithm>$<argon2's own encoding>".
        encoded = "$" + fields["password"].partition("$")[2]
        valid = user is not None and password_hasher.verify(encoded, password)
    except VerificationError:
        valid = False
    if not valid or not fields["is_active"]:
        raise Problem(401, "Incorrect email or password.")
    now = datetime.now(UTC)
    conn.execute(sql.USER_LAST_LOGIN, (now, fields["id"]))
    claims = {"user_id": str(fields["id"]), "hash_password": password_digest(fields["password"])}
    refresh, jti = token("refresh", now, REFRESH_LIFETIME, claims)
    conn.execute(sql.OUTSTANDING_INSERT, (fields["id"], jti, refresh, now, now + REFRESH_LIFETIME))
    access, _ = token("access", now, ACCESS_LIFETIME, claims)
    public = {name: fields[name] for name in ("id", "email", "name", "date_joined")}
    return 200, {"user": public, "access": access, "refresh": refresh}, []


def token(kind: str, now: datetime, lifetime: timedelta, claims: dict) -> tuple[str, str]:
    jti = uuid.uuid4().hex
    payload = {"token_type": kind, "exp": now + lifetime, "iat": now, "jti": jti, **claims}
    return jwt.encode(payload, SIGNING_KEY, algorithm="HS256"), jti
