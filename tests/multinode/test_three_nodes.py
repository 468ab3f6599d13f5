"""Three riverbed nodes (each its own App, event loop, server and connection pool) on one PostgreSQL database.

* A representative part of the conformance suite (tables, items and conditional writes, transactions,
  indexes, streams, mappings and their role checks, PartiQL, SQS with long polls, KMS, the Lambda API, S3),
  unchanged, run through a round-robin front
  (``roundrobin.py``): every request goes to the next node, so each write is read back on another node.
* Conditional writes racing from all three nodes on one item: exactly one wins each round.

The kill -9 of a mapping's leaseholder among three nodes is in test_takeover.py.  Skipped only when
PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, make_client
from tests.multinode.nodes import started_nodes
from tests.multinode.roundrobin import RoundRobin

pytestmark = pytest.mark.xdist_group("real-server")

ROOT = Path(__file__).resolve().parents[2]
# Left out: test_sns.py (a notification's UnsubscribeURL names the node that published it, not this front).
CONFORMANCE = ["test_tables.py", "test_items.py", "test_indexes.py", "test_streams.py", "test_semantics_round2.py",
               "test_iam_enforcement.py", "test_sqs.py", "test_kms.py", "test_partiql.py", "test_lambda_api.py",
               "test_s3.py", "test_s3_versioning.py"]
ROUNDS = 20


@pytest.fixture
def endpoints(postgres_schema_url, tmp_path):
    with started_nodes(postgres_schema_url, tmp_path, count=3) as started:
        yield [node.app.endpoint_url for node in started]


def test_the_conformance_suite_passes_through_a_round_robin_of_three_nodes(endpoints):
    with RoundRobin(endpoints) as front:
        env = dict(os.environ, RIVERBED_TEST_ENDPOINT=front.url)
        env.pop("PYTEST_XDIST_WORKER", None)
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x",
                              *[f"tests/conformance/{name}" for name in CONFORMANCE]],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
        counts = list(front.counts)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    print(f"\nconformance through 3 nodes: {summary}; requests per node: {counts}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in summary
    assert min(counts) > 0 and max(counts) - min(counts) <= 1   # strictly in turn


def test_conditional_puts_racing_from_three_nodes_have_exactly_one_winner_each_round(endpoints, table_name):
    clients = [make_client(url, "dynamodb") for url in endpoints]
    create_table(clients[0], table_name)
    barrier = threading.Barrier(3)

    def attempt(n: int, round_no: int) -> bool:
        barrier.wait(30)
        try:
            clients[n].put_item(TableName=table_name, Item={"pk": {"S": f"r{round_no}"}, "by": {"N": str(n)}},
                                ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False

    winners = []
    with ThreadPoolExecutor(3) as pool:
        for round_no in range(ROUNDS):
            won = [f.result() for f in [pool.submit(attempt, n, round_no) for n in range(3)]]
            assert sorted(won) == [False, False, True], f"round {round_no}: {won}"
            winner = won.index(True)
            item = clients[(winner + 1) % 3].get_item(TableName=table_name, Key={"pk": {"S": f"r{round_no}"}},
                                                      ConsistentRead=True)["Item"]
            assert item["by"]["N"] == str(winner)   # the stored item is the winner's, read on another node
            winners.append(winner)
    print(f"\nwins per node over {ROUNDS} rounds: {[winners.count(n) for n in range(3)]}")
