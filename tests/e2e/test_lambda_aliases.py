"""Lambda aliases through boto3: the alias API with AWS's shapes and texts, invoking through an alias
(real worker processes), weighted routing, DeleteFunction and policies with aliases, the metrics of an
alias invocation, and a DynamoDB stream mapping on an alias that follows UpdateAlias.

The expected texts and shapes are AWS's own, replayed from ``tests/data/aws-recorded/
lambda_aliases.snapshot.json`` (lambda_api recording, TestLambdaAlias / TestLambdaRevisions).
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import REGION, make_client, zip_code

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
RECORDED = json.loads((Path(__file__).parent.parent / "data" / "aws-recorded" /
                       "lambda_aliases.snapshot.json").read_text())
SCENARIO = "tests/aws/services/lambda_/test_lambda_api.py::{}"

SOURCE = """
    def handler(event, context):
        return {"label": "%s", "version": context.function_version, "arn": context.invoked_function_arn}
"""


def zip_of(label: str) -> bytes:
    return zip_code(SOURCE % label)


@pytest.fixture(scope="module")
def lam(endpoint):
    return make_client(endpoint, "lambda")


@pytest.fixture(scope="module")
def raw(endpoint):
    """A client that leaves validation to the server (as the recording's client did)."""
    return boto3.client("lambda", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"}))


@pytest.fixture
def fn(lam):
    """A function with versions 1 ("one") and 2 ("two")."""
    name = f"alias-fn-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_of("one")}, Publish=True)
    lam.update_function_code(FunctionName=name, ZipFile=zip_of("two"), Publish=True)
    return name


def arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def recorded(scenario: str, key: str, name: str) -> dict:
    """A recorded response with its placeholders filled in for this run."""
    text = json.dumps(RECORDED[SCENARIO.format(scenario)]["recorded-content"][key])
    text = (text.replace("<partition>", "aws").replace("<region>", REGION).replace("111111111111", ACCOUNT)
            .replace("<function-name:1>", name))
    return json.loads(text)


def error_of(excinfo) -> dict:
    response = excinfo.value.response
    return {"Code": response["Error"]["Code"], "Message": response["Error"]["Message"],
            "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def recorded_error(scenario: str, key: str, name: str) -> dict:
    answer = recorded(scenario, key, name)
    return {"Code": answer["Error"]["Code"], "Message": answer["Error"]["Message"],
            "Status": answer["ResponseMetadata"]["HTTPStatusCode"]}


def shape(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in ("ResponseMetadata", "RevisionId")}


def invoke(lam, **kwargs):
    response = lam.invoke(Payload=b"{}", **kwargs)
    return response, json.loads(response["Payload"].read())


# --- the alias API --------------------------------------------------------------------------------------

def test_alias_lifecycle_answers_as_aws(lam, fn):
    scenario = "TestLambdaAlias::test_alias_lifecycle"
    created = lam.create_alias(FunctionName=fn, Name="aliasname1_1", FunctionVersion="1", Description="custom-alias",
                               RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shape(created) == shape(recorded(scenario, "create_alias_1_1", fn))
    got = lam.get_alias(FunctionName=fn, Name="aliasname1_1")
    assert got["RevisionId"] == created["RevisionId"] and shape(got) == shape(created)
    lam.create_alias(FunctionName=fn, Name="aliasname1_2", FunctionVersion="1", Description="custom-alias")
    no_description = lam.create_alias(FunctionName=arn(fn), Name="aliasname1_3", FunctionVersion="1")
    assert shape(no_description) == shape(recorded(scenario, "create_alias_1_3", fn))
    lam.create_alias(FunctionName=fn, Name="aliasname2", FunctionVersion="2", Description="custom-alias")

    pages = list(lam.get_paginator("list_aliases").paginate(FunctionName=fn, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 4
    listed = [entry for p in pages for entry in p["Aliases"]]
    assert [shape(a) for a in listed] == [shape(a) for a in recorded(scenario, "list_aliases_for_fnname",
                                                                         fn)["Aliases"]]

    # An empty AdditionalVersionWeights removes the routing; every update is a new revision.
    updated = lam.update_alias(FunctionName=fn, Name="aliasname1_1", RoutingConfig={"AdditionalVersionWeights": {}})
    assert shape(updated) == shape(recorded(scenario, "update_alias_1_1", fn))
    assert updated["RevisionId"] != created["RevisionId"]
    unchanged = lam.update_alias(FunctionName=fn, Name="aliasname1_2")
    assert shape(unchanged) == shape(recorded(scenario, "update_alias_1_2", fn))

    by_version = lam.list_aliases(FunctionName=fn, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in by_version] == ["aliasname1_1", "aliasname1_2", "aliasname1_3"]
    assert lam.delete_alias(FunctionName=fn, Name="aliasname1_1")["ResponseMetadata"]["HTTPStatusCode"] == 204
    after = lam.list_aliases(FunctionName=fn)["Aliases"]
    assert [shape(a) for a in after] == [shape(a) for a in recorded(
        scenario, "list_aliases_for_fnname_afterdelete", fn)["Aliases"]]


def test_update_keeps_what_is_not_given_and_moves_version(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1", Description="first",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    moved = lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2",
                             RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert moved["FunctionVersion"] == "2" and moved["Description"] == "first"
    assert moved["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.5}}
    described = lam.update_alias(FunctionName=fn, Name="live", Description="second")
    assert described["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.5}}
    assert described["Description"] == "second" and described["FunctionVersion"] == "2"


def test_create_alias_errors_are_aws_texts(raw, fn):
    scenario = "TestLambdaAlias::test_notfound_and_invalid_routingconfigs"
    cases = {
        "routing_config_exc_toomany": {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights":
                                                                                 {"1": 0.8, "2": 0.2}}},
        "routing_config_exc_toohigh": {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 2}}},
        "routing_config_exc_subzero": {"FunctionVersion": "1",
                                       "RoutingConfig": {"AdditionalVersionWeights": {"2": -1}}},
        "routing_config_exc_sameversion": {"FunctionVersion": "1",
                                           "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
        "target_version_doesnotexist": {"FunctionVersion": "10",
                                        "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}},
        "routing_config_exc_version_doesnotexist": {"FunctionVersion": "1",
                                                    "RoutingConfig": {"AdditionalVersionWeights": {"10": 0.5}}},
        "target_version_exc_version_latest": {"FunctionVersion": "$LATEST",
                                              "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
        "routing_config_exc_version_latest": {"FunctionVersion": "1",
                                              "RoutingConfig": {"AdditionalVersionWeights": {"$LATEST": 0.5}}},
    }
    for key, params in cases.items():
        with pytest.raises(ClientError) as excinfo:
            raw.create_alias(FunctionName=fn, Name="custom", **params)
        assert error_of(excinfo) == recorded_error(scenario, key, fn), key
    with pytest.raises(ClientError) as excinfo:
        raw.create_alias(FunctionName=f"{fn}-unknown", Name="custom", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert error_of(excinfo) == recorded_error(scenario, "routing_config_exc_fn_doesnotexist", fn)

    latest = raw.create_alias(FunctionName=fn, Name="custom-latest", FunctionVersion="$LATEST")
    assert shape(latest) == shape(recorded(scenario, "create-alias-latest", fn))
    empty = raw.create_alias(FunctionName=fn, Name="custom-empty-routingconfig", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": {}})
    assert shape(empty) == shape(recorded(scenario, "create_alias_empty_routingconfig", fn))
    raw.create_alias(FunctionName=fn, Name="custom", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    with pytest.raises(ClientError) as excinfo:
        raw.create_alias(FunctionName=fn, Name="custom", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert error_of(excinfo) == recorded_error(scenario, "routing_config_exc_already_exist", fn)
    with pytest.raises(ClientError) as excinfo:
        raw.get_alias(FunctionName=fn, Name="non-existent")
    assert error_of(excinfo) == recorded_error(scenario, "alias_does_not_exist_esc", fn)


def test_alias_names_missing_aliases_and_revisions(raw, fn):
    naming = "TestLambdaAlias::test_alias_naming"
    dated = raw.create_alias(FunctionName=fn, Name="2024-01-02", FunctionVersion="1", Description="custom-alias")
    assert shape(dated) == shape(recorded(naming, "create_alias_date", fn))
    with pytest.raises(ClientError) as excinfo:
        raw.create_alias(FunctionName=fn, Name="2024", FunctionVersion="1")
    assert error_of(excinfo) == recorded_error(naming, "create_alias_number_exception", fn)

    with pytest.raises(ClientError) as excinfo:
        raw.update_alias(FunctionName=fn, Name="non-existent", Description="x")
    assert error_of(excinfo) == recorded_error("TestLambdaAlias::test_non_existent_alias_update",
                                               "update_alias_response", fn)
    gone = raw.delete_alias(FunctionName=fn, Name="non-existent")
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 204

    revisions = "TestLambdaRevisions::test_function_revisions_version_and_alias"
    before = raw.get_function(FunctionName=fn)["Configuration"]["RevisionId"]
    created = raw.create_alias(FunctionName=fn, Name="revision_alias", FunctionVersion="1")
    assert raw.get_function(FunctionName=fn)["Configuration"]["RevisionId"] == before
    with pytest.raises(ClientError) as excinfo:
        raw.update_alias(FunctionName=fn, Name="revision_alias", RevisionId="wrong", Description="something changed")
    assert error_of(excinfo) == recorded_error(revisions, "update_alias_revision_exception", fn)
    updated = raw.update_alias(FunctionName=fn, Name="revision_alias", RevisionId=created["RevisionId"],
                               Description="something changed")
    assert shape(updated) == shape(recorded(revisions, "update_alias_response_rev_a2", fn))
    with pytest.raises(ClientError) as excinfo:
        raw.update_alias(FunctionName=fn, Name="revision_alias", RevisionId=created["RevisionId"])
    assert error_of(excinfo)["Code"] == "PreconditionFailedException"


def test_get_function_through_an_alias(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    version = lam.get_function_configuration(FunctionName=fn, Qualifier="1")
    for params in ({"FunctionName": fn, "Qualifier": "live"}, {"FunctionName": f"{fn}:live"},
                   {"FunctionName": arn(fn, "live")}):
        config = lam.get_function(**params)["Configuration"]
        assert config["FunctionArn"] == arn(fn, "live")
        assert config["Version"] == "1" and config["RevisionId"] == version["RevisionId"]
        assert lam.get_function_configuration(**params)["FunctionArn"] == arn(fn, "live")
    with pytest.raises(ClientError) as excinfo:
        lam.get_function(FunctionName=fn, Qualifier="aliasdoesnotexist")
    assert error_of(excinfo) == recorded_error("TestLambdaAlias::test_alias_lifecycle",
                                               "get_function_alias_notfound_exc", fn)
    with pytest.raises(ClientError) as excinfo:
        lam.tag_resource(Resource=arn(fn, "live"), Tags={"team": "a"})
    assert error_of(excinfo) == {"Code": "InvalidParameterValueException", "Status": 400, "Message":
                                 "Tags on function aliases and versions are not supported. Please specify a "
                                 "function ARN."}


# --- invoking ---------------------------------------------------------------------------------------------

def test_invoke_through_alias_runs_its_version(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    for params in ({"FunctionName": fn, "Qualifier": "live"}, {"FunctionName": f"{fn}:live"},
                   {"FunctionName": arn(fn, "live")}):
        response, body = invoke(lam, **params)
        assert response["ExecutedVersion"] == "1"
        # The handler sees the alias ARN as invoked_function_arn (lambda snapshot, test_lambda_alias_moving).
        assert body == {"label": "one", "version": "1", "arn": arn(fn, "live")}
    lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    response, body = invoke(lam, FunctionName=fn, Qualifier="live")
    assert response["ExecutedVersion"] == "2" and body["label"] == "two"
    lam.update_alias(FunctionName=fn, Name="live", FunctionVersion="$LATEST")
    response, body = invoke(lam, FunctionName=f"{fn}:live")
    assert response["ExecutedVersion"] == "$LATEST"
    with pytest.raises(ClientError) as excinfo:
        invoke(lam, FunctionName=fn, Qualifier="missing")
    assert error_of(excinfo) == {"Code": "ResourceNotFoundException", "Status": 404,
                                 "Message": f"Function not found: {arn(fn, 'missing')}"}


def test_weighted_alias_sends_invocations_to_both_versions(lam, fn):
    lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    executed = [lam.invoke(FunctionName=fn, Qualifier="canary", Payload=b"{}")["ExecutedVersion"]
                for _ in range(200)]
    # Each version's share of 200 draws at p=0.5 is in [40, 160] except with probability < 1e-17.
    assert set(executed) == {"1", "2"}
    assert 40 <= executed.count("2") <= 160
    lam.update_alias(FunctionName=fn, Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}})
    assert {lam.invoke(FunctionName=f"{fn}:canary", Payload=b"{}")["ExecutedVersion"] for _ in range(20)} == {"1"}
    lam.update_alias(FunctionName=fn, Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert {lam.invoke(FunctionName=f"{fn}:canary", Payload=b"{}")["ExecutedVersion"] for _ in range(20)} == {"2"}


# --- deleting and policies --------------------------------------------------------------------------------

def test_delete_version_an_alias_uses_is_refused_and_delete_function_removes_aliases(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    for version, names in (("1", "live, canary"), ("2", "canary")):
        with pytest.raises(ClientError) as excinfo:
            lam.delete_function(FunctionName=fn, Qualifier=version)
        found = error_of(excinfo)
        assert found["Code"] == "ResourceConflictException" and found["Status"] == 409
        assert found["Message"].startswith("Unable to delete version because the following aliases reference it: [")
        assert sorted(found["Message"].split("[")[1].rstrip("]").split(", ")) == sorted(names.split(", "))
    lam.delete_alias(FunctionName=fn, Name="canary")
    lam.delete_function(FunctionName=fn, Qualifier="2")
    lam.delete_function(FunctionName=fn)
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_of("again")}, Publish=True)
    assert lam.list_aliases(FunctionName=fn)["Aliases"] == []
    with pytest.raises(ClientError) as excinfo:
        lam.get_alias(FunctionName=fn, Name="live")
    assert error_of(excinfo)["Message"] == f"Cannot find alias arn: {arn(fn, 'live')}"


def test_permissions_per_alias(lam, fn):
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    added = lam.add_permission(FunctionName=fn, Qualifier="live", StatementId="sns", Action="lambda:InvokeFunction",
                               Principal="sns.amazonaws.com")
    assert json.loads(added["Statement"])["Resource"] == arn(fn, "live")
    policy = json.loads(lam.get_policy(FunctionName=f"{fn}:live")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns"]
    for other in ({"FunctionName": fn}, {"FunctionName": fn, "Qualifier": "1"}):
        with pytest.raises(ClientError) as excinfo:
            lam.get_policy(**other)
        assert error_of(excinfo)["Message"] == "The resource you requested does not exist."
    lam.remove_permission(FunctionName=fn, Qualifier="live", StatementId="sns")
    with pytest.raises(ClientError):
        lam.get_policy(FunctionName=fn, Qualifier="live")
    with pytest.raises(ClientError) as excinfo:
        lam.add_permission(FunctionName=fn, Qualifier="nope", StatementId="s", Action="lambda:InvokeFunction",
                           Principal="sns.amazonaws.com")
    assert error_of(excinfo)["Message"] == f"Function not found: {arn(fn, 'nope')}"


# --- in-process: metrics and a stream mapping on an alias -----------------------------------------------

@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


class Versions:
    """An in-process handler recording which version ran each invocation (and the keys of each batch)."""

    def __init__(self):
        self.runs: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, event, context):
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event.get("Records", [])]
        with self.lock:
            self.runs.append((context.function_version, keys))
        return {"version": context.function_version}


def two_versions(rb, name, handler):
    lam = rb.client("lambda")
    rb.register_function(name, handler)
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    lam.publish_version(FunctionName=name)
    return lam


def _stat(rb, name, dims):
    now = rb.clock.now()
    got = rb.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - 3600, EndTime=now + 60, Period=3660, Statistics=["Sum"])["Datapoints"]
    return got[0]["Sum"] if got else None


def test_alias_invocation_metrics_carry_resource_and_executed_version(rb):
    lam = two_versions(rb, "fn", Versions())
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    for _ in range(3):
        lam.invoke(FunctionName="fn:live", Payload=b"{}")
    lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    lam.invoke(FunctionName="fn", Qualifier="live", Payload=b"{}")
    assert _stat(rb, "Invocations", {"FunctionName": "fn"}) == 4
    assert _stat(rb, "Invocations", {"FunctionName": "fn", "Resource": "fn:live"}) == 4
    for version, count in (("1", 3), ("2", 1)):
        assert _stat(rb, "Invocations", {"FunctionName": "fn", "Resource": "fn:live", "ExecutedVersion": version}) \
            == count


def test_stream_mapping_on_alias_follows_update_alias(rb):
    handler = Versions()
    lam = two_versions(rb, "fn", handler)
    alias_arn = lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")["AliasArn"]
    ddb = rb.client("dynamodb")
    stream = ddb.create_table(TableName="src", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                              )["TableDescription"]["LatestStreamArn"]
    created = lam.create_event_source_mapping(FunctionName=alias_arn, EventSourceArn=stream,
                                              StartingPosition="TRIM_HORIZON", BatchSize=10)
    assert created["FunctionArn"] == alias_arn
    assert lam.get_event_source_mapping(UUID=created["UUID"])["FunctionArn"] == alias_arn
    for key in ("a", "b"):
        ddb.put_item(TableName="src", Item={"pk": {"S": key}})
    rb.drain()
    assert {version for version, _ in handler.runs} == {"1"}
    assert [k for _, keys in handler.runs for k in keys] == ["a", "b"]

    lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    handler.runs.clear()
    for key in ("c", "d"):
        ddb.put_item(TableName="src", Item={"pk": {"S": key}})
    rb.drain()
    assert {version for version, _ in handler.runs} == {"2"}
    assert [k for _, keys in handler.runs for k in keys] == ["c", "d"]


def test_stream_mapping_on_name_colon_alias(rb):
    lam = two_versions(rb, "fn", Versions())
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    ddb = rb.client("dynamodb")
    stream = ddb.create_table(TableName="src2", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                              )["TableDescription"]["LatestStreamArn"]
    created = lam.create_event_source_mapping(FunctionName="fn:live", EventSourceArn=stream,
                                              StartingPosition="TRIM_HORIZON")
    assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn:live"
    listed = lam.list_event_source_mappings(FunctionName="fn:live")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [created["UUID"]]
    with pytest.raises(ClientError) as excinfo:
        lam.create_event_source_mapping(FunctionName="fn:nope", EventSourceArn=stream,
                                        StartingPosition="TRIM_HORIZON")
    assert error_of(excinfo)["Code"] == "InvalidParameterValueException"


def test_event_invocation_through_alias_runs_its_version(rb):
    handler = Versions()
    lam = two_versions(rb, "fn", handler)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    answer = lam.invoke(FunctionName="fn", Qualifier="live", InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202
    rb.drain()
    assert [version for version, _ in handler.runs] == ["2"]
