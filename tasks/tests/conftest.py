from datetime import UTC, datetime

import pytest

from tasks.tests.factories import TaskFactory
from tasks.tests.routes import TaskRoutes


@pytest.fixture
def routes() -> TaskRoutes:
    """The canonical URLs, /api/tasks/....

    /api/{user_id}/tasks/... serves the same views: what it changes (403 for
    another user's id) and that each endpoint answers as here are tested
    once, in test_path_shape.
    """
    return TaskRoutes()


@pytest.fixture
def task(user):
    return TaskFactory(
        user=user,
        title="Write the report",
        description="Quarterly numbers",
        priority="medium",
        due_date=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    )


@pytest.fixture
def completed_task(user):
    return TaskFactory(user=user, title="Already done", completed=True)
