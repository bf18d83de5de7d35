from rest_framework.routers import SimpleRouter

from tasks.views import TaskViewSet, UserPathTaskViewSet

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register(r"(?P<user_id>[^/]+)/tasks", UserPathTaskViewSet, basename="user-task")

urlpatterns = router.urls
