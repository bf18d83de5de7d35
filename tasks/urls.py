from rest_framework.routers import SimpleRouter

from tasks.views import (
    NotificationViewSet,
    TagViewSet,
    TaskListViewSet,
    TaskViewSet,
    UserPathNotificationViewSet,
    UserPathTagViewSet,
    UserPathTaskListViewSet,
    UserPathTaskViewSet,
)

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register(r"(?P<user_id>[^/]+)/tasks", UserPathTaskViewSet, basename="user-task")
router.register("lists", TaskListViewSet, basename="list")
router.register(r"(?P<user_id>[^/]+)/lists", UserPathTaskListViewSet, basename="user-list")

router.register("tags", TagViewSet, basename="tag")
router.register(r"(?P<user_id>[^/]+)/tags", UserPathTagViewSet, basename="user-tag")

router.register("notifications", NotificationViewSet, basename="notification")
router.register(
    r"(?P<user_id>[^/]+)/notifications",
    UserPathNotificationViewSet,
    basename="user-notification",
)

urlpatterns = router.urls
