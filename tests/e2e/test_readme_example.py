"""The README's example test, verbatim: a replication pipeline tested with the pytest plugin's fixtures."""

import json


def replicate(event, context):
    """Copy every change of table `orders` into table `orders-replica` (the code under test)."""
    import boto3

    ddb = boto3.client("dynamodb")          # AWS_ENDPOINT_URL points at riverbed, as on Lambda
    for record in event["Records"]:
        if record["eventName"] == "REMOVE":
            ddb.delete_item(TableName="orders-replica", Key=record["dynamodb"]["Keys"])
        else:
            ddb.put_item(TableName="orders-replica", Item=record["dynamodb"]["NewImage"])


def test_orders_are_replicated(riverbed, riverbed_client, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", riverbed.endpoint_url)   # in-process handlers share our env
    ddb, lam = riverbed_client("dynamodb"), riverbed_client("lambda")
    for name in ("orders", "orders-replica"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream = ddb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    riverbed.register_function("replicate", replicate)
    lam.create_event_source_mapping(FunctionName="replicate", EventSourceArn=stream,
                                    StartingPosition="TRIM_HORIZON", BatchSize=10,
                                    MaximumBatchingWindowInSeconds=60)

    ddb.put_item(TableName="orders", Item={"id": {"S": "o-1"}, "total": {"N": "12.50"}})
    ddb.put_item(TableName="orders", Item={"id": {"S": "o-2"}, "total": {"N": "3"}})
    ddb.delete_item(TableName="orders", Key={"id": {"S": "o-2"}})
    riverbed.drain()                        # the 60 s batching window passes on the manual clock

    items = ddb.scan(TableName="orders-replica")["Items"]
    assert items == [{"id": {"S": "o-1"}, "total": {"N": "12.5"}}]
    assert json.loads(json.dumps(items))    # plain JSON-able results
