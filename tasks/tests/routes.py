"""The task API's URLs and operations, so one test can run against every shape of them.

The API answers at /api/tasks/... and at /api/{user_id}/tasks/..., each with
and without the trailing slash; `TaskRoutes` builds the URLs of one of those
shapes. `OPERATIONS` lists every endpoint with a request that succeeds on
the caller's own task, for the tests that must cover all of them.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class TaskRoutes:
    user_id: object = None  # None: the canonical /api/tasks/ shape
    slash: bool = True

    def list_url(self) -> str:
        return self.url("list")

    def detail_url(self, task_id) -> str:
        return self.url("detail", task_id)

    def complete_url(self, task_id) -> str:
        return self.url("complete", task_id)

    def url(self, view: str, task_id=None) -> str:
        kwargs = {} if task_id is None else {"pk": task_id}
        if self.user_id is None:
            url = reverse(f"task-{view}", kwargs=kwargs)
        else:
            url = reverse(f"user-task-{view}", kwargs={"user_id": self.user_id, **kwargs})
        return url if self.slash else url.rstrip("/")


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    view: str  # "list", "detail" or "complete"
    body: dict | None
    status: int

    @property
    def on_task(self) -> bool:
        return self.view != "list"

    def url(self, routes: TaskRoutes, task_id=None) -> str:
        return routes.url(self.view, task_id if self.on_task else None)

    def send(self, client, routes: TaskRoutes, task_id=None):
        data = {} if self.body is None else {"data": self.body}
        return getattr(client, self.method)(self.url(routes, task_id), **data)

    def __str__(self):
        return self.name


OPERATIONS = [
    Operation("list", "get", "list", None, 200),
    Operation("create", "post", "list", {"title": "Created"}, 201),
    Operation("retrieve", "get", "detail", None, 200),
    Operation("put", "put", "detail", {"title": "Replaced"}, 200),
    Operation("patch", "patch", "detail", {"title": "Patched"}, 200),
    Operation("delete", "delete", "detail", None, 204),
    Operation("toggle", "patch", "complete", None, 200),
    Operation("complete", "patch", "complete", {"completed": True}, 200),
]
TASK_OPERATIONS = [operation for operation in OPERATIONS if operation.on_task]
COLLECTION_OPERATIONS = [operation for operation in OPERATIONS if not operation.on_task]
