import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson (several times faster).

    The output is compact UTF-8 JSON like DRF's; anything orjson does not know
    (lazy translations, Decimal) goes through DRF's own encoder. UUIDs and
    datetimes are written by orjson as DRF writes them (ISO 8601, UTC as Z),
    so views can hand over database rows without formatting them first.
    """

    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback.default, option=self.options)
