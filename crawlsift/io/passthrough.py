"""Pass-through fields: the columns a JSONL or Parquet input carries besides crawlsift's own.

They are written to the outputs as they came, after crawlsift's columns, with three rules
that keep every shard of a run loadable as one table (polars, pyarrow.dataset, Hugging Face
``datasets``):

* **names**: a field named like one of crawlsift's columns (``keep``, ``input_text``,
  ``reason``, a signal, ...) is renamed ``given_<name>``, so user data never collides with
  what the pipeline computes (and ``given_keep`` becomes ``given_given_keep``, so two
  fields never share a name);
* **types**: where the same field has different types in different records, batches or
  files, the types are unified as Arrow's permissive promotion does (null takes the other
  type, integers widen, integers and floats become float64, structs merge their fields,
  lists unify their items); where there is no common type (an int here and a string there,
  a struct and a list) the field becomes a string column: strings stay as they are, every
  other value becomes its JSON text (``7``, ``true``, ``{"a": 1}``);
* **shape**: a value Parquet cannot store (an empty object, a struct without fields) makes
  the field a string column by the same rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from crawlsift import schema as S

GIVEN_PREFIX = "given_"
#: the type of a field whose values have no common type (see the module docstring)
TEXT_TYPE = pa.string()


def field_name(key: str) -> str:
    """The output name of an input field ``key``: ``given_<key>`` when ``key`` is one of
    crawlsift's column names, possibly behind ``given_`` prefixes; else ``key`` itself."""
    core = key
    while core.startswith(GIVEN_PREFIX):
        core = core[len(GIVEN_PREFIX) :]
    return GIVEN_PREFIX + key if core in S.COLUMN_TYPES else key


def as_text(value: Any) -> str | None:
    """A value as text: strings as they are, numbers formatted, anything else as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def without_surrogates(value: str) -> str:
    """Replace lone surrogates (which UTF-8 cannot hold) by U+FFFD."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def string_array(values: Sequence[Any], type_: pa.DataType = TEXT_TYPE) -> pa.Array:
    """A string array; strings with lone surrogates are repaired instead of failing."""
    try:
        return pa.array(values, type=type_)
    except UnicodeEncodeError:
        fixed = [without_surrogates(v) if isinstance(v, str) else v for v in values]
        return pa.array(fixed, type=type_)


def text_array(values: Sequence[Any]) -> pa.Array:
    """The fallback column of values with no common type: :func:`as_text` of each."""
    return string_array([as_text(v) for v in values])


def _storable(type_: pa.DataType) -> bool:
    """Whether Parquet can store the type (it cannot store a struct without fields)."""
    if pa.types.is_struct(type_):
        return type_.num_fields > 0 and all(_storable(f.type) for f in type_)
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return _storable(type_.value_type)
    if pa.types.is_map(type_):
        return _storable(type_.key_type) and _storable(type_.item_type)
    return True


def infer_array(values: Sequence[Any]) -> pa.Array:
    """An Arrow array of Python values (one JSON field of a batch), by the rules above."""
    try:
        arr = pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return text_array(values)
    return arr if _storable(arr.type) else text_array(values)


def _has_uint64(type_: pa.DataType) -> bool:
    return pa.types.is_uint64(type_)


def unify_types(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    """The type two types of one field unify to (see the module docstring)."""
    if a.equals(b):
        return a
    if pa.types.is_integer(a) and pa.types.is_integer(b) and (_has_uint64(a) or _has_uint64(b)):
        # Arrow promotes uint64 and a signed type to int64, which not every uint64 fits
        return TEXT_TYPE
    try:
        merged = pa.unify_schemas(
            [pa.schema([pa.field("f", a)]), pa.schema([pa.field("f", b)])],
            promote_options="permissive",
        )
    except (pa.ArrowException, ValueError):
        return TEXT_TYPE
    return merged.field("f").type


def unify_schemas(schemas: Iterable[pa.Schema]) -> pa.Schema:
    """One schema for tables of ``schemas``: fields in order of first appearance, each
    field's types unified."""
    types: dict[str, pa.DataType] = {}
    for schema in schemas:
        for f in schema:
            types[f.name] = unify_types(types[f.name], f.type) if f.name in types else f.type
    return pa.schema([pa.field(name, type_) for name, type_ in types.items()])


def conform_array(arr: pa.Array | pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray:
    """An array cast to ``type_``, a type it unifies to (values as text where Arrow cannot
    cast them, see :func:`text_array`)."""
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr], arr.type)
    if arr.type.equals(type_):
        return arr
    try:
        return arr.cast(type_)
    except (pa.ArrowException, ValueError):
        if not (pa.types.is_string(type_) or pa.types.is_large_string(type_)):
            raise
        return pa.chunked_array([text_array(arr.to_pylist()).cast(type_)], type_)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the fields of ``schema`` (a unified schema it is part of):
    missing fields as nulls, others cast by :func:`conform_array`."""
    if table.schema.equals(schema):
        return table
    names = set(table.column_names)
    arrays = [
        conform_array(table.column(f.name), f.type)
        if f.name in names
        else pa.chunked_array([pa.nulls(table.num_rows, f.type)], f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
