from datetime import UTC, datetime

import pytest

from tasks.tests.factories import TaskFactory
from tasks.tests.routes import TaskRoutes


@pytest.fixture(params=["canonical", "user_path"])
def routes(request, user) -> TaskRoutes:
    """A test using this runs against /api/tasks/... and against /api/{user_id}/tasks/...."""
    if request.param == "canonical":
        return TaskRoutes()
    return TaskRoutes(user_id=user.id)


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
