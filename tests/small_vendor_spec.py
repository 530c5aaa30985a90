"""A small vendor-style document with the defects the loader repairs, for tests that must not
depend on ../shared: an absolute server, overlapping oneOf, nullable beside allOf, a recursive
schema, a date-time query parameter, a request example its schema rejects, a broken response
example, two operations on one route, management credentials, and the 18 customers operations
left out (so only example-backed operations and get-campaign, which has state)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: Json, examples: Json | None = None) -> Json:
    content: Json = {"schema": schema}
    if examples is not None:
        content["examples"] = {name: {"value": value} for name, value in examples.items()}
    return {"content": {"application/json": content}}


PRODUCT = {
    "type": "object",
    "required": ["id", "object"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "price": {"type": "integer"},
        "object": {"type": "string", "enum": ["product"]},
        "category": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Category"}]},
    },
}
PRODUCT_REF = {"$ref": "#/components/schemas/Product"}
PRODUCTS = {
    "get": {
        "operationId": "list-products",
        "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
            {"name": "created_after", "in": "query",
             "schema": {"type": "string", "format": "date-time"}},
        ],
        "responses": {"200": _json({"type": "object", "properties": {
            "object": {"type": "string"}, "products": {"type": "array", "items": PRODUCT_REF},
        }})},
    },
    "post": {
        "operationId": "create-product",
        "requestBody": {"required": True, **_json(
            {"type": "object", "required": ["name", "sku"],
             "properties": {"name": {"type": "string"}, "sku": {"type": "string"}}},
            {"Without sku": {"name": "Phone"}},
        )},
        "responses": {"200": _json(PRODUCT_REF, {"Created": {
            "id": "prod_1", "name": "Phone", "price": "100", "object": "product", "category": None,
        }})},
    },
}
PRODUCT_ITEM = {
    "parameters": [{"name": "productId", "in": "path", "required": True,
                    "schema": {"type": "string"}}],
    "get": {
        "operationId": "get-product",
        "responses": {
            "200": _json(PRODUCT_REF, {
                "Phone": {"id": "prod_1", "name": "Phone", "object": "product"},
                "Tablet": {"id": "prod_2", "name": "Tablet", "object": "product"},
            }),
            "404": _json(ERROR, {"Not Found": {
                "code": 404, "key": "not_found", "message": "Resource not found",
                "details": "Cannot find product with id prod_9", "resource_id": "prod_9",
                "resource_type": "product",
            }}),
        },
    },
    "delete": {"operationId": "delete-product", "responses": {"204": {"description": "gone"}}},
}
DOCUMENT: Json = {
    "openapi": "3.0.1",
    "info": {"title": "Small vendor", "version": "1"},
    "servers": [{"url": "https://{cluster}.example.com",
                 "variables": {"cluster": {"default": "api"}}}],
    "security": [{"X-App-Id": [], "X-App-Token": []}],
    "paths": {
        "/v1/products": PRODUCTS,
        "/v1/products/{productId}": PRODUCT_ITEM,
        "/v1/campaigns/{campaignId}": {"get": {
            "operationId": "get-campaign",
            "parameters": [{"name": "campaignId", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": _json({"type": "object", "additionalProperties": True})},
        }},
        "/v1/campaigns/{campaignId}/summary": {"get": {
            "operationId": "get-campaign-summary",
            "parameters": [{"name": "campaignId", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": _json({"type": "object", "properties": {
                "campaign_id": {"type": "string"}, "total": {"type": "integer"},
            }}, {"Summary": {"campaign_id": "camp_x", "total": 3}})},
        }},
        "/v1/exports/{exportId}": {"get": {
            "operationId": "get-export",
            "parameters": [{"name": "exportId", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": _json({"$ref": "#/components/schemas/Export"})},
        }},
        "/v1/exports/{export_Id}": {"get": {
            "operationId": "download-export",
            "parameters": [
                {"name": "export_Id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "token", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": {"content": {"text/plain": {
                "schema": {"type": "string"}, "examples": {"CSV": {"value": "Code\nA\n"}},
            }}}},
        }},
        "/management/v1/projects": {"get": {
            "operationId": "list-projects",
            "security": [{"X-Management-Id": [], "X-Management-Token": []}],
            "responses": {"200": _json({"$ref": "#/components/schemas/Node"})},
        }},
    },
    "components": {
        "securitySchemes": {
            name: {"type": "apiKey", "in": "header", "name": name}
            for name in ("X-App-Id", "X-App-Token", "X-Management-Id", "X-Management-Token")
        },
        "schemas": {
            "Error": {"type": "object", "properties": {
                "code": {"type": "integer"}, "key": {"type": "string"},
                "message": {"type": "string"}, "details": {"type": "string"},
                "request_id": {"type": "string"}, "resource_id": {"type": "string"},
                "resource_type": {"type": "string"},
            }},
            "Category": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Product": PRODUCT,
            "Export": {"oneOf": [  # both branches accept {"id": "exp_1"}: they overlap
                {"type": "object", "properties": {"id": {"type": "string"}}},
                {"type": "object", "properties": {"id": {"type": "string"},
                                                  "status": {"type": "string"}}},
            ]},
            "Node": {"type": "object", "required": ["name"], "properties": {  # recursive
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            }},
        },
    },
}
