"""The lenient JSON ARM reads deployment bodies in (az sends `template:` unquoted, files keep comments)
and the template expression syntax, on their own."""

from __future__ import annotations

import pytest

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.resources import jsonc
from provisioner.emulator.resources.expressions import Scope, evaluate, evaluate_value


def test_comments_and_bare_names_are_read_strings_are_kept() -> None:
    text = (
        b'{"properties": {"mode": "Incremental"}, template:{\n  // a comment\n'
        b'  "a": "x // not a comment", /* b */ "b": [1, true, null]}}'
    )
    assert jsonc.loads(text) == {
        "properties": {"mode": "Incremental"},
        "template": {"a": "x // not a comment", "b": [1, True, None]},
    }


@pytest.mark.parametrize("text", [b'{"a": "unterminated}', b'{"a": 1 /* open', b"[1,"])
def test_broken_bodies_are_invalid_request_content(text: bytes) -> None:
    with pytest.raises(CloudServiceError) as raised:
        jsonc.loads(text)
    assert (raised.value.status, raised.value.code) == (400, "InvalidRequestContent")


SCOPE = Scope(functions={"concat": lambda *parts: "".join(parts), "obj": lambda: {"Items": [{"id": "x"}]}})


def test_expressions_literals_accessors_and_escapes() -> None:
    assert evaluate("concat('it''s', ' ', 'ok')", SCOPE) == "it's ok"
    assert evaluate("obj().items[0].ID", SCOPE) == "x"  # properties match without case, as in ARM
    assert evaluate_value({"a": "[[literal]", "b": ["[concat('a', 'b')]"]}, SCOPE) == {"a": "[literal]", "b": ["ab"]}


@pytest.mark.parametrize(
    ("text", "words"),
    [("nosuch()", "The template function 'nosuch' is not valid"), ("concat('a'", "ends unexpectedly"),
     ("obj().missing", "doesn't exist"), ("obj().items[3]", "out of bounds"), ("concat('a') )", "is not valid")],
)  # fmt: skip
def test_bad_expressions_are_invalid_template(text: str, words: str) -> None:
    with pytest.raises(CloudServiceError) as raised:
        evaluate(text, SCOPE)
    assert raised.value.code == "InvalidTemplate"
    assert words in raised.value.message
