"""Schemathesis hooks of .ci/contract.sh: what the bookstore's valid requests need
beyond their schemas. Each hook only narrows or fills in generated data; every
response is still checked in full.
"""

import re
import uuid

import schemathesis

# The seeded author (see .ci/contract.sh); books name it, since no schema can say
# which ids exist.
SEEDED_AUTHOR = 1
BOOK_WRITES = {"POST /books", "PATCH /books/{id}"}
AUTHOR_WRITES = {"POST /authors", "PATCH /authors/{id}"}

# Rust's `char::is_whitespace` (the Unicode White_Space property), which the
# bookstore's `not_blank` validator trims with.
RUST_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def _label(case):
    return f"{case.method.upper()} {case.operation.path}"


def _is_negative(case):
    meta = case.meta
    return meta is not None and not meta.generation.mode.is_positive


def _is_int64(value):
    """An integer as the schema's `int64` reads it: `5`, or `5.0`, which JSON Schema
    counts as an integer too."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


@schemathesis.hook
def map_case(context, case):
    """A book's `author_id` names the seeded author: a random id names none, and the
    body would stop at that `422 not_found` (which the document's 422 describes).
    Values of another type or out of range stay, so their negative cases still run."""
    if _label(case) in BOOK_WRITES and isinstance(case.body, dict):
        if _is_int64(case.body.get("author_id")):
            case.body["author_id"] = SEEDED_AUTHOR
    return case


@schemathesis.hook
def filter_case(context, case):
    """An author's `name` passes the custom validator `not_blank` (Rust code, which
    the document cannot describe): valid cases with a blank name are not generated."""
    if _label(case) in AUTHOR_WRITES and isinstance(case.body, dict) and not _is_negative(case):
        name = case.body.get("name")
        if isinstance(name, str) and name and all(c in RUST_WHITESPACE for c in name):
            return False
    return True


# `Idempotency-Key` as the document's pattern reads it: 1 to 255 visible ASCII
# characters but `"` and a backslash, bare or in quotes.
IDEMPOTENCY_KEY = re.compile(r'^("?)([\x21\x23-\x5B\x5D-\x7E]{1,255})\1$')


@schemathesis.hook
def before_call(context, case, kwargs):
    """A client makes a new `Idempotency-Key` for each new request, and the bookstore
    answers a key reused for another request with `422 idempotency_key_reused`, or
    replays the first answer to the same request (both documented and tested in
    core/tests/runtime/idempotency.rs). Generated keys repeat (`0`, `mB`), so each
    well-formed one of a valid case gets a unique suffix, in every phase. Negative cases
    stay as generated: their malformed keys must still get `400`, and editing them would
    make schemathesis revalidate the case as positive and send the credentials a
    missing-header case leaves out."""
    if _is_negative(case):
        return
    for name, value in list((case.headers or {}).items()):
        if name.lower() != "idempotency-key" or not isinstance(value, str):
            continue
        match = IDEMPOTENCY_KEY.match(value)
        if match:
            quote, key = match.groups()
            case.headers[name] = f"{quote}{key[:222]}-{uuid.uuid4().hex}{quote}"
