"""``json.loads`` of a data file a record at a time, so that other threads run meanwhile.

``json.loads`` is one C call that holds the GIL for all of its parse: 50 ms for the 2 MB of a
wind PN day, seconds for a GB-scale BOD file, during which the GUI thread of an import in
the background cannot turn its event loop (issue 20). Here the top-level list, or the lists
held by a top-level object ({"data": [...]}), are parsed a value at a time with the same
decoder: the same values, in about the same time, the GIL free between two records.

Whatever is not so regular (a document json.loads would refuse, or other top-level shapes)
is handed to json.loads itself, so errors read exactly as its own.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring

WHOLE_BELOW = 1 << 16  # characters: a smaller document is parsed in one call (under 2 ms)
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.decoder skips it
_DECODER = json.JSONDecoder()


class _Irregular(Exception):
    """Not what the piecewise parse reads: json.loads decides."""


def loads(text: str) -> object:
    """What ``json.loads(text)`` returns, or the JSONDecodeError it raises."""
    if len(text) < WHOLE_BELOW:
        return json.loads(text)
    try:
        value, end = _value(text, _SPACE.match(text, 0).end(), top=True)
        if _SPACE.match(text, end).end() != len(text):
            raise _Irregular
        return value
    except (_Irregular, json.JSONDecodeError, RecursionError):
        return json.loads(text)


def _value(text: str, at: int, top: bool = False) -> tuple[object, int]:
    if text.startswith("[", at):
        return _list(text, at)
    if top and text.startswith("{", at):
        return _object(text, at)
    return _DECODER.raw_decode(text, at)


def _list(text: str, at: int) -> tuple[list, int]:
    items: list = []
    at = _SPACE.match(text, at + 1).end()
    if text.startswith("]", at):
        return items, at + 1
    decode = _DECODER.raw_decode
    while True:
        item, at = decode(text, at)
        items.append(item)
        at = _SPACE.match(text, at).end()
        if text.startswith(",", at):
            at = _SPACE.match(text, at + 1).end()
        elif text.startswith("]", at):
            return items, at + 1
        else:
            raise _Irregular


def _object(text: str, at: int) -> tuple[dict, int]:
    """A top-level object: each value on its own, a list value item by item."""
    members: dict = {}
    at = _SPACE.match(text, at + 1).end()
    if text.startswith("}", at):
        return members, at + 1
    while True:
        if not text.startswith('"', at):
            raise _Irregular
        key, at = scanstring(text, at + 1)
        at = _SPACE.match(text, at).end()
        if not text.startswith(":", at):
            raise _Irregular
        members[key], at = _value(text, _SPACE.match(text, at + 1).end())
        at = _SPACE.match(text, at).end()
        if text.startswith(",", at):
            at = _SPACE.match(text, at + 1).end()
        elif text.startswith("}", at):
            return members, at + 1
        else:
            raise _Irregular
