from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from rest_framework.exceptions import Throttled

from accounts.models import PasswordFailures, User
from api.throttling import AuthAddressThrottle


class AdminLogin:
    """What the request rate of the admin's login is counted as: the API's login."""

    throttle_scope = "login"


def login(request, extra_context=None):
    """The admin's login view, within the API login's limits.

    Sign-in attempts (POSTs that passed the CSRF check) count against the
    API login's rate per client address, right or wrong; and the form
    authenticates through accounts.backends, which counts failed passwords
    and refuses attempts past their limits. Either way, past a limit: 429
    with Retry-After.
    """
    try:
        if request.method == "POST":
            throttle = AuthAddressThrottle()
            if not throttle.allow_request(request, AdminLogin):
                raise Throttled(wait=throttle.wait())
        return admin.site.login(request, extra_context)
    except Throttled as exc:  # TooManyFailures included
        response = HttpResponse(
            f"{exc.detail}\n",
            status=exc.status_code,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(exc.wait)
        return response


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, fitted to a user whose login is the email address."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "task_count",
        "is_active",
        "is_staff",
        "date_joined",
        "external_issuer",
        "external_subject",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "external_issuer"]
    search_fields = ["email", "name", "external_email", "external_subject"]
    readonly_fields = [
        "id",
        "last_login",
        "date_joined",
        "tasks_link",
        "external_issuer",
        "external_subject",
        "external_email",
    ]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["name", "tasks_link"]}),
        (
            "Signed in by another issuer",
            {"fields": ["external_issuer", "external_subject", "external_email"]},
        ),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request):
        # One aggregate query for the whole page instead of one per row.
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description="tasks", ordering="task_count")
    def task_count(self, user):
        url = reverse("admin:tasks_task_changelist") + f"?user__id__exact={user.pk}"
        return format_html('<a href="{}">{}</a>', url, user.task_count)

    @admin.display(description="tasks")
    def tasks_link(self, user):
        url = reverse("admin:tasks_task_changelist") + f"?user__id__exact={user.pk}"
        return format_html('<a href="{}">View this user\'s tasks</a>', url)


@admin.register(PasswordFailures)
class PasswordFailuresAdmin(admin.ModelAdmin):
    """Failed password counts, read-only; deleting one lifts its lockout at once."""

    list_display = ["bucket", "failures", "window_ends"]
    ordering = ["-window_ends"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
