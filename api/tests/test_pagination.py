"""Paging in headers: validated page parameters, the total, and Link to the other pages."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, HeaderPagination


def request_for(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/api/notes/?{query}"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", (1, DEFAULT_PAGE_SIZE)),
        ("page=3", (3, DEFAULT_PAGE_SIZE)),
        (f"page_size={MAX_PAGE_SIZE}", (1, MAX_PAGE_SIZE)),
        ("page=2&page_size=5&sort=title", (2, 5)),
    ],
)
def test_page_parameters_are_read(query, expected):
    assert HeaderPagination().page_params(request_for(query)) == expected


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"),
        ("page=1&page=2", "page"),
    ],
)
def test_a_page_parameter_out_of_range_or_repeated_is_a_400_naming_it(query, name):
    with pytest.raises(ValidationError) as refused:
        HeaderPagination().page_params(request_for(query))
    assert list(refused.value.detail) == [name]


def test_the_response_carries_the_total_and_links_keeping_the_other_parameters():
    request = request_for("sort=-title&page=2&page_size=10&status=")

    response = HeaderPagination().paginated_response(request, ["x"], 35, 2, 10)

    assert response.data == ["x"]
    assert response["X-Total-Count"] == "35"
    base = "http://testserver/api/notes/?"
    assert response["Link"] == ", ".join(
        [
            f'<{base}page=1&page_size=10&sort=-title&status=>; rel="first"',
            f'<{base}page=4&page_size=10&sort=-title&status=>; rel="last"',
            f'<{base}page=1&page_size=10&sort=-title&status=>; rel="prev"',
            f'<{base}page=3&page_size=10&sort=-title&status=>; rel="next"',
        ]
    )


def test_an_empty_list_has_one_page():
    response = HeaderPagination().paginated_response(request_for(""), [], 0, 1, 100)
    assert response["X-Total-Count"] == "0"
    assert response["Link"].count("page=1") == 2  # first and last, no prev or next
