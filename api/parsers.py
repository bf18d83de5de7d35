"""The JSON request parser, hardened against hostile documents.

DRF's parser lets a deeply nested document make the decoder raise
RecursionError (a 500). This one answers 400 for that, for NaN/Infinity and
for text that is not valid in the request's encoding. The body size limit
(DATA_UPLOAD_MAX_MEMORY_SIZE, 413 beyond it) is enforced by Django when the
body is read.
"""

import json

from django.conf import settings
from rest_framework import exceptions, parsers


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(stream.read().decode(encoding), parse_constant=_reject_constant)
        except RecursionError as exc:
            raise exceptions.ParseError("The JSON document is nested too deeply.") from exc
        except (ValueError, LookupError) as exc:  # includes UnicodeDecodeError
            raise exceptions.ParseError(f"JSON parse error: {exc}") from exc
