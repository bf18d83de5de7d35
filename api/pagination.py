"""Page-number paging carried in headers, so list bodies stay bare JSON arrays.

`X-Total-Count` gives the number of matching items and `Link` (RFC 8288)
the first, prev, next and last pages. A page past the end is an empty
array, not an error; a `page` or `page_size` that is not a number in
range is a 400 naming the parameter.
"""

import math
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


def refuse_repeated_parameters(form: forms.Form, query) -> bool:
    """Add an error to `form` for each of its parameters given more than once.

    Only one value would count, so a repeated parameter is refused rather than
    half ignored. Returns whether any was repeated.
    """
    repeated = [name for name in form.fields if len(query.getlist(name)) > 1]
    for name in repeated:
        form.add_error(name, "Give this parameter at most once.")
    return bool(repeated)


class PageParamsForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean(self):
        refuse_repeated_parameters(self, self.data)
        return self.cleaned_data


class HeaderPagination(BasePagination):
    """Views call `page_params()`, read that page, then answer with `paginated_response()`.

    (DRF's paginate_queryset() is not used: the page's rows and the total
    come from the app's data access, which knows the cheapest way to count.)
    """

    def page_params(self, request) -> tuple[int, int]:
        """The page number and size asked for, validated (the form is skipped when neither is)."""
        query = request.query_params
        if "page" not in query and "page_size" not in query:
            return 1, DEFAULT_PAGE_SIZE
        form = PageParamsForm(query)
        if not form.is_valid():
            raise ValidationError(
                {
                    name: [e["message"] for e in errors]
                    for name, errors in form.errors.get_json_data().items()
                }
            )
        return form.cleaned_data["page"] or 1, form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE

    def paginated_response(self, request, items: list, count: int, page: int, page_size: int):
        """The page's items, with the total and the links to the other pages in headers."""
        link = self._link_header(request, count, page, page_size)
        return Response(items, headers={"X-Total-Count": str(count), "Link": link})

    @staticmethod
    def _link_header(request, count: int, page: int, page_size: int) -> str:
        last = max(1, math.ceil(count / page_size))
        pages = {"first": 1, "last": last}
        if page > 1:
            pages["prev"] = min(page - 1, last)
        if page < last:
            pages["next"] = page + 1
        # The request's URL with `page` replaced, parameters sorted (as DRF's
        # replace_query_param does). Only `page` differs from link to link, so
        # the parameters sorted before and after it are encoded once.
        scheme, netloc, path, query, _ = urlsplit(request.build_absolute_uri())
        params = parse_qs(query, keep_blank_values=True)
        params.pop("page", None)
        before = urlencode(sorted(item for item in params.items() if item[0] < "page"), doseq=True)
        after = urlencode(sorted(item for item in params.items() if item[0] > "page"), doseq=True)
        links = []
        for rel, number in pages.items():
            query = "&".join(part for part in (before, f"page={number}", after) if part)
            links.append(f'<{urlunsplit((scheme, netloc, path, query, ""))}>; rel="{rel}"')
        return ", ".join(links)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1 (default 1).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Items per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
