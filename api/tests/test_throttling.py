"""Which address a per-address limit counts: the connection's, or the trusted proxy header's."""

import pytest
from rest_framework.test import APIRequestFactory

from api.throttling import client_address


@pytest.mark.parametrize(
    ("header_setting", "meta", "expected"),
    [
        ("", {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}, "10.0.0.1"),
        (
            "X-Forwarded-For",
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.0.2.7"},
            "192.0.2.7",
        ),
        ("X-Real-IP", {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": "192.0.2.8"}, "192.0.2.8"),
        ("X-Real-IP", {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    ],
    ids=["connection", "last-forwarded-entry", "real-ip", "header-missing"],
)
def test_the_client_address(settings, header_setting, meta, expected):
    settings.CLIENT_IP_HEADER = header_setting
    request = APIRequestFactory().get("/", **meta)
    assert client_address(request) == expected
