import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson (several times faster).

    The output is compact UTF-8 JSON like DRF's; anything orjson does not know
    (lazy translations, Decimal) goes through DRF's own encoder.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback.default, option=orjson.OPT_NON_STR_KEYS)
