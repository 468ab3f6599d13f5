"""Two riverbed nodes (each its own App, event loop, server and connection pool) on one PostgreSQL database.

Checks what the PostgreSQL store promises across nodes: a write acknowledged by one node is read by the
other, and conditional writes racing from both nodes on one item serialize (exactly one wins a round; no
lost update).  Skipped only when PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import REGION, create_table, make_client
from tests.multinode.nodes import started_nodes

ROUNDS = 25


@pytest.fixture
def nodes(postgres_schema_url, tmp_path):
    with started_nodes(postgres_schema_url, tmp_path) as started:
        # No retries: a request that fails on a node must fail the test, not be repeated until it passes.
        yield [boto3.client("dynamodb", endpoint_url=node.app.endpoint_url, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"total_max_attempts": 1})) for node in started]


def test_a_write_acknowledged_by_one_node_is_read_on_the_other(nodes, table_name):
    a, b = nodes
    create_table(a, table_name)
    b.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.05})
    for n in range(10):
        writer, reader = (a, b) if n % 2 else (b, a)
        writer.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "n": {"N": str(n)}})
        got = reader.get_item(TableName=table_name, Key={"pk": {"S": "k"}}, ConsistentRead=True)
        assert got["Item"]["n"] == {"N": str(n)}


def test_racing_conditional_puts_have_exactly_one_winner_each_round(nodes, table_name):
    a, b = nodes
    create_table(a, table_name)
    barrier = threading.Barrier(2)

    def attempt(client, round_no: int, name: str) -> bool:
        barrier.wait(10)
        try:
            client.put_item(TableName=table_name, Item={"pk": {"S": f"r{round_no}"}, "by": {"S": name}},
                            ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False

    with ThreadPoolExecutor(2) as pool:
        for round_no in range(ROUNDS):
            won = [f.result() for f in [pool.submit(attempt, a, round_no, "a"), pool.submit(attempt, b, round_no, "b")]]
            assert sorted(won) == [False, True], f"round {round_no}: {won}"
            item = b.get_item(TableName=table_name, Key={"pk": {"S": f"r{round_no}"}}, ConsistentRead=True)["Item"]
            assert item["by"]["S"] == ("a" if won[0] else "b")


def test_read_modify_write_from_both_nodes_loses_no_update(nodes, table_name):
    a, b = nodes
    create_table(a, table_name)
    a.put_item(TableName=table_name, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})

    def bump(client, times: int) -> int:
        # A compare-and-set loop: read, then write n+1 only if n is unchanged.
        done = 0
        while done < times:
            n = int(client.get_item(TableName=table_name, Key={"pk": {"S": "counter"}},
                                    ConsistentRead=True)["Item"]["n"]["N"])
            try:
                client.put_item(TableName=table_name, Item={"pk": {"S": "counter"}, "n": {"N": str(n + 1)}},
                                ConditionExpression="n = :n", ExpressionAttributeValues={":n": {"N": str(n)}})
                done += 1
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return done

    with ThreadPoolExecutor(2) as pool:
        assert sum(pool.map(bump, [a, b], [30, 30])) == 60
    item = a.get_item(TableName=table_name, Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "60"}


def test_stream_records_written_through_both_nodes_get_unique_increasing_sequence_numbers(nodes, table_name):
    a, b = nodes
    create_table(a, table_name, stream="NEW_IMAGE")
    for n in range(6):
        (a, b)[n % 2].put_item(TableName=table_name, Item={"pk": {"S": "k"}, "n": {"N": str(n)}})
    streams = make_client(b.meta.endpoint_url, "dynamodbstreams")
    arn = b.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    seqs, images = [], []
    for shard in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in streams.get_records(ShardIterator=it)["Records"]:
            seqs.append(int(record["dynamodb"]["SequenceNumber"]))
            images.append(record["dynamodb"]["NewImage"]["n"]["N"])
    assert images == [str(n) for n in range(6)]
    assert seqs == sorted(set(seqs))


def test_a_table_recreated_on_one_node_is_seen_with_its_new_schema_on_the_other(nodes, table_name):
    a, b = nodes
    create_table(a, table_name)
    a.put_item(TableName=table_name, Item={"pk": {"S": "k"}})   # node a caches the table
    b.delete_table(TableName=table_name)
    b.get_waiter("table_not_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.05})
    create_table(b, table_name, hash_type="N")
    # Node a learns of both changes through the store's notifications, not by re-reading on every request.
    deadline = 50
    while True:
        try:
            a.put_item(TableName=table_name, Item={"pk": {"S": "k"}})
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ValidationException"
            assert "Type mismatch for key" in err.response["Error"]["Message"]
            break
        deadline -= 1
        assert deadline, "node a kept the old table definition"
        threading.Event().wait(0.1)
    a.put_item(TableName=table_name, Item={"pk": {"N": "1"}})
    assert b.get_item(TableName=table_name, Key={"pk": {"N": "1"}}, ConsistentRead=True)["Item"]


def test_transactions_racing_in_opposite_orders_from_two_nodes_never_answer_500(nodes, table_name):
    a, b = nodes
    create_table(a, table_name)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def transact(client, name: str, order: list[str], rounds: int) -> None:
        for round_no in range(rounds):
            barrier.wait(30)
            items = [{"Put": {"TableName": table_name, "Item": {"pk": {"S": k}, "by": {"S": f"{name}{round_no}"}}}}
                     for k in order]
            try:
                client.transact_write_items(TransactItems=items)
                outcomes.append("ok")
            except ClientError as err:
                # A deadlock between the nodes' transactions: AWS's answer to conflicting transactions.
                assert err.response["Error"]["Code"] == "TransactionCanceledException", err.response
                reasons = [r["Code"] for r in err.response.get("CancellationReasons", [])]
                assert reasons.count("TransactionConflict") == 1 and set(reasons) <= {"None", "TransactionConflict"}
                outcomes.append("conflict")

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(transact, a, "a", ["x", "y"], 8), pool.submit(transact, b, "b", ["y", "x"], 8)]
        for f in futures:
            f.result()
    print(f"\n{outcomes.count('conflict')} of {len(outcomes)} transactions cancelled for a conflict")
    assert outcomes.count("ok") >= 8   # each round at least one transaction commits
    got = {k: b.get_item(TableName=table_name, Key={"pk": {"S": k}}, ConsistentRead=True)["Item"]["by"]["S"]
           for k in ("x", "y")}
    assert got["x"] == got["y"], got   # all or nothing: both items carry the last committed writer


def test_riverbed_status_lists_both_nodes_live_and_each_exclusive_loop_on_one_of_them(nodes, postgres_schema_url,
                                                                                    capsys):
    from riverbed.cli.main import main

    deadline = 100
    while True:   # the nodes take their leases as their loops start
        assert main(["nodes", "--store", postgres_schema_url]) == 0
        text = capsys.readouterr().out
        if text.count("  live") == 2 and "loop:ttl-sweeper" in text and "loop:replicator" in text:
            break
        deadline -= 1
        assert deadline, text
        threading.Event().wait(0.05)
    assert "nodes: 2 live, 2 known" in text
    assert text.count("loop:ttl-sweeper") == 1 and text.count("loop:streams-maintenance") == 1


def test_riverbed_status_on_sqlite_says_one_node_does_the_work(tmp_path, capsys):
    from riverbed.cli.main import main

    assert main(["nodes", "--data-dir", str(tmp_path)]) == 0
    assert "one node" in capsys.readouterr().out


def test_a_queue_created_on_one_node_is_found_on_the_other_after_a_miss(nodes):
    a, b = nodes
    sqs_a, sqs_b = (make_client(c.meta.endpoint_url, "sqs") for c in (a, b))
    with pytest.raises(ClientError):
        sqs_a.get_queue_url(QueueName="late-queue")          # node a caches the miss
    url = sqs_b.create_queue(QueueName="late-queue")["QueueUrl"]
    deadline = 50
    while True:
        try:
            # Each node names itself in the URL it answers; the path is the queue's.
            assert sqs_a.get_queue_url(QueueName="late-queue")["QueueUrl"].endswith("/000000000000/late-queue")
            break
        except ClientError:
            deadline -= 1
            assert deadline, "node a kept its cached miss"
            threading.Event().wait(0.1)
    sqs_a.send_message(QueueUrl=url, MessageBody="hello")
    assert sqs_b.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] == "hello"
