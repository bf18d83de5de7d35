"""Conditional requests (RFC 9110 section 13): If-Match and If-None-Match."""

from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

ANY = "*"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = (
        "The resource has changed since you read it (If-Match does not match its ETag). "
        "Fetch it again and reapply your change."
    )
    default_code = "precondition_failed"


def if_match(request) -> list[str] | None:
    """The ETags an If-Match header allows, ["*"] for any, None without the header."""
    header = request.headers.get("If-Match")
    return None if header is None else parse_etags(header)


def if_match_passes(etags: list[str], current: str) -> bool:
    # Strong comparison: a weak tag (W/"...") never matches.
    return etags == [ANY] or current in etags


def if_none_match_passes(request, current: str) -> bool:
    """False when the client's copy is current (answer 304); weak comparison."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return True
    etags = parse_etags(header)
    if etags == [ANY]:
        return False
    return current.removeprefix("W/") not in {tag.removeprefix("W/") for tag in etags}


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Apply only if the resource still has this ETag (else 412).",
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Answer 304 Not Modified if the resource still has this ETag.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description="Version of the task; send it back in If-Match to update safely.",
)
