"""The API's own hot statements, for the floor: Django set up with the API's settings, then
the app modules that hold them imported (tasks.store, tasks.lists, accounts.models), with
the few constants the floor's own checks share with the API.

Setting Django up costs the floor's workers memory at start, not time per
request: the floor runs the statements on its own psycopg connection.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
django.setup()

from accounts.models import USER_BY_ID, USER_BY_IDENTITY, USER_FIELD_NAMES  # noqa: E402
from tasks import lists, store  # noqa: E402 - needs the setup
from tasks.filters import FILTERS_BEYOND_COMPLETION, NOT_FILTERS  # noqa: E402 - needs the setup
from tasks.models import TAGS_PER_TASK  # noqa: E402 - needs the setup
from tasks.order import POSITION_STEP  # noqa: E402

__all__ = [
    "FILTERS_BEYOND_COMPLETION",
    "NOT_FILTERS",
    "POSITION_STEP",
    "TAGS_PER_TASK",
    "USER_BY_ID",
    "USER_BY_IDENTITY",
    "USER_FIELD_NAMES",
    "lists",
    "store",
]
