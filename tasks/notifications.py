"""The notification store: a user's delivered reminders, newest first.

As in tasks.store, each function takes the owner's id and every statement is
limited to that owner's notifications: another user's is simply not found.
Notifications are made by the worker (tasks.delivery); the API only lists
them and marks them read.
"""

from django.utils import timezone
from django_filters.utils import translate_validation

from tasks.filters import NotificationFilter
from tasks.models import Notification


def notification_page(*, owner_id, query, offset: int, limit: int) -> tuple[list, int]:
    """The owner's notifications `offset` to `offset + limit` for these query
    parameters (NotificationFilter's), newest first, and how many match in all."""
    filterset = NotificationFilter(query, queryset=Notification.objects.filter(user_id=owner_id))
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    found = filterset.qs
    total = found.count()
    if offset >= total:
        return [], total
    return list(found.order_by("-delivered_at", "-id")[offset : offset + limit]), total


def notification_get(*, owner_id, notification_id) -> Notification | None:
    return Notification.objects.filter(user_id=owner_id, pk=notification_id).first()


def mark_read(*, owner_id, notification: Notification) -> Notification:
    """Mark the owner's notification read (once: marking it again keeps the first time)."""
    if notification.read_at is None:
        now = timezone.now()
        marked = Notification.objects.filter(
            user_id=owner_id, pk=notification.pk, read_at__isnull=True
        ).update(read_at=now)
        if marked:
            notification.read_at = now
        else:  # marked read meanwhile, by another request
            notification.refresh_from_db(fields=["read_at"])
    return notification
