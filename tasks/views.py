"""The task API, served at /api/tasks/, /api/lists/, /api/tags/ and
/api/notifications/, and at the same paths under /api/{user_id}/.

The views read and write tasks only through tasks.store, whose functions
take the caller as the owner: another user's task is simply not found (404,
the same answer as a task that does not exist).
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
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.conditional import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    if_match,
    if_none_match_passes,
)
from idempotency import services as idempotency
from idempotency.models import KEY_MAX_LENGTH
from tasks import lists, notifications, store, tags
from tasks.filters import NotificationFilter, TaskFilter
from tasks.models import Notification, Tag, Task, TaskList
from tasks.serializers import (
    ListMoveSerializer,
    NotificationSerializer,
    OccurrenceSerializer,
    TagSerializer,
    TaskCompletionSerializer,
    TaskListSerializer,
    TaskMoveSerializer,
    TaskSerializer,
    task_representation,
)

LIST_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[200],
        description="Number of items matching the filters, over all pages.",
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


def path_id(view) -> uuid.UUID:
    """The `{id}` of the path; one that is not a UUID is a 404, like an unknown one."""
    try:
        return uuid.UUID(view.kwargs["pk"])
    except ValueError as exc:
        raise Http404 from exc


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
class TaskViewSet(viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    # For the schema generator (the model behind the filters and the id),
    # never read: requests read and write through tasks.store.
    queryset = Task.objects.none()
    filterset_class = TaskFilter
    # Any segment reaches the view so that authentication is checked first;
    # an id that is not a UUID is then a 404 like any unknown task.
    lookup_value_regex = "[^/]+"
    idempotent_create = True  # documents the 409 and 422 in the schema

    def list(self, request, *args, **kwargs):
        page, page_size = self.paginator.page_params(request)
        # Rows keyed and ordered as the representation, written by the
        # renderer exactly as TaskSerializer writes a task (a test holds it).
        tasks, total = store.task_page(
            owner_id=request.user.pk,
            time_zone=request.user.time_zone,
            query=request.query_params,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        return self.paginator.paginated_response(request, tasks, total, page, page_size)

    def retrieve(self, request, *args, **kwargs):
        task = self.owned_task()
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
        task = store.task_create(
            owner_id=request.user.pk,
            time_zone=request.user.time_zone,
            **serializer.validated_data,
        )
        location = request.build_absolute_uri(self.task_url(task.pk))
        return self.task_response(task, status=201, headers={"Location": location})

    def update(self, request, *args, partial=False, **kwargs):
        task = self.owned_task()
        serializer = self.get_serializer(data=request.data, partial=partial)
        # A request that is invalid whatever the task's version is a 400, not a 412.
        serializer.is_valid(raise_exception=True)
        task = store.task_update(
            owner_id=request.user.pk,
            time_zone=request.user.time_zone,
            task=task,
            changes=serializer.validated_data,
            if_match=if_match(request),
        )
        return self.task_response(task)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        task = self.owned_task()
        store.task_delete(owner_id=request.user.pk, task=task, if_match=if_match(request))
        return Response(status=204)

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
        task = store.task_set_completed(
            owner_id=request.user.pk,
            time_zone=request.user.time_zone,
            task_id=self.task_id(),
            completed=serializer.validated_data.get("completed"),
            if_match=if_match(request),
        )
        return self.task_response(task)

    @extend_schema(
        summary="Move a task",
        description="Puts the task right after `after`, one of its siblings there (null: "
        "first), in another list or under another parent if `list_id` or `parent_id` say "
        "so. Only the task (and, to another list, its subtasks) is written, but for a rare "
        "renumbering of its siblings.",
        request=TaskMoveSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        task = self.owned_task()
        serializer = TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        place = dict(serializer.validated_data)
        task = store.task_move(
            owner_id=request.user.pk,
            task=task,
            after_id=place.pop("after"),
            place=place,
            if_match=if_match(request),
        )
        return self.task_response(task)

    @extend_schema(
        summary="The completed occurrences of a recurring task, newest first",
        responses=OccurrenceSerializer(many=True),
        parameters=LIST_HEADERS,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def completions(self, request, *args, **kwargs):
        page, page_size = self.paginator.page_params(request)
        completions, total = store.task_completions(
            owner_id=request.user.pk,
            task_id=self.task_id(),
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        rows = OccurrenceSerializer(completions, many=True).data
        return self.paginator.paginated_response(request, rows, total, page, page_size)

    def owned_task(self) -> Task:
        task = store.task_get(owner_id=self.request.user.pk, task_id=self.task_id())
        if task is None:
            raise Http404
        return task

    def task_id(self) -> uuid.UUID:
        return path_id(self)

    def task_url(self, task_id) -> str:
        return reverse("task-detail", kwargs={"pk": task_id})

    def task_response(self, task, status=200, headers=None) -> Response:
        return Response(
            task_representation(task), status=status, headers={"ETag": task.etag, **(headers or {})}
        )


class IsPathUser(permissions.BasePermission):
    """The path names the caller: by local id (any case), or exactly as their issuer does."""

    message = "The user in the path is not the authenticated user."

    def has_permission(self, request, view):
        named = str(view.kwargs.get("user_id", ""))
        user = request.user
        return named.lower() == str(user.pk) or (
            user.external_subject is not None and named == user.external_subject
        )


USER_ID_PARAMETER = OpenApiParameter(
    "user_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=(
        "Must be the authenticated user's id, or, for a user signed in by another "
        "issuer, their id there (exactly)."
    ),
)


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserPathTaskViewSet(TaskViewSet):
    """The same API under /api/{user_id}/tasks/, the shape existing front ends call."""

    permission_classes = [permissions.IsAuthenticated, IsPathUser]

    def task_url(self, task_id) -> str:
        return reverse(
            "user-task-detail", kwargs={"user_id": self.kwargs["user_id"], "pk": task_id}
        )


LIST_LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description="URL of the created list.",
)


@extend_schema_view(
    list=extend_schema(summary="List the caller's lists, in order", parameters=LIST_HEADERS),
    create=extend_schema(
        summary="Create a list (last of the caller's)",
        parameters=[LIST_LOCATION_HEADER, ETAG_HEADER],
    ),
    retrieve=extend_schema(
        summary="Get a list",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: TaskListSerializer,
            304: OpenApiResponse(description="Not modified: If-None-Match matched the ETag."),
        },
    ),
    partial_update=extend_schema(
        summary="Rename or recolor a list", parameters=[IF_MATCH_PARAMETER, ETAG_HEADER]
    ),
    destroy=extend_schema(
        summary="Delete a list and its tasks",
        description="The Inbox cannot be deleted (409, code `inbox_not_deletable`).",
        parameters=[IF_MATCH_PARAMETER],
    ),
)
class TaskListViewSet(viewsets.GenericViewSet):
    """The caller's lists. Reads and writes go through tasks.lists, which takes the
    caller as the owner: another user's list is a 404."""

    serializer_class = TaskListSerializer
    queryset = TaskList.objects.none()  # for the schema generator only
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_statuses = {"DELETE": {409}}

    def list(self, request, *args, **kwargs):
        page, page_size = self.paginator.page_params(request)
        task_lists, total = lists.list_page(
            owner_id=request.user.pk, offset=(page - 1) * page_size, limit=page_size
        )
        rows = TaskListSerializer(task_lists, many=True).data
        return self.paginator.paginated_response(request, rows, total, page, page_size)

    def retrieve(self, request, *args, **kwargs):
        task_list = self.owned_list()
        if not if_none_match_passes(request, task_list.etag):
            return Response(status=304, headers={"ETag": task_list.etag})
        return self.list_response(task_list)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_list = lists.list_create(owner_id=request.user.pk, **serializer.validated_data)
        location = request.build_absolute_uri(self.list_url(task_list.pk))
        return self.list_response(task_list, status=201, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        task_list = self.owned_list()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        task_list = lists.list_update(
            owner_id=request.user.pk,
            task_list=task_list,
            changes=serializer.validated_data,
            if_match=if_match(request),
        )
        return self.list_response(task_list)

    def destroy(self, request, *args, **kwargs):
        task_list = self.owned_list()
        lists.list_delete(owner_id=request.user.pk, task_list=task_list, if_match=if_match(request))
        return Response(status=204)

    @extend_schema(
        summary="Move a list",
        description="Puts the list right after `after` (null: first); only its own "
        "position changes, but for a rare renumbering of the caller's lists.",
        request=ListMoveSerializer,
        responses=TaskListSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        task_list = self.owned_list()
        serializer = ListMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_list = lists.list_move(
            owner_id=request.user.pk,
            task_list=task_list,
            after_id=serializer.validated_data["after"],
            if_match=if_match(request),
        )
        return self.list_response(task_list)

    def owned_list(self) -> TaskList:
        task_list = lists.list_get(owner_id=self.request.user.pk, list_id=path_id(self))
        if task_list is None:
            raise Http404
        return task_list

    def list_url(self, list_id) -> str:
        return reverse("list-detail", kwargs={"pk": list_id})

    def list_response(self, task_list, status=200, headers=None) -> Response:
        return Response(
            TaskListSerializer(task_list).data,
            status=status,
            headers={"ETag": task_list.etag, **(headers or {})},
        )


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserPathTaskListViewSet(TaskListViewSet):
    """The same lists under /api/{user_id}/lists/."""

    permission_classes = [permissions.IsAuthenticated, IsPathUser]

    def list_url(self, list_id) -> str:
        return reverse(
            "user-list-detail", kwargs={"user_id": self.kwargs["user_id"], "pk": list_id}
        )


@extend_schema_view(
    list=extend_schema(summary="List the caller's tags, by name", parameters=LIST_HEADERS),
    retrieve=extend_schema(
        summary="Get a tag",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: TagSerializer,
            304: OpenApiResponse(description="Not modified: If-None-Match matched the ETag."),
        },
    ),
    partial_update=extend_schema(
        summary="Rename a tag (onto another tag's name: merge them)",
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    ),
    destroy=extend_schema(
        summary="Delete a tag, taking it off every task", parameters=[IF_MATCH_PARAMETER]
    ),
)
class TagViewSet(viewsets.GenericViewSet):
    """The caller's tags, made by naming them on tasks. Reads and writes go through
    tasks.tags, which takes the caller as the owner: another user's tag is a 404."""

    serializer_class = TagSerializer
    queryset = Tag.objects.none()  # for the schema generator only
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def list(self, request, *args, **kwargs):
        page, page_size = self.paginator.page_params(request)
        found, total = tags.tag_page(
            owner_id=request.user.pk, offset=(page - 1) * page_size, limit=page_size
        )
        rows = TagSerializer(found, many=True).data
        return self.paginator.paginated_response(request, rows, total, page, page_size)

    def retrieve(self, request, *args, **kwargs):
        tag = self.owned_tag()
        if not if_none_match_passes(request, tag.etag):
            return Response(status=304, headers={"ETag": tag.etag})
        return self.tag_response(tag)

    def partial_update(self, request, *args, **kwargs):
        tag = self.owned_tag()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "name" in serializer.validated_data:
            tag = tags.tag_rename(
                owner_id=request.user.pk,
                tag=tag,
                name=serializer.validated_data["name"],
                if_match=if_match(request),
            )
        return self.tag_response(tag)

    def destroy(self, request, *args, **kwargs):
        tag = self.owned_tag()
        tags.tag_delete(owner_id=request.user.pk, tag=tag, if_match=if_match(request))
        return Response(status=204)

    def owned_tag(self) -> Tag:
        tag = tags.tag_get(owner_id=self.request.user.pk, tag_id=path_id(self))
        if tag is None:
            raise Http404
        return tag

    def tag_response(self, tag) -> Response:
        return Response(TagSerializer(tag).data, headers={"ETag": tag.etag})


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserPathTagViewSet(TagViewSet):
    """The same tags under /api/{user_id}/tags/."""

    permission_classes = [permissions.IsAuthenticated, IsPathUser]


@extend_schema_view(
    list=extend_schema(
        summary="List the caller's notifications, newest first", parameters=LIST_HEADERS
    ),
    retrieve=extend_schema(summary="Get a notification"),
)
class NotificationViewSet(viewsets.GenericViewSet):
    """The caller's delivered reminders. Reads and writes go through
    tasks.notifications, which takes the caller as the owner: another user's
    notification is a 404."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema generator only
    filterset_class = NotificationFilter
    lookup_value_regex = "[^/]+"

    def list(self, request, *args, **kwargs):
        page, page_size = self.paginator.page_params(request)
        found, total = notifications.notification_page(
            owner_id=request.user.pk,
            query=request.query_params,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        rows = NotificationSerializer(found, many=True).data
        return self.paginator.paginated_response(request, rows, total, page, page_size)

    def retrieve(self, request, *args, **kwargs):
        return Response(NotificationSerializer(self.owned_notification()).data)

    @extend_schema(
        summary="Mark a notification read",
        description="Marking it again keeps the time it was first read.",
        request=None,
        responses=NotificationSerializer,
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, *args, **kwargs):
        notification = notifications.mark_read(
            owner_id=request.user.pk, notification=self.owned_notification()
        )
        return Response(NotificationSerializer(notification).data)

    def owned_notification(self) -> Notification:
        notification = notifications.notification_get(
            owner_id=self.request.user.pk, notification_id=path_id(self)
        )
        if notification is None:
            raise Http404
        return notification


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserPathNotificationViewSet(NotificationViewSet):
    """The same notifications under /api/{user_id}/notifications/."""

    permission_classes = [permissions.IsAuthenticated, IsPathUser]
