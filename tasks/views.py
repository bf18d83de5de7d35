"""The task API, served at /api/tasks/ and at /api/{user_id}/tasks/.

Ownership is enforced by the queryset: every lookup starts from the
caller's own tasks, so another user's task is simply not found (404, the
same answer as a task that does not exist).
"""

import uuid

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tasks.filters import TaskFilter
from tasks.models import Task
from tasks.serializers import TaskCompletionSerializer, TaskSerializer

LIST_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[200],
        description="Number of tasks matching the filters, over all pages.",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="RFC 8288 links to the first, prev, next and last pages.",
    ),
]
LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description="URL of the created task.",
)


@extend_schema_view(
    list=extend_schema(summary="List the caller's tasks", parameters=LIST_HEADERS),
    create=extend_schema(summary="Create a task", parameters=[LOCATION_HEADER]),
    retrieve=extend_schema(summary="Get a task"),
    update=extend_schema(
        summary="Replace a task", description="Optional fields left out are reset."
    ),
    partial_update=extend_schema(summary="Update some fields of a task"),
    destroy=extend_schema(summary="Delete a task"),
)
class TaskViewSet(viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    # Any segment reaches the view so that authentication is checked first;
    # an id that is not a UUID is then a 404 like any unknown task.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Task.objects.none()
        return Task.objects.owned_by(self.request.user)

    def get_object(self):
        task = self.get_queryset().filter(pk=self.task_id()).first()
        if task is None:
            raise Http404
        return task

    def task_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.kwargs["pk"])
        except ValueError as exc:
            raise Http404 from exc

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)

    def get_success_headers(self, data):
        return {"Location": self.request.build_absolute_uri(self.task_url(data["id"]))}

    def task_url(self, task_id) -> str:
        return reverse("task-detail", kwargs={"pk": task_id})

    @extend_schema(
        summary="Complete, reopen or toggle a task",
        description="With no body the completion is toggled; with `completed` it is set.",
        request=TaskCompletionSerializer,
        responses=TaskSerializer,
    )
    @action(detail=True, methods=["patch"])
    def complete(self, request, *args, **kwargs):
        serializer = TaskCompletionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = (
            self.get_queryset()
            .filter(pk=self.task_id())
            .set_completed(serializer.validated_data.get("completed"))
        )
        if not updated:
            raise Http404
        return Response(TaskSerializer(self.get_object()).data)


class IsPathUser(permissions.BasePermission):
    message = "The user in the path is not the authenticated user."

    def has_permission(self, request, view):
        return str(view.kwargs.get("user_id", "")).lower() == str(request.user.pk)


@extend_schema(
    tags=["tasks (user path)"],
    parameters=[
        OpenApiParameter(
            "user_id",
            OpenApiTypes.UUID,
            OpenApiParameter.PATH,
            description="Must be the authenticated user's id.",
        )
    ],
)
class UserPathTaskViewSet(TaskViewSet):
    """The same API under /api/{user_id}/tasks/, the shape existing front ends call."""

    permission_classes = [permissions.IsAuthenticated, IsPathUser]

    def task_url(self, task_id) -> str:
        return reverse(
            "user-task-detail", kwargs={"user_id": self.kwargs["user_id"], "pk": task_id}
        )
