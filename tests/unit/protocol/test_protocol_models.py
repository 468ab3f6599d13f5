"""Service models: read lazily from botocore's data directory, looked up by name and target."""

from __future__ import annotations

import subprocess
import sys

import pytest

from riverbed.core.models import botocore_data_dir, load_service_model

SERVICES = ["dynamodb", "dynamodbstreams", "lambda", "sqs", "sns", "iam", "sts", "cloudwatch", "kms"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_served_service_loads(service: str) -> None:
    model = load_service_model(service)
    assert model.name == service
    assert model.operation_names
    assert model.protocol
    assert load_service_model(service) is model  # cached


def test_metadata_and_lookups() -> None:
    ddb = load_service_model("dynamodb")
    assert ddb.target_prefix == "DynamoDB_20120810"
    assert ddb.json_version == "1.0"
    assert ddb.api_version == "2012-08-10"
    assert ddb.operation("PutItem")["http"]["method"] == "POST"
    assert ddb.shape("TableName")["pattern"] == "[a-zA-Z0-9_.-]+"
    assert ddb.input_shape_name("PutItem") == "PutItemInput"
    assert ddb.output_shape_name("PutItem") == "PutItemOutput"
    assert ddb.operation_for_target("DynamoDB_20120810.PutItem") == "PutItem"
    assert ddb.operation_for_target("DynamoDB_20120810.Nope") is None
    assert ddb.operation_for_target("DynamoDBStreams_20120810.GetRecords") is None
    assert ddb.operation_for_target("PutItem") is None
    with pytest.raises(KeyError):
        ddb.operation("Nope")


def test_query_and_rest_metadata() -> None:
    assert load_service_model("sns").xml_namespace == "http://sns.amazonaws.com/doc/2010-03-31/"
    lam = load_service_model("lambda")
    assert lam.protocol == "rest-json"
    assert lam.operation("CreateFunction")["http"]["responseCode"] == 201
    assert load_service_model("sqs").target_prefix == "AmazonSQS"


def test_error_shapes_by_code_and_alias() -> None:
    assert load_service_model("lambda").error_shape_name("ResourceNotFoundException") == "ResourceNotFoundException"
    sns = load_service_model("sns")
    assert sns.error_shape_name("NotFound") == "NotFoundException"  # by the error.code trait
    assert sns.error_shape_name("Nope") is None


def test_compiled_cache_builds_once() -> None:
    model = load_service_model("sts")
    calls = []
    first = model.compiled(("test", 1), lambda: calls.append(1) or "x")
    again = model.compiled(("test", 1), lambda: calls.append(1) or "y")
    assert first == again == "x" and calls == [1]


def test_unknown_service() -> None:
    with pytest.raises(KeyError):
        load_service_model("no-such-service")


def test_data_dir_is_botocore_s() -> None:
    assert botocore_data_dir().endswith("data")


def test_import_loads_no_model_and_no_botocore() -> None:
    # Cold start: importing the protocol modules must not read any model nor import botocore.
    code = ("import sys, riverbed.core.models as m, riverbed.protocol.validate, riverbed.protocol.query, "
            "riverbed.protocol.restjson\n"
            "assert not m._models, m._models\n"
            "assert 'botocore' not in sys.modules, 'botocore imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env
