from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answering the usual request without parsing anything.

    A request with no Accept header, `Accept: */*` or exactly the first
    renderer's type (application/json for the API) gets the first renderer,
    which is what DRF's full negotiation picks for it, at a tenth of the cost.
    Anything else (a list of types, parameters, `?format=`) is negotiated by
    DRF, which answers 406 where it must.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0]
        accept = request.META.get("HTTP_ACCEPT")
        if (
            not format_suffix
            and (accept is None or accept == "*/*" or accept == first.media_type)
            and "format=" not in request.META.get("QUERY_STRING", "")
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
