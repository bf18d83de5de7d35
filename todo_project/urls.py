from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import admin as accounts_admin
from api import errors
from api.health import LivenessView, ReadinessView
from tasks import urls as task_urls

# The task routes come first, and not behind an include() of their own: they
# serve most requests, and URL resolution tries the patterns in order, level
# by level.
api_patterns = [
    *task_urls.urlpatterns,
    path("auth/", include("accounts.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html"),
        name="redoc",
    ),
    # Unknown API addresses answer in the error format even with DEBUG on,
    # whatever the method (no CSRF check: there is nothing here to protect).
    re_path(r"^", csrf_exempt(errors.not_found)),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    # The admin's login within the failed-attempt limits (ahead of the admin's own).
    path("admin/login/", accounts_admin.login),
    path("admin/", admin.site.urls),
    path("health/", LivenessView.as_view(), name="health"),
    path("health/ready/", ReadinessView.as_view(), name="health-ready"),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
