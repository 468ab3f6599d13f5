"""DynamoDB's expression language: public API.

Owns: the entry points the operations use -- parse (text -> resolved AST, with AWS's errors)
and evaluate (AST x item -> result).  Pipeline: tokens.py -> parser.py (syntax tree) ->
analysis.py (checks in AWS's order, #name/:value resolution) -> ast.py nodes -> evaluate.py
(conditions, projection), update.py (UpdatePlan), keys.py (Query key conditions).  Legacy
parameters map onto the same AST in ``riverbed.services.dynamodb.legacy``.

Must not: do I/O or know about tables and storage.
"""

from riverbed.services.dynamodb.expressions.analysis import parse_condition, parse_projection, parse_update
from riverbed.services.dynamodb.expressions.ast import (
    AddAction,
    And,
    Arithmetic,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    DeleteAction,
    DocPath,
    IfNotExists,
    In,
    KeyCondition,
    ListAppend,
    Node,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Size,
    UpdatePlan,
    Value,
    format_path,
)
from riverbed.services.dynamodb.expressions.attributes import ExpressionAttributes
from riverbed.services.dynamodb.expressions.evaluate import (
    document_paths,
    evaluate_condition,
    get_path,
    project,
    referenced_attributes,
    updated_attributes,
)
from riverbed.services.dynamodb.expressions.keys import parse_key_condition, range_matches
from riverbed.services.dynamodb.expressions.update import apply_update

__all__ = [
    "AddAction",
    "And",
    "Arithmetic",
    "AttributeExists",
    "AttributeNotExists",
    "AttributeType",
    "BeginsWith",
    "Between",
    "Comparison",
    "Contains",
    "DeleteAction",
    "DocPath",
    "ExpressionAttributes",
    "IfNotExists",
    "In",
    "KeyCondition",
    "ListAppend",
    "Node",
    "Not",
    "Or",
    "Path",
    "RemoveAction",
    "SetAction",
    "Size",
    "UpdatePlan",
    "Value",
    "apply_update",
    "document_paths",
    "evaluate_condition",
    "format_path",
    "get_path",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
    "project",
    "range_matches",
    "referenced_attributes",
    "updated_attributes",
]
