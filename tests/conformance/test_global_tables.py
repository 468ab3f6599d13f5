"""Global tables through boto3, in two and three regions of one riverbed (manual clock, drain() between).

Version 2019.11.21: UpdateTable ReplicaUpdates, DescribeTable in every region, backfill, replication both
ways with records in every replica's stream, last-writer-wins convergence, TTL deletes, replica delete.
Version 2017.11.29: answered as DynamoDB answers it today.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

EAST, WEST, EU = "us-east-1", "us-west-2", "eu-west-1"
KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def rb(manual_riverbed):
    yield manual_riverbed
    manual_riverbed.reset()


def clients(rb, *regions):
    return [rb.client("dynamodb", region=r) for r in regions]


def make_global(rb, name, *regions, **extra):
    first = rb.client("dynamodb", region=regions[0])
    first.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEY, **extra)
    for region in regions[1:]:
        first.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region}}])
        rb.drain()


def records(rb, region, name):
    ddb, streams = rb.client("dynamodb", region=region), rb.client("dynamodbstreams", region=region)
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    out = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out += streams.get_records(ShardIterator=it)["Records"]
    return out


def test_create_replica_backfills_and_describes_in_every_region(rb):
    east, west = clients(rb, EAST, WEST)
    east.create_table(TableName="users", BillingMode="PAY_PER_REQUEST", **KEY)
    east.put_item(TableName="users", Item={"id": {"S": "u1"}, "name": {"S": "Ada"}})
    desc = east.update_table(TableName="users", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    assert desc["GlobalTableVersion"] == "2019.11.21"
    assert desc["Replicas"][0]["RegionName"] == WEST and desc["Replicas"][0]["ReplicaStatus"] == "CREATING"
    # A stream with NEW_AND_OLD_IMAGES is turned on for the user (spec/global-tables.md).
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    rb.drain()
    e, w = east.describe_table(TableName="users")["Table"], west.describe_table(TableName="users")["Table"]
    assert e["TableStatus"] == w["TableStatus"] == "ACTIVE"
    assert e["Replicas"] == [{"RegionName": WEST, "ReplicaStatus": "ACTIVE"}]
    assert w["Replicas"] == [{"RegionName": EAST, "ReplicaStatus": "ACTIVE"}]
    assert w["TableArn"] == f"arn:aws:dynamodb:{WEST}:000000000000:table/users"
    assert w["KeySchema"] == e["KeySchema"] and w["TableId"] != e["TableId"]
    assert west.get_item(TableName="users", Key={"id": {"S": "u1"}})["Item"] == {"id": {"S": "u1"},
                                                                                  "name": {"S": "Ada"}}


def test_writes_in_either_region_reach_the_other_and_both_streams(rb):
    east, west = clients(rb, EAST, WEST)
    make_global(rb, "orders", EAST, WEST)
    east.put_item(TableName="orders", Item={"id": {"S": "o1"}, "total": {"N": "5"}})
    west.put_item(TableName="orders", Item={"id": {"S": "o2"}, "total": {"N": "7"}})
    west.update_item(TableName="orders", Key={"id": {"S": "o1"}}, UpdateExpression="SET paid = :t",
                     ExpressionAttributeValues=[] or {":t": {"BOOL": True}})
    rb.drain()
    for ddb in (east, west):
        items = sorted(ddb.scan(TableName="orders")["Items"], key=lambda i: i["id"]["S"])
        assert items == [{"id": {"S": "o1"}, "total": {"N": "5"}, "paid": {"BOOL": True}},
                         {"id": {"S": "o2"}, "total": {"N": "7"}}]
    for region in (EAST, WEST):
        recs = records(rb, region, "orders")
        assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in recs] == [
            ("INSERT", "o1"), ("INSERT", "o2"), ("MODIFY", "o1")] or sorted(
            (r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in recs) == [
            ("INSERT", "o1"), ("INSERT", "o2"), ("MODIFY", "o1")]
        assert {r["awsRegion"] for r in recs} == {region}
        assert all("userIdentity" not in r for r in recs)
        modify = next(r for r in recs if r["eventName"] == "MODIFY")
        assert modify["dynamodb"]["OldImage"] == {"id": {"S": "o1"}, "total": {"N": "5"}}
        assert modify["dynamodb"]["NewImage"]["paid"] == {"BOOL": True}


def test_concurrent_writes_converge_to_one_whole_item_in_three_regions(rb):
    ddbs = clients(rb, EAST, WEST, EU)
    make_global(rb, "profiles", EAST, WEST, EU)
    # The same item written in all three regions at one instant of the manual clock: every replica ends with
    # the same whole item (last writer wins; ties go to the higher region name), never a merge.
    written = []
    for n, ddb in enumerate(ddbs):
        written.append({"id": {"S": "p"}, f"a{n}": {"N": str(n)}})
        ddb.put_item(TableName="profiles", Item=written[-1])
    rb.drain()
    finals = [ddb.get_item(TableName="profiles", Key={"id": {"S": "p"}})["Item"] for ddb in ddbs]
    assert finals[0] == finals[1] == finals[2] and finals[0] in written
    # A later write in any region wins everywhere.
    rb.clock.advance(1)
    ddbs[2].delete_item(TableName="profiles", Key={"id": {"S": "p"}})
    rb.drain()
    assert all("Item" not in ddb.get_item(TableName="profiles", Key={"id": {"S": "p"}}) for ddb in ddbs)


def test_ttl_deletes_replicate(rb):
    east, west = clients(rb, EAST, WEST)
    make_global(rb, "sessions", EAST, WEST)
    east.update_time_to_live(TableName="sessions", TimeToLiveSpecification={"Enabled": True,
                                                                            "AttributeName": "exp"})
    now = int(rb.clock.now())
    east.put_item(TableName="sessions", Item={"id": {"S": "s"}, "exp": {"N": str(now + 10)}})
    rb.drain()
    assert "Item" in west.get_item(TableName="sessions", Key={"id": {"S": "s"}})
    rb.clock.advance(3600)
    rb.drain()
    assert "Item" not in east.get_item(TableName="sessions", Key={"id": {"S": "s"}})
    assert "Item" not in west.get_item(TableName="sessions", Key={"id": {"S": "s"}})
    east_remove = [r for r in records(rb, EAST, "sessions") if r["eventName"] == "REMOVE"]
    west_remove = [r for r in records(rb, WEST, "sessions") if r["eventName"] == "REMOVE"]
    assert east_remove[0]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    # "When you use TTL in a global table, the region the TTL was performed in will have the userIdentity field
    # set. This field won't be set in other regions when the delete is replicated."
    # (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html)
    assert len(west_remove) == 1 and "userIdentity" not in west_remove[0]
    assert west_remove[0]["dynamodb"]["OldImage"] == east_remove[0]["dynamodb"]["OldImage"]


def test_delete_replica_deletes_its_table_and_last_one_reverts(rb):
    east, west = clients(rb, EAST, WEST)
    make_global(rb, "carts", EAST, WEST)
    east.put_item(TableName="carts", Item={"id": {"S": "c"}})
    rb.drain()
    desc = east.update_table(TableName="carts", ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])["TableDescription"]
    assert desc["Replicas"] == [{"RegionName": WEST, "ReplicaStatus": "DELETING"}]
    rb.drain()
    with pytest.raises(ClientError) as exc:
        west.describe_table(TableName="carts")
    assert _err(exc)[0] == "ResourceNotFoundException"
    table = east.describe_table(TableName="carts")["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table
    with pytest.raises(ClientError) as exc:   # a regional table again
        east.describe_table_replica_auto_scaling(TableName="carts")
    assert _err(exc)[0] == "ResourceNotFoundException"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    east.put_item(TableName="carts", Item={"id": {"S": "d"}})    # no longer replicated, nothing pending
    rb.drain()
    east.update_table(TableName="carts", StreamSpecification={"StreamEnabled": False})


def test_delete_table_of_a_replica_leaves_the_group(rb):
    east, west, eu = clients(rb, EAST, WEST, EU)
    make_global(rb, "books", EAST, WEST, EU)
    west.update_table(TableName="books", DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as exc:
        west.delete_table(TableName="books")
    assert _err(exc) == ("ValidationException", "Resource cannot be deleted as it is currently protected against "
                                                "deletion. Disable deletion protection first.")
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="books", ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    assert _err(exc)[0] == "ValidationException"
    eu.delete_table(TableName="books")
    assert [r["RegionName"] for r in east.describe_table(TableName="books")["Table"]["Replicas"]] == [WEST]
    east.put_item(TableName="books", Item={"id": {"S": "b"}})
    rb.drain()
    assert "Item" in west.get_item(TableName="books", Key={"id": {"S": "b"}})


def test_keys_only_stream_is_kept_and_still_replicates(rb):
    east, west = clients(rb, EAST, WEST)
    make_global(rb, "keys", EAST, WEST, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert east.describe_table(TableName="keys")["Table"]["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    east.put_item(TableName="keys", Item={"id": {"S": "k"}, "x": {"N": "1"}})
    rb.drain()
    assert west.get_item(TableName="keys", Key={"id": {"S": "k"}})["Item"] == {"id": {"S": "k"}, "x": {"N": "1"}}


def test_invalid_replica_updates_are_refused(rb):
    east, west = clients(rb, EAST, WEST)
    east.create_table(TableName="inv", BillingMode="PAY_PER_REQUEST", **KEY)
    cases = [
        ([{"Create": {"RegionName": EAST}}], "Cannot add or delete the local region through ReplicaUpdates. Use "
                                             "CreateTable, DeleteTable, or UpdateTable as required."),
        ([{"Delete": {"RegionName": EAST}}], "Cannot add or delete the local region through ReplicaUpdates. Use "
                                             "CreateTable, DeleteTable, or UpdateTable as required."),
        ([{"Delete": {"RegionName": WEST}}], None),
        ([{"Create": {"RegionName": WEST}}, {"Create": {"RegionName": EU}}], None),
    ]
    for updates, message in cases:
        with pytest.raises(ClientError) as exc:
            east.update_table(TableName="inv", ReplicaUpdates=updates)
        code, text = _err(exc)
        assert code == "ValidationException"
        if message:
            assert text == message
    west.create_table(TableName="inv", BillingMode="PAY_PER_REQUEST", **KEY)
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="inv", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert _err(exc)[0] == "ValidationException" and "already existed as tables" in _err(exc)[1]
    east.create_table(TableName="prov", **KEY, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="prov", ReplicaUpdates=[{"Create": {"RegionName": WEST}}],
                          BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 2,
                                                                            "WriteCapacityUnits": 2})
    assert _err(exc) == ("ValidationException", "Table write capacity should either be Pay-Per-Request or AutoScaled.")
    assert "Replicas" not in east.describe_table(TableName="prov")["Table"]
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="nope", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert _err(exc)[0] == "ResourceNotFoundException"


def test_global_table_stream_cannot_be_disabled_and_strong_consistency_is_refused(rb):
    east, = clients(rb, EAST)
    make_global(rb, "locked", EAST, WEST)
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="locked", StreamSpecification={"StreamEnabled": False})
    assert _err(exc)[0] == "ValidationException" and "not allowed for a Global Table" in _err(exc)[1]
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="locked", StreamSpecification={"StreamEnabled": True,
                                                                   "StreamViewType": "KEYS_ONLY"})
    assert "already has an enabled stream" in _err(exc)[1]
    east.create_table(TableName="strong", BillingMode="PAY_PER_REQUEST", **KEY)
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName="strong", MultiRegionConsistency="STRONG",
                          ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert _err(exc)[0] == "ValidationException"
    assert "Replicas" not in east.describe_table(TableName="strong")["Table"]


def test_version_2017_answers_as_aws_does_today(rb):
    east, = clients(rb, EAST)
    make_global(rb, "legacy", EAST, WEST)
    not_supported = ("ValidationException", "One or more parameter values were invalid: DynamoDB global tables "
                     "version 2017.11.29 is not supported. We recommend using DynamoDB global tables version "
                     "2019.11.21, instead of version 2017.11.29 (Legacy).")
    for call in (lambda: east.create_global_table(GlobalTableName="legacy", ReplicationGroup=[{"RegionName": WEST}]),
                 # A Create is refused for the version before the name is looked up.
                 lambda: east.update_global_table(GlobalTableName="nothing",
                                                  ReplicaUpdates=[{"Create": {"RegionName": EU}}])):
        with pytest.raises(ClientError) as exc:
            call()
        assert _err(exc) == not_supported
    with pytest.raises(ClientError) as exc:
        east.describe_global_table(GlobalTableName="legacy")   # a 2019.11.21 global table is not found either
    assert _err(exc) == ("GlobalTableNotFoundException",
                         "Global table not found: Global table with name: 'legacy' does not exist.")
    for call in (lambda: east.describe_global_table_settings(GlobalTableName="legacy"),
                 lambda: east.update_global_table(GlobalTableName="legacy",
                                                  ReplicaUpdates=[{"Delete": {"RegionName": WEST}}]),
                 lambda: east.update_global_table_settings(GlobalTableName="legacy",
                                                           GlobalTableBillingMode="PAY_PER_REQUEST")):
        with pytest.raises(ClientError) as exc:
            call()
        assert _err(exc) == ("GlobalTableNotFoundException", "Global table with name: 'legacy' does not exist.")
    with pytest.raises(ClientError) as exc:
        east.update_global_table(GlobalTableName="legacy", ReplicaUpdates=[])
    assert _err(exc) == ("ValidationException", "One or more parameter values were invalid")
    assert east.list_global_tables()["GlobalTables"] == []


def test_replica_auto_scaling_is_described_and_refused_on_demand(rb):
    east, west = clients(rb, EAST, WEST)
    east.create_table(TableName="scaled", BillingMode="PAY_PER_REQUEST", **KEY)
    # Only a global table has replica auto scaling: a regional or missing table is not found as a global table.
    for name in ("scaled", "missing"):
        for call in (east.describe_table_replica_auto_scaling, east.update_table_replica_auto_scaling):
            with pytest.raises(ClientError) as exc:
                call(TableName=name)
            assert _err(exc) == ("ResourceNotFoundException", f"Global table with name: '{name}' does not exist.")
    east.update_table(TableName="scaled", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    rb.drain()
    for ddb in (east, west):
        desc = ddb.describe_table_replica_auto_scaling(TableName="scaled")["TableAutoScalingDescription"]
        assert desc["TableName"] == "scaled" and desc["TableStatus"] == "ACTIVE"
        # No auto scaling is configured: each replica with its status and no *AutoScalingSettings members.
        assert desc["Replicas"] == [{"RegionName": EAST, "ReplicaStatus": "ACTIVE"},
                                    {"RegionName": WEST, "ReplicaStatus": "ACTIVE"}]
    with pytest.raises(ClientError) as exc:
        east.update_table_replica_auto_scaling(
            TableName="scaled",
            ProvisionedWriteCapacityAutoScalingUpdate={
                "MinimumUnits": 1, "MaximumUnits": 10,
                "ScalingPolicyUpdate": {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0}}})
    assert _err(exc) == ("ValidationException", "Failed to update global table with name \u2018scaled\u2018. Replicas "
                         f"'{EAST}', '{WEST}' BillingMode is PayPerRequest. You must convert table's BillingMode to "
                         "PROVISIONED to set parameters: 'ProvisionedWriteCapacityAutoScalingUpdate'.")
    with pytest.raises(ClientError) as exc:
        west.update_table_replica_auto_scaling(
            TableName="scaled", ReplicaUpdates=[{
                "RegionName": EAST,
                "ReplicaProvisionedReadCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 10}}])
    assert _err(exc)[0] == "ValidationException"


def test_replica_auto_scaling_lists_index_status_and_a_regional_table_is_not_found(rb):
    east, = clients(rb, EAST)
    east.create_table(TableName="fixed", BillingMode="PROVISIONED",
                      ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, **KEY)
    with pytest.raises(ClientError) as exc:
        east.update_table_replica_auto_scaling(
            TableName="fixed", ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 5})
    assert _err(exc) == ("ResourceNotFoundException", "Global table with name: 'fixed' does not exist.")
    east.create_table(
        TableName="indexed", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[*KEY["AttributeDefinitions"], {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=KEY["KeySchema"],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    east.update_table(TableName="indexed", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    rb.drain()
    replicas = east.describe_table_replica_auto_scaling(TableName="indexed")["TableAutoScalingDescription"]["Replicas"]
    assert [r["RegionName"] for r in replicas] == [EU, EAST]   # every replica, this region's included
    assert all(r["GlobalSecondaryIndexes"] == [{"IndexName": "by_g", "IndexStatus": "ACTIVE"}] for r in replicas)


def test_pending_replication_count_per_receiving_region(rb):
    east, west = clients(rb, EAST, WEST)
    make_global(rb, "pending", EAST, WEST)
    # One transaction: the three writes become pending together, whenever the replicator looks.
    east.transact_write_items(TransactItems=[{"Put": {"TableName": "pending", "Item": {"id": {"S": f"p{i}"}}}}
                                             for i in range(3)])
    rb.drain()
    now = rb.clock.now()
    cw = rb.client("cloudwatch", region=EAST)

    def stat(region, statistic):
        points = cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="PendingReplicationCount",
            Dimensions=[{"Name": "TableName", "Value": "pending"}, {"Name": "ReceivingRegion", "Value": region}],
            StartTime=now - 3600, EndTime=now + 60, Period=3660, Statistics=[statistic])["Datapoints"]
        return points[0][statistic] if points else None

    # Three writes waited for us-west-2, then none did; nothing was ever pending for us-east-1.
    assert stat(WEST, "Maximum") == 3
    assert stat(WEST, "Minimum") == 0
    assert stat(EAST, "Maximum") is None
    assert west.get_item(TableName="pending", Key={"id": {"S": "p2"}})["Item"] == {"id": {"S": "p2"}}


def test_create_table_from_another_accounts_global_table_is_refused(rb):
    east, = clients(rb, EAST)
    with pytest.raises(ClientError) as exc:
        east.create_table(TableName="shared", BillingMode="PAY_PER_REQUEST", **KEY,
                          GlobalTableSourceArn="arn:aws:dynamodb:us-west-2:111122223333:table/shared")
    code, message = _err(exc)
    assert code == "ValidationException" and "multi-account global tables" in message
    with pytest.raises(ClientError) as exc:
        east.describe_table(TableName="shared")
    assert _err(exc)[0] == "ResourceNotFoundException"
