"""Liveness and readiness probes for load balancers and orchestrators."""

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import DatabaseUnavailable

STATUS_BODY = inline_serializer("HealthStatus", {"status": serializers.CharField()})


class ProbeView(APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = ()


class LivenessView(ProbeView):
    @extend_schema(summary="The process is up", responses=STATUS_BODY)
    def get(self, request):
        return Response({"status": "ok"})


class ReadinessView(ProbeView):
    @extend_schema(
        summary="The service can reach its database",
        responses=STATUS_BODY,
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as exc:
            raise DatabaseUnavailable() from exc
        return Response({"status": "ok"})
