"""Reduce an OpenAPI document to what a client relies on, so two documents
written by different tools can be compared: the paths (path parameters
unnamed), methods, parameters, request bodies, status codes, content types
and schemas, with $refs resolved and names, texts and examples dropped.

What is valid input is compared in full (types, bounds, enums, required
fields); an answer by its fields and their types: the tools do not agree on
marking output fields required or repeating input bounds on them. A path
parameter by its type: each framework's route refuses the other ids (404).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

# Schema keywords that change what is valid; the rest (titles, descriptions,
# examples, formats, readOnly, component names) are documentation.
KEPT = ("enum", "minimum", "maximum", "minLength", "maxLength")


def resolve(node: Any, document: dict) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def schema_shape(schema: Any, document: dict, output: bool = False) -> Any:
    schema = resolve(schema, document)
    if not isinstance(schema, dict):
        return schema
    if "allOf" in schema and len(schema["allOf"]) == 1:
        schema = {**resolve(schema["allOf"][0], document), **schema}
        del schema["allOf"]
    shape: dict[str, Any] = {}
    types = schema.get("type")
    if types is not None:
        types = sorted(types) if isinstance(types, list) else [types]
        if schema.get("nullable"):  # OpenAPI 3.0's spelling of "null"
            types = sorted({*types, "null"})
        shape["type"] = types
    for key in () if output else KEPT:
        if key in schema and not (key == "minLength" and "enum" in schema):
            shape[key] = schema[key]
    if "properties" in schema:
        shape["properties"] = {
            name: schema_shape(value, document, output)
            for name, value in sorted(schema["properties"].items())
        }
        if not output:
            shape["required"] = sorted(schema.get("required", []))
    if "items" in schema:
        shape["items"] = schema_shape(schema["items"], document, output)
    if isinstance(schema.get("additionalProperties"), dict):
        values = schema["additionalProperties"]
        shape["values"] = schema_shape(values, document, output)
    return shape


def content_shape(content: dict | None, document: dict, output: bool = False) -> dict:
    return {
        media: schema_shape(body.get("schema", {}), document, output)
        for media, body in sorted((content or {}).items())
    }


def parameter_shape(parameter: dict, document: dict) -> Any:
    schema = schema_shape(parameter.get("schema", {}), document)
    return {"type": schema.get("type")} if parameter["in"] == "path" else schema


def shape(document: dict) -> dict[str, Any]:
    """{"GET /api/todos/{}/": {...}} for every operation of the document."""
    operations: dict[str, Any] = {}
    secured_by_default = bool(document.get("security"))
    for path, item in document["paths"].items():
        template = re.sub(r"\{[^}]+\}", "{}", path)
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = [
                resolve(p, document)
                for p in [*shared, *operation.get("parameters", [])]
            ]
            body = resolve(operation.get("requestBody"), document) or {}
            security = operation.get("security", document.get("security", []))
            operations[f"{method.upper()} {template}"] = {
                "parameters": sorted(
                    (
                        p["in"],
                        "{}" if p["in"] == "path" else p["name"],
                        bool(p.get("required")),
                        json.dumps(parameter_shape(p, document)),
                    )
                    for p in parameters
                ),
                "request": content_shape(body.get("content"), document),
                "responses": {
                    status: content_shape(
                        resolve(response, document).get("content"), document, True
                    )
                    for status, response in sorted(operation["responses"].items())
                },
                "token": bool(security)
                or (secured_by_default and "security" not in operation),
            }
    return operations


def without_accounts(operations: dict[str, Any]) -> dict[str, Any]:
    """The contract as an app without accounts serves it: no 401, no token."""
    return {
        name: {
            **operation,
            "responses": {
                s: r for s, r in operation["responses"].items() if s != "401"
            },
            "token": False,
        }
        for name, operation in operations.items()
    }


def differences(expected: dict[str, Any], served: dict[str, Any]) -> str:
    """A unified diff of the two shapes; empty when they agree."""
    lines = [
        json.dumps(d, indent=1, sort_keys=True).splitlines() for d in (expected, served)
    ]
    return "\n".join(
        difflib.unified_diff(*lines, "docs/todo-api.yaml", "served", lineterm="", n=2)
    )
