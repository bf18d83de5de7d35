"""A URLconf of plumbing-only views, so that the api app is tested without any app of the project.

Tests select it with `@pytest.mark.urls("api.tests.urls")`. The views use the
project's REST framework settings (parsers, renderers, exception handler,
default authentication), as every view of the apps does.
"""

from django.db import OperationalError
from django.urls import path, re_path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import errors
from api.fields import JSONBooleanField, TextField
from api.health import LivenessView


class NoteSerializer(serializers.Serializer):
    title = TextField(max_length=20)
    body = TextField(max_length=100, allow_null=True, allow_blank=True, required=False)
    done = JSONBooleanField(required=False)


class PublicView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()


class NotesView(PublicView):
    """GET answers a note; POST validates one and answers it back."""

    def get(self, request):
        return Response({"title": "a note"})

    def post(self, request):
        serializer = NoteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class PrivateView(APIView):
    """Behind the project's default authentication and permission."""

    def get(self, request):
        return Response({"user": str(request.user.pk)})


class BrokenView(PublicView):
    def get(self, request):
        raise RuntimeError("SELECT secret FROM internals")


class DatabaseDownView(PublicView):
    def get(self, request):
        raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("api/notes/", NotesView.as_view(), name="notes"),
    path("api/private/", PrivateView.as_view(), name="private"),
    path("api/broken/", BrokenView.as_view(), name="broken"),
    path("api/database-down/", DatabaseDownView.as_view(), name="database-down"),
    path("health/", LivenessView.as_view(), name="health"),
    re_path(r"^api/", errors.not_found),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
