"""The JSON Schema of scenario files, generated from the models (`provision schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from provisioner.kinds import KINDS
from provisioner.kinds.base import KindInfo
from provisioner.scenario.checks import CheckSpec
from provisioner.scenario.loader import TopLevel

VARIABLE_REFERENCE = {"type": "string", "pattern": r"^\$\{(var|env)\.[A-Za-z_][A-Za-z0-9_-]*\}$"}
REF_TEMPLATE = "#/$defs/{model}"


class _Generator(GenerateJsonSchema):
    """Booleans and numbers may also be written as a whole `${var.x}` or `${env.X}`."""

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        return {"anyOf": [super().bool_schema(schema), VARIABLE_REFERENCE]}

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return {"anyOf": [super().int_schema(schema), VARIABLE_REFERENCE]}


def scenario_schema() -> dict[str, Any]:
    """One schema: the top level, with `resources` values discriminated by `kind`."""
    resources = {name: _resource_model(kind) for name, kind in KINDS.items()}
    models: list[type[BaseModel]] = [TopLevel, CheckSpec, *resources.values()]
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template=REF_TEMPLATE, schema_generator=_Generator
    )
    defs = definitions["$defs"]
    schema = defs.pop(TopLevel.__name__)
    schema["properties"]["resources"]["additionalProperties"] = {
        "oneOf": [{"$ref": REF_TEMPLATE.format(model=model.__name__)} for model in resources.values()],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {name: REF_TEMPLATE.format(model=model.__name__) for name, model in resources.items()},
        },
    }
    schema["properties"]["checks"]["items"] = {"$ref": REF_TEMPLATE.format(model=CheckSpec.__name__)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://provision.invalid/scenario.schema.json",
        **schema,
        "title": "provision scenario",
        "description": "Resources to provision, and the access their managed identities must have.",
        "$defs": defs,
    }


def _resource_model(kind: KindInfo[Any]) -> type[BaseModel]:
    """The kind's spec plus the keys every resource has."""
    name = "".join(part.title() for part in kind.name.split("_")) + "Resource"
    return create_model(
        name,
        __base__=kind.spec,
        __doc__=kind.spec.__doc__,
        kind=(str, Field(json_schema_extra={"const": kind.name})),
        existing=(bool, False),
        depends_on=(list[str], []),
    )
