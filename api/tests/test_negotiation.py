"""The content negotiation shortcut picks what DRF's full negotiation picks."""

import pytest
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.negotiation import ContentNegotiation
from api.renderers import JSONRenderer

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "text/html",
    "",
    "application/json; indent=4",
    "text/html, application/json;q=0.9",
    "application/*",
    "image/png",
]


def selection(negotiation, accept, renderers, query=""):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/notes/{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except (exceptions.APIException, Http404) as exc:  # 406; 404 for an unknown format
        return type(exc)
    return type(renderer), media_type


@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize(
    "renderers",
    [[JSONRenderer()], [TemplateHTMLRenderer(), JSONRenderer()]],
    ids=["api", "html page"],
)
def test_same_choice_as_drf(accept, renderers, query):
    ours = selection(ContentNegotiation(), accept, renderers, query)
    assert ours == selection(DefaultContentNegotiation(), accept, renderers, query)


@pytest.mark.urls("api.tests.urls")
@pytest.mark.parametrize(
    ("accept", "status"), [(None, 200), ("*/*", 200), ("application/json", 200), ("text/html", 406)]
)
def test_an_api_view_answers_json_or_406(api_client, accept, status):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = api_client.get("/api/notes/", **headers)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/")
