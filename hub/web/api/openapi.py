"""The OpenAPI 3.1 document, assembled from the routes as they are declared.

Each endpoint is declared once with ``@operation``; its pydantic models give the JSON
Schemas (pydantic emits JSON Schema 2020-12, the dialect of OpenAPI 3.1), so the
document cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    form: type[BaseModel] | None
    response: type[BaseModel] | None
    many: bool
    status: int
    query: tuple[Param, ...]
    operation_id: str


class OperationRegistry:
    """Routes of one blueprint with what the document needs to describe them."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint
        self.operations: list[Operation] = []

    def __call__(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        form: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        many: bool = False,
        status: int = 200,
        query: tuple[Param, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            self.blueprint.add_url_rule(rule, view_func=view, methods=[method])
            self.operations.append(
                Operation(
                    rule,
                    method.lower(),
                    summary,
                    tag,
                    body,
                    form,
                    response,
                    many,
                    status,
                    query,
                    view.__name__,
                )
            )
            return view

        return decorate

    def document(
        self,
        *,
        title: str,
        version: str,
        prefix: str,
        error_model: type[BaseModel],
        page_model: type[BaseModel],
    ) -> dict[str, Any]:
        """The whole OpenAPI 3.1 document."""
        models = {
            m for op in self.operations for m in (op.body, op.form, op.response) if m
        }
        models |= {error_model, page_model}
        _, defs = models_json_schema(
            [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
            ref_template=REF,
        )
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            path = prefix + _openapi_path(op.rule)
            paths.setdefault(path, {})[op.method] = _describe(op, page_model)
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version},
            "servers": [{"url": "/"}],
            "paths": paths,
            "components": {
                "schemas": defs.get("$defs", {}),
                "securitySchemes": {
                    "apiKey": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API key from `hub api-key create`.",
                    }
                },
                "responses": {
                    "Error": {
                        "description": "An error",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "$ref": REF.format(model=error_model.__name__)
                                }
                            }
                        },
                    }
                },
            },
            "security": [{"apiKey": []}],
        }


def _openapi_path(rule: str) -> str:
    # Flask's /users/<int:user_id> becomes OpenAPI's /users/{user_id}.
    return "/".join(
        "{" + part[1:-1].split(":")[-1] + "}" if part.startswith("<") else part
        for part in rule.split("/")
    )


def _describe(op: Operation, page_model: type[BaseModel]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
        for name, kind in _path_params(op.rule)
    ]
    params += [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description,
            "schema": p.schema,
        }
        for p in op.query
    ]
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": {"default": {"$ref": "#/components/responses/Error"}},
    }
    if params:
        spec["parameters"] = params
    if op.form is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"$ref": REF.format(model=op.form.__name__)}
                }
            },
        }
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model=op.body.__name__)}
                }
            },
        }
    spec["responses"][str(op.status)] = _response(op, page_model)
    return spec


def _response(op: Operation, page_model: type[BaseModel]) -> dict[str, Any]:
    if op.response is None:
        return {"description": "No content"}
    item = {"$ref": REF.format(model=op.response.__name__)}
    schema: dict[str, Any] = item
    if op.many:
        schema = {
            "allOf": [
                {"$ref": REF.format(model=page_model.__name__)},
                {
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": item}},
                },
            ]
        }
    return {
        "description": op.summary,
        "content": {"application/json": {"schema": schema}},
    }


def _path_params(rule: str) -> list[tuple[str, str]]:
    """``(name, JSON type)`` of each URL parameter: ``<int:x>`` is an integer."""
    params = []
    for part in rule.split("/"):
        if part.startswith("<"):
            converter, _, name = part[1:-1].rpartition(":")
            params.append((name, "integer" if converter == "int" else "string"))
    return params
