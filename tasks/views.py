"""The task API, served at /api/tasks/ and at /api/{user_id}/tasks/.

Ownership is enforced by the queryset: every lookup starts from the
caller's own tasks, so another user's task is simply not found (404, the
same answer as a task that does not exist).
"""

import uuid

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from idempotency import services as idempotency
from idempotency.models import KEY_MAX_LENGTH
from tasks.filters import TaskFilter
from tasks.listing import COUNTED_LIST_PARAMETERS, TASK_PAGES, list_shape
from tasks.models import OWNED_TASK, Task, owned_task_set_completed, task_count, versions_in
from tasks.serializers import (
    REPRESENTED_COLUMNS,
    TaskCompletionSerializer,
    TaskSerializer,
    task_representation,
)
from todo_project.api.conditional import (
    ANY,
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    PreconditionFailed,
    if_match,
    if_match_passes,
    if_none_match_passes,
)

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


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": KEY_MAX_LENGTH,
        # What valid_key accepts: printable characters, of the Latin-1 that
        # header values are read as.
        "pattern": "^[\\u0020-\\u007e\\u00a1-\\u00ac\\u00ae-\\u00ff]*$",
    },
    OpenApiParameter.HEADER,
    description=(
        "1 to 255 printable characters, unique per request you mean. Retrying with the same "
        "key and body within 24 hours returns the first response and creates nothing more; "
        "the same key with another body is a 422, and while the first request runs, a 409."
    ),
)
WRITE_ATTEMPTS = 5


class ConcurrentWrites(exceptions.APIException):
    status_code = 409
    default_detail = "The task is being changed by other requests right now. Try again."
    default_code = "concurrent_writes"


@extend_schema_view(
    list=extend_schema(summary="List the caller's tasks", parameters=LIST_HEADERS),
    create=extend_schema(
        summary="Create a task",
        parameters=[LOCATION_HEADER, ETAG_HEADER, IDEMPOTENCY_KEY_PARAMETER],
    ),
    retrieve=extend_schema(
        summary="Get a task",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: TaskSerializer,
            304: OpenApiResponse(description="Not modified: If-None-Match matched the ETag."),
        },
    ),
    update=extend_schema(
        summary="Replace a task",
        description="Optional fields left out are reset.",
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    ),
    partial_update=extend_schema(
        summary="Update some fields of a task", parameters=[IF_MATCH_PARAMETER, ETAG_HEADER]
    ),
    destroy=extend_schema(summary="Delete a task", parameters=[IF_MATCH_PARAMETER]),
)
class TaskViewSet(viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    # Any segment reaches the view so that authentication is checked first;
    # an id that is not a UUID is then a 404 like any unknown task.
    lookup_value_regex = "[^/]+"
    idempotent_create = True  # documents the 409 and 422 in the schema

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.add_post_render_callback(self.release)
        return response

    def release(self, response):
        """Let reference counting free what the request built as soon as the response is sent.

        A viewset keeps its handlers as bound methods of itself, DRF points
        the request, the response and the paginator back at the view, and the
        request's parser context and the response's renderer context name
        their own owners: every object of a request (a list's 100 rows and
        their UUIDs too) would wait in reference cycles for Python's cyclic
        garbage collector, which then spends a tenth of a list request
        collecting them. All of it has served once the response is rendered.
        """
        request = self.request
        vars(self).clear()
        request.parser_context = None
        response.renderer_context = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Task.objects.none()
        return Task.objects.owned_by(self.request.user)

    def list(self, request, *args, **kwargs):
        if request.query_params.keys() <= COUNTED_LIST_PARAMETERS:
            return self.counted_list()
        # Rows straight from values(), keyed and ordered as the representation:
        # no model instance is built, and the renderer writes their UUIDs and
        # datetimes exactly as TaskSerializer does (a test holds it).
        tasks = self.filter_queryset(self.get_queryset()).values(*REPRESENTED_COLUMNS)
        page = self.paginator.paginate_queryset(tasks, request, view=self)
        return self.get_paginated_response(page)

    def counted_list(self):
        """A list filtered on completion alone: total from TaskCounts, page from compiled SQL.

        The same rows as the queryset path: TASK_PAGES builds each shape's
        queryset with the same filters, once.
        """
        shape = list_shape(self.request.query_params)
        user = self.request.user
        tasks = TASK_PAGES.for_owner(shape, user.pk)
        count = task_count(user, shape[0] or "all")
        page = self.paginator.paginate_queryset(tasks, self.request, view=self, count=count)
        return self.get_paginated_response(page)

    def filter_queryset(self, queryset):
        # Building the filter form is a good part of a short list request;
        # with no filter parameter there is nothing to validate or apply,
        # and the model's default order is the API's default sort.
        if self.request.query_params.keys().isdisjoint(TaskFilter.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        task = OWNED_TASK.get(self.request.user.pk, self.task_id())
        if task is None:
            raise Http404
        return task

    def task_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.kwargs["pk"])
        except ValueError as exc:
            raise Http404 from exc

    def task_url(self, task_id) -> str:
        return reverse("task-detail", kwargs={"pk": task_id})

    def task_response(self, task, status=200, headers=None) -> Response:
        return Response(
            task_representation(task), status=status, headers={"ETag": task.etag, **(headers or {})}
        )

    def retrieve(self, request, *args, **kwargs):
        task = self.get_object()
        if not if_none_match_passes(request, task.etag):
            return Response(status=304, headers={"ETag": task.etag})
        return self.task_response(task)

    def create(self, request, *args, **kwargs):
        key = idempotency.valid_key(request.headers.get(idempotency.HEADER))
        if key is None:
            return self.create_task(request)
        claim = idempotency.idempotency_claim(user=request.user, key=key, body=request.data)
        if isinstance(claim, idempotency.Replay):
            headers = {**claim.headers, "Idempotent-Replayed": "true"}
            return Response(claim.body, status=claim.status, headers=headers)
        try:
            # The task and the stored response commit together: a task is
            # never created without its key recording it, so a retry after a
            # failure here can never create it a second time.
            with transaction.atomic():
                response = self.create_task(request)
                idempotency.idempotency_complete(claim=claim, response=response)
        except Exception:
            idempotency.idempotency_release(claim=claim)
            raise
        return response

    def create_task(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = serializer.save(user=request.user)
        location = request.build_absolute_uri(self.task_url(task.pk))
        return self.task_response(task, status=201, headers={"Location": location})

    def update(self, request, *args, partial=False, **kwargs):
        task = self.get_object()
        serializer = self.get_serializer(task, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        # A request that is invalid whatever the task's version is a 400, not a 412.
        conditional = self.check_if_match(task)
        return self.task_response(self.write(task, serializer.validated_data, conditional))

    def write(self, task, changes: dict, conditional: bool):
        """Apply the changes with a version check, so no concurrent write is overwritten unseen.

        With If-Match a lost race is a 412. Without it the client asked for
        last-write-wins, so the change is reapplied on the task as it is now.
        """
        for _ in range(WRITE_ATTEMPTS):
            for name, value in changes.items():
                setattr(task, name, value)
            if task.save_if_version(task.version):
                return task
            if conditional:
                raise PreconditionFailed()
            task = self.get_object()
        raise ConcurrentWrites()

    def destroy(self, request, *args, **kwargs):
        task = self.get_object()
        if self.check_if_match(task):
            deleted, _ = Task.objects.filter(pk=task.pk, version=task.version).delete()
            if not deleted:
                raise PreconditionFailed()
        else:
            task.delete()
        return Response(status=204)

    def check_if_match(self, task) -> bool:
        """True if the request is conditional (If-Match); 412 if the condition fails."""
        etags = if_match(self.request)
        if etags is None:
            return False
        if not if_match_passes(etags, task.etag):
            raise PreconditionFailed()
        return True

    @extend_schema(
        summary="Complete, reopen or toggle a task",
        description="With no body the completion is toggled; with `completed` it is set.",
        request=TaskCompletionSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    @action(detail=True, methods=["patch"])
    def complete(self, request, *args, **kwargs):
        serializer = TaskCompletionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        completed = serializer.validated_data.get("completed")
        etags = if_match(request)
        # One UPDATE, so concurrent toggles never read a stale state.
        if etags is None or etags == [ANY]:
            changed = owned_task_set_completed(
                user_id=request.user.pk, task_id=self.task_id(), completed=completed
            )
        else:
            tasks = self.get_queryset().filter(pk=self.task_id())
            tasks = tasks.filter(version__in=versions_in(etags))
            changed = tasks.set_completed(completed)
        if not changed:
            if etags is not None and self.get_queryset().filter(pk=self.task_id()).exists():
                raise PreconditionFailed()
            raise Http404
        return self.task_response(self.get_object())


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
