"""JSON input with a bound on how deeply it may nest: the API's parser and the admin's form field.

Python's json module recurses once per nesting level: `[[[[…]]]]` a thousand deep raises
RecursionError (not ValueError, which DRF turns into a 400), so a 2 kB anonymous POST answered
500. A body that parses but nests a few hundred deep would recurse again wherever it is walked
(serializers, JSONField values, the renderer echoing it back). No request of this API nests
more than a handful of levels (an order's lines, an address), so anything deeper than
MAX_JSON_DEPTH is refused here, before a view sees it.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Containers inside containers: `{"items": [{"product": 1}]}` is 3 deep.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - the body nests more than {MAX_JSON_DEPTH} levels deep."


def json_depth_exceeds(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and objects nest deeper than `limit`, found without recursion."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DEFAULT_PARSER_CLASSES: a body nested too deeply is a 400 `parse_error`, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if json_depth_exceeds(data):
            raise ParseError(TOO_DEEP)
        return data


class BoundedJSONFormField(forms.JSONField):
    """Django's form JSONField (the admin's editor of a JSONField) parses with json.loads and
    catches only JSONDecodeError: a value nested too deeply was a 500, on submit and again when
    the form is shown with its errors. Here it is a form error like any malformed value."""

    default_error_messages = {"too_deep": f"The value nests more than {MAX_JSON_DEPTH} levels deep."}

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError as exc:
            raise ValidationError(self.error_messages["too_deep"], code="too_deep") from exc
        if json_depth_exceeds(converted):
            raise ValidationError(self.error_messages["too_deep"], code="too_deep")
        return converted

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return forms.fields.InvalidJSONInput(data)
