"""The Lambda control plane through boto3: functions, versions, concurrency, permissions, tags, account settings.

Expected texts come from the recorded AWS responses
(lambda_api.snapshot.json; provenance in tests/data/aws-recorded/README.md).
Invocation behaviour lives in tests/e2e/test_lambda_invoke.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client, zip_code

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
HANDLER_SOURCE = "def handler(event, context):\n    return event\n"


def zip_of(source: str = HANDLER_SOURCE, name: str = "handler.py") -> bytes:
    return zip_code(source, name)


@pytest.fixture(scope="module")
def lam(endpoint):
    return make_client(endpoint, "lambda")


@pytest.fixture
def fn_name():
    return f"fn-{uuid.uuid4().hex[:10]}"


def arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def create(lam, name, **extra):
    params = {"FunctionName": name, "Runtime": "python3.12", "Role": ROLE, "Handler": "handler.handler",
                  "Code": {"ZipFile": zip_of()}}
    params.update(extra)
    return lam.create_function(**params)


def error_of(excinfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


# --- lifecycle -----------------------------------------------------------------------------------------

def test_create_answers_pending_then_get_shows_active(lam, fn_name):
    data = zip_of()
    created = create(lam, fn_name, Code={"ZipFile": data}, Timeout=5, MemorySize=256)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending"
    assert created["StateReason"] == "The function is being created."
    assert created["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in created
    assert created["FunctionArn"] == arn(fn_name)
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert created["CodeSize"] == len(data)
    assert created["Version"] == "$LATEST"
    assert created["Architectures"] == ["x86_64"] and created["PackageType"] == "Zip"
    assert created["Timeout"] == 5 and created["MemorySize"] == 256 and created["Description"] == ""
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn_name}"}
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert "Environment" not in created
    assert len(created["LastModified"]) == 28 and created["LastModified"].endswith("+0000")

    got = lam.get_function(FunctionName=fn_name)
    conf = got["Configuration"]
    assert conf["State"] == "Active" and conf["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in conf
    assert conf["RevisionId"] != created["RevisionId"]  # AWS moves the revision when the function turns active
    assert got["Code"]["RepositoryType"] == "S3"
    assert "Tags" not in got
    with urllib.request.urlopen(got["Code"]["Location"]) as response:
        assert response.read() == data
    plain = lam.get_function_configuration(FunctionName=fn_name)
    plain.pop("ResponseMetadata")
    assert plain == conf


def test_defaults_and_environment(lam, fn_name):
    created = create(lam, fn_name, Environment={"Variables": {"AA": "1"}}, Description="d",
                     Tags={"team": "x"})
    assert created["Timeout"] == 3 and created["MemorySize"] == 128
    assert created["Environment"] == {"Variables": {"AA": "1"}}
    got = lam.get_function(FunctionName=fn_name)
    assert got["Tags"] == {"team": "x"}
    assert got["Configuration"]["Description"] == "d"


def test_get_by_arn_partial_arn_and_qualifier(lam, fn_name):
    create(lam, fn_name)
    for ref in (arn(fn_name), f"{ACCOUNT}:function:{fn_name}", f"function:{fn_name}"):
        assert lam.get_function_configuration(FunctionName=ref)["FunctionName"] == fn_name
    latest = lam.get_function(FunctionName=fn_name, Qualifier="$LATEST")["Configuration"]
    assert latest["FunctionArn"] == arn(fn_name, "$LATEST")
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=arn(fn_name, "1"), Qualifier="$LATEST")
    assert error_of(exc) == ("InvalidParameterValueException",
                             "The derived qualifier from the function name does not match the specified qualifier.",
                             400)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=fn_name, Qualifier="1221")
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {arn(fn_name, '1221')}", 404)


def test_not_found_and_wrong_region(lam):
    for call in (lam.get_function, lam.get_function_configuration, lam.delete_function):
        with pytest.raises(ClientError) as exc:
            call(FunctionName="doesnotexist")
        assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {arn('doesnotexist')}", 404)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="arn:aws:lambda:ap-southeast-1:000000000000:function:x")
    assert error_of(exc) == ("ResourceNotFoundException",
                             "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')", 404)


def test_duplicate_create_conflicts(lam, fn_name):
    create(lam, fn_name)
    with pytest.raises(ClientError) as exc:
        create(lam, fn_name)
    assert error_of(exc) == ("ResourceConflictException", f"Function already exist: {fn_name}", 409)


def test_update_configuration_and_code(lam, fn_name):
    create(lam, fn_name)
    rev = lam.get_function(FunctionName=fn_name)["Configuration"]["RevisionId"]
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName=fn_name, Description="x", RevisionId="wrong")
    assert error_of(exc) == ("PreconditionFailedException",
                             ("The Revision Id provided does not match the latest Revision Id. Call the "
                             "GetFunction/GetAlias API to retrieve the latest Revision Id"), 412)
    updated = lam.update_function_configuration(FunctionName=fn_name, Description="Changed", Timeout=10,
                                                MemorySize=512, Runtime="python3.11",
                                                Environment={"Variables": {"ENV_A": "a"}}, RevisionId=rev)
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    conf = lam.get_function_configuration(FunctionName=fn_name)
    assert conf["LastUpdateStatus"] == "Successful"
    assert (conf["Description"], conf["Timeout"], conf["MemorySize"], conf["Runtime"]) == ("Changed", 10, 512,
                                                                                           "python3.11")
    assert conf["Environment"] == {"Variables": {"ENV_A": "a"}}
    new_zip = zip_of("def handler(event, context):\n    return 2\n")
    code = lam.update_function_code(FunctionName=fn_name, ZipFile=new_zip)
    assert code["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert code["CodeSize"] == len(new_zip)
    assert code["LastUpdateStatus"] == "InProgress"
    after = lam.get_function_configuration(FunctionName=fn_name)
    assert after["RevisionId"] not in (conf["RevisionId"], code["RevisionId"])
    assert after["CodeSha256"] == code["CodeSha256"]


def test_delete_then_gone(lam, fn_name):
    create(lam, fn_name)
    response = lam.delete_function(FunctionName=fn_name)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=fn_name)
    assert error_of(exc)[2] == 404
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=arn("some-function", "$LATEST"), Qualifier="$LATEST")
    assert error_of(exc) == ("InvalidParameterValueException",
                             "$LATEST version cannot be deleted without deleting the function.", 400)


def test_list_functions_paging(lam):
    prefix = f"pg-{uuid.uuid4().hex[:6]}"
    names = [f"{prefix}-{i}" for i in range(5)]
    for name in names:
        create(lam, name)
    seen, marker = [], None
    while True:
        kwargs = {"MaxItems": 2}
        if marker:
            kwargs["Marker"] = marker
        page = lam.list_functions(**kwargs)
        seen += [f["FunctionName"] for f in page["Functions"]]
        assert len(page["Functions"]) <= 2
        marker = page.get("NextMarker")
        if not marker:
            break
    assert [n for n in seen if n.startswith(prefix)] == names
    entry = next(f for f in lam.list_functions()["Functions"] if f["FunctionName"] == names[0])
    assert "State" not in entry and "LastUpdateStatus" not in entry
    assert entry["FunctionArn"] == arn(names[0])
    with pytest.raises(ClientError) as exc:
        lam.list_functions(FunctionVersion="invalid")
    assert error_of(exc) == ("ValidationException", ("1 validation error detected: Value 'invalid' at "
                             "'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: "
                             "[ALL]"), 400)


def test_publish_versions(lam, fn_name):
    created = create(lam, fn_name, Publish=True)
    assert created["Version"] == "1" and created["FunctionArn"] == arn(fn_name)
    v1 = lam.get_function(FunctionName=fn_name, Qualifier="1")["Configuration"]
    assert v1["FunctionArn"] == arn(fn_name, "1") and v1["Version"] == "1"
    again = lam.publish_version(FunctionName=fn_name)
    assert again["Version"] == "1"  # nothing changed since version 1
    lam.update_function_code(FunctionName=fn_name, ZipFile=zip_of("def handler(e, c):\n    return 'v2'\n"),
                             Publish=True)
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn_name)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    everything = [f["FunctionArn"] for f in lam.list_functions(FunctionVersion="ALL")["Functions"]
                  if f["FunctionName"] == fn_name]
    assert everything == [arn(fn_name, "$LATEST"), arn(fn_name, "1"), arn(fn_name, "2")]
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName=fn_name, CodeSha256="abc")
    assert error_of(exc)[0] == "InvalidParameterValueException"
    lam.delete_function(FunctionName=fn_name, Qualifier="1")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn_name)["Versions"]]
    assert versions == ["$LATEST", "2"]


# --- validation ---------------------------------------------------------------------------------------

def test_create_validation_errors_match_aws(lam, fn_name):
    cases = [
        ({"Role": "r1"}, ("ValidationException", ("1 validation error detected: Value 'r1' at 'role' failed to "
                           "satisfy constraint: Member must satisfy regular expression pattern: "
                           r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"))),
        ({"Runtime": "non-existent-runtime"}, ("InvalidParameterValueException", ("Value non-existent-runtime at "
         "'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, "
         "provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, "
         "java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, "
         "java11, dotnet6, nodejs18.x, provided.al2, java8.al2] or be a valid ARN"))),
        ({"Runtime": "python3.7"}, ("InvalidParameterValueException", ("The runtime parameter of python3.7 is no "
         "longer supported for creating or updating AWS Lambda functions. We recommend you use a supported "
         "runtime while creating or updating functions."))),
        ({"Architectures": ["x86_64", "arm64"]}, ("ValidationException", ("1 validation error detected: Value "
         "'[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than "
         "or equal to 1"))),
        ({"Code": {"ZipFile": b"this is not a zip"}}, ("InvalidParameterValueException", ("Could not unzip "
         "uploaded file. Please check your file, then try to upload again."))),
        ({"FunctionName": "a" * 65}, ("InvalidParameterValueException", "1 validation error detected: Value '"
         + "a" * 65 + "' at 'functionName' failed to satisfy constraint: Member must have length less than or "
         "equal to 64")),
        ({"FunctionName": "my-function!"}, ("ValidationException", None)),
    ]
    for extra, (code, message) in cases:
        with pytest.raises(ClientError) as exc:
            create(lam, extra.pop("FunctionName", fn_name), **extra)
        got = error_of(exc)
        assert got[0] == code, (extra, got)
        if message is not None:
            assert got[1] == message
    with pytest.raises(ClientError) as exc:
        create(lam, fn_name, Runtime="nodejs20.x")
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert "Python" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        create(lam, fn_name, Environment={"Variables": {"LARGE": "x" * 5000}})
    assert error_of(exc)[1].startswith("Lambda was unable to configure your environment variables because the "
                                       "environment variables you have provided exceeded the 4KB limit. String "
                                       'measured: {"LARGE":"xxx')
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=fn_name)  # nothing half-created by any of the failures above
    assert error_of(exc)[2] == 404


def test_invalid_function_name_pattern(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="arn:aws:lambda:us-east-1:123400000000@function:myfn")
    code, message, status = error_of(exc)
    # The pattern quoted is the installed botocore model's (newer AWS adds "(eusc-)?" to the region part).
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'arn:aws:lambda:us-east-1:123400000000@function:"
                              "myfn' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?")


# --- concurrency ------------------------------------------------------------------------------------------

def test_reserved_concurrency_lifecycle(lam, fn_name):
    create(lam, fn_name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=fn_name)
    assert lam.put_function_concurrency(FunctionName=fn_name, ReservedConcurrentExecutions=0)[
        "ReservedConcurrentExecutions"] == 0
    assert lam.put_function_concurrency(FunctionName=fn_name, ReservedConcurrentExecutions=1)[
        "ReservedConcurrentExecutions"] == 1
    assert lam.get_function_concurrency(FunctionName=fn_name)["ReservedConcurrentExecutions"] == 1
    assert lam.get_function(FunctionName=fn_name)["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] <= settings["AccountLimit"][
        "ConcurrentExecutions"] - 1
    assert lam.delete_function_concurrency(FunctionName=fn_name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=fn_name)


def test_reserved_concurrency_errors(lam, fn_name):
    create(lam, fn_name)
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="doesnotexist", ReservedConcurrentExecutions=1)
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {arn('doesnotexist', '$LATEST')}",
                             404)
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName=arn(fn_name, "1"), ReservedConcurrentExecutions=1)
    assert error_of(exc) == ("InvalidParameterValueException", ("This operation is permitted on Lambda functions "
                             "only. Aliases and versions do not support this operation. Please specify either a "
                             "function name or an unqualified function ARN."), 400)
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName=fn_name, ReservedConcurrentExecutions=950)
    assert error_of(exc) == ("InvalidParameterValueException", ("Specified ReservedConcurrentExecutions for "
                             "function decreases account's UnreservedConcurrentExecution below its minimum value "
                             "of [100]."), 400)


# --- permissions ----------------------------------------------------------------------------------------

def test_permissions(lam, fn_name):
    create(lam, fn_name)
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName=fn_name)
    assert error_of(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName=fn_name, StatementId="s3")
    assert error_of(exc) == ("ResourceNotFoundException", "No policy is associated with the given resource.", 404)
    added = lam.add_permission(FunctionName=fn_name, StatementId="s3", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket")
    assert json.loads(added["Statement"]) == {
        "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn(fn_name),
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}}
    lam.add_permission(FunctionName=fn_name, StatementId="acct", Action="lambda:InvokeFunction",
                       Principal=ACCOUNT)
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=fn_name, StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
    assert error_of(exc) == ("ResourceConflictException", ("The statement id (s3) provided already exists. Please "
                             "provide a new statement id, or remove the existing statement."), 409)
    policy = lam.get_policy(FunctionName=fn_name)
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17" and document["Id"] == "default"
    assert [s["Sid"] for s in document["Statement"]] == ["s3", "acct"]
    assert document["Statement"][1]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert policy["RevisionId"] == lam.get_function_configuration(FunctionName=fn_name)["RevisionId"]
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName=fn_name, StatementId="non-existent")
    assert error_of(exc) == ("ResourceNotFoundException", ("Statement non-existent is not found in resource "
                             "policy."), 404)
    assert lam.remove_permission(FunctionName=fn_name, StatementId="s3")["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=fn_name)["Policy"])["Statement"]] == ["acct"]
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=fn_name, StatementId="x", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", Qualifier="$LATEST")
    assert error_of(exc)[1] == "We currently do not support adding policies for $LATEST."
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName="doesnotexist", StatementId="s3")
    assert error_of(exc) == ("ResourceNotFoundException", f"No policy found for: {arn('doesnotexist')}", 404)
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=fn_name, StatementId="bad", Action="lambda:InvokeFunction",
                           Principal="invalid-principal")
    assert error_of(exc)[1] == "The provided principal was invalid. Please check the principal and try again."


# --- tags ---------------------------------------------------------------------------------------------------

def test_tags(lam, fn_name):
    create(lam, fn_name)
    resource = arn(fn_name)
    assert lam.list_tags(Resource=resource)["Tags"] == {}
    assert lam.tag_resource(Resource=resource, Tags={"A": "tag-a"})["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.tag_resource(Resource=resource, Tags={"B": "tag-b", "C": "tag-c"})
    lam.tag_resource(Resource=resource, Tags={"C": "tag-c-newsuffix", "D": "tag-d"})
    assert lam.list_tags(Resource=resource)["Tags"] == {"A": "tag-a", "B": "tag-b", "C": "tag-c-newsuffix",
                                                        "D": "tag-d"}
    lam.untag_resource(Resource=resource, TagKeys=["A", "B", "C", "nonexisting"])
    assert lam.list_tags(Resource=resource)["Tags"] == {"D": "tag-d"}
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=arn(fn_name, "1"), Tags={"A": "a"})
    assert error_of(exc) == ("InvalidParameterValueException", ("Tags on function aliases and versions are not "
                             "supported. Please specify a function ARN."), 400)
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=arn("doesnotexist"))
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {arn('doesnotexist')}", 404)


def test_account_settings(lam, fn_name):
    before = lam.get_account_settings()
    assert sorted(before["AccountLimit"]) == ["CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions",
                                              "TotalCodeSize", "UnreservedConcurrentExecutions"]
    assert sorted(before["AccountUsage"]) == ["FunctionCount", "TotalCodeSize"]
    data = zip_of()
    create(lam, fn_name, Code={"ZipFile": data})
    after = lam.get_account_settings()
    assert after["AccountUsage"]["FunctionCount"] == before["AccountUsage"]["FunctionCount"] + 1
    assert after["AccountUsage"]["TotalCodeSize"] == before["AccountUsage"]["TotalCodeSize"] + len(data)
    assert after["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert after["AccountLimit"]["CodeSizeUnzipped"] == 262144000
