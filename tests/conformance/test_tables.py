"""Table lifecycle through boto3: CreateTable / DescribeTable / ListTables / UpdateTable / DeleteTable."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_create_describe_delete(ddb, table_name):
    desc = ddb.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )["TableDescription"]
    assert desc["TableStatus"] == "CREATING"
    assert desc["TableName"] == table_name
    assert desc["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5,
                                             "WriteCapacityUnits": 5}
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0
    assert desc["DeletionProtectionEnabled"] is False
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableId"] == desc["TableId"]
    ddb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 5})
    deleted = ddb.delete_table(TableName=table_name)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName=table_name)
    assert _err(exc) == ("ResourceNotFoundException", f"Requested resource not found: Table: {table_name} not found")


def test_duplicate_table(ddb, table_name):
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        create_table(ddb, table_name)
    assert _err(exc) == ("ResourceInUseException", f"Table already exists: {table_name}")


def test_delete_missing_table(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName="non-existent")
    assert _err(exc) == ("ResourceNotFoundException", "Requested resource not found: Table: non-existent not found")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pay_per_request_summary(ddb, table_name):
    desc = create_table(ddb, table_name)
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_list_tables_paging(ddb, table_name):
    prefix = f"list-{table_name}-"  # unique per run, so the test can repeat against one long-lived endpoint
    names = [f"{prefix}{i:02d}" for i in range(5)]
    for n in names:
        create_table(ddb, n)
    seen = []
    kwargs = {"Limit": 2}
    while True:
        page = ddb.list_tables(**kwargs)
        seen.extend(page["TableNames"])
        assert len(page["TableNames"]) <= 2
        if "LastEvaluatedTableName" not in page:
            break
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
    assert [n for n in seen if n.startswith(prefix)] == names
    assert seen == sorted(seen)


def test_regions_are_separate(endpoint, table_name):
    from tests.conftest import make_client

    east, west = make_client(endpoint, "dynamodb", "us-east-1"), make_client(endpoint, "dynamodb", "us-west-2")
    create_table(west, table_name)
    assert table_name in west.list_tables()["TableNames"]
    assert table_name not in east.list_tables()["TableNames"]
    assert west.describe_table(TableName=table_name)["Table"]["TableArn"].startswith("arn:aws:dynamodb:us-west-2:")


def test_key_schema_errors(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    code, msg = _err(exc)
    assert code == "ValidationException"
    assert msg == ("One or more parameter values were invalid: Some index key attributes are not defined in "
                   "AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]")
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                               {"AttributeName": "extra", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    assert _err(exc)[1] == ("One or more parameter values were invalid: Number of attributes in KeySchema does not "
                            "exactly match number of attributes defined in AttributeDefinitions")


def test_table_name_validation(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName="bad name!")
    code, msg = _err(exc)
    assert code == "ValidationException"
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern" in msg


def test_update_table_billing_and_protection(ddb, table_name):
    create_table(ddb, table_name)
    desc = ddb.update_table(TableName=table_name, DeletionProtectionEnabled=True)["TableDescription"]
    assert desc["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=table_name)
    assert _err(exc)[0] == "ValidationException"
    ddb.update_table(TableName=table_name, DeletionProtectionEnabled=False)
    ddb.update_table(TableName=table_name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    ddb.delete_table(TableName=table_name)


def test_item_count_and_size(ddb, table_name):
    create_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "v": {"S": "xyz"}})
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == len("pk") + 1 + len("v") + 3


def test_tags(ddb, table_name):
    arn = create_table(ddb, table_name)["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_ttl_configuration(ddb, table_name):
    create_table(ddb, table_name)
    assert ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True,
                                                                                  "AttributeName": "exp"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    desc = ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    assert desc == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True,
                                                                                "AttributeName": "exp"})
    assert _err(exc) == ("ValidationException", "TimeToLive is already enabled")


def test_describe_limits_and_endpoints(ddb):
    assert ddb.describe_limits()["TableMaxReadCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440


def test_unknown_operation(endpoint):
    import urllib.request

    req = urllib.request.Request(endpoint + "/", data=b"{}", method="POST",
                                 headers={"X-Amz-Target": "DynamoDB_20120810.NoSuchThing",
                                          "Content-Type": "application/x-amz-json-1.0"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("expected an error")
    except urllib.error.HTTPError as err:
        assert err.code == 400
        assert b"UnknownOperationException" in err.read()


def test_malformed_json(endpoint):
    import urllib.request

    req = urllib.request.Request(endpoint + "/", data=b"{not json", method="POST",
                                 headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                          "Content-Type": "application/x-amz-json-1.0"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("expected an error")
    except urllib.error.HTTPError as err:
        assert err.code == 400
        assert b"SerializationException" in err.read()


def test_health(endpoint, riverbed_only):
    import urllib.request

    assert urllib.request.urlopen(endpoint + "/_riverbed/health").status == 200
