"""Serializer fields that read a JSON body exactly as the OpenAPI schema describes it.

DRF converts on the way in: a string field takes 12 and stores "12", a
boolean field takes "yes", 1 and "false". The schema says `string` and
`boolean`, so these fields refuse the other JSON types instead.

Strings are trimmed before their length is checked ("  x  " is the
one-character "x"), and DRF refuses NUL characters. A `maxLength` on the
text as sent would be wrong about both, so the schema carries a pattern
that states them (see `TextField.request_pattern`, documented by the
extension in api.schema).
"""

from rest_framework import serializers

# What str.strip() removes, spelled out: ECMA-262's \s, which JSON Schema
# patterns use, is another set (it has U+FEFF, lacks U+001C-U+001F and U+0085).
WHITE_SPACE = (
    "\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)


class TextField(serializers.CharField):
    """A JSON string, trimmed unless told otherwise, at most `max_length` characters after that."""

    # A minimum length checked later (by a service) rather than by the field,
    # shown in the schema all the same.
    schema_min_length: int | None = None

    def __init__(self, *, max_length: int | None = None, **kwargs):
        # The length is checked here, after trimming, rather than by the
        # validator DRF would add: the schema then shows the pattern below
        # instead of a maxLength that would count the white space trimmed.
        super().__init__(**kwargs)
        self.max_length = max_length

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if self.max_length is not None and len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return value

    def request_pattern(self) -> str:
        """What the field accepts, as a regular expression (ECMA-262, as JSON Schema reads it)."""
        if not self.trim_whitespace:
            return "^[^\\u0000]+$" if self.allow_blank else "^[^\\u0000]*$"
        # Up to max_length characters from the first to the last that is not
        # white space, with any white space around them.
        space = f"[{WHITE_SPACE}]"
        visible = f"[^{WHITE_SPACE}\\u0000]"
        if self.max_length is None:
            middle = f"(?:[^\\u0000]*{visible})?"
        elif self.max_length >= 2:
            middle = f"(?:[^\\u0000]{{0,{self.max_length - 2}}}{visible})?"
        else:
            middle = ""
        text = f"{space}*{visible}{middle}{space}*"
        if self.allow_blank:
            # drf-spectacular adds the empty string as a second oneOf branch,
            # so the pattern must not match it too.
            return f"^(?:{space}+|{text})$"
        return f"^{text}$"


class EmailTextField(TextField, serializers.EmailField):
    """An email address: a JSON string, trimmed, in the `email` format."""


class JSONBooleanField(serializers.BooleanField):
    """`true` or `false` in a JSON body.

    Serializers used without a request keep DRF's conversions: the CSV
    import reads every cell as text ("True", "False").
    """

    def to_internal_value(self, data):
        if "request" in self.context and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class JSONUUIDField(serializers.UUIDField):
    """A UUID in a JSON body: a string, as the schema says (DRF also takes a number)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
