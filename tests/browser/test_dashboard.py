"""The dashboard in a real browser: Playwright (Python) driving Debian's Chromium over a live pipeline.

The Playwright browser download is not reachable here, so the tests point Playwright at the system
Chromium (``apt-get install chromium``; ``.ci/run`` installs it).  Without /usr/bin/chromium the tests
skip on a developer machine and fail in CI.  Screenshots go to ``tests/artifacts/`` (kept by CI).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

import riverbed
from tests.browser import pipeline

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.xdist_group("browser")

if not os.environ.get("CI"):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI fails instead", allow_module_level=True)
    pytest.importorskip("playwright", reason="pip install -e '.[test]' installs Playwright; CI fails instead")


@pytest.fixture(scope="module")
def live():
    with riverbed.Riverbed(iam="off") as rb:
        info = pipeline.build(rb)
        yield rb, info


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_page(page, live, route: str = "") -> None:
    rb, _ = live
    page.goto(f"{rb.endpoint_url}/_riverbed/ui#/{route}")
    page.wait_for_selector("body[data-loaded]")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def chart_drawn(page, key: str) -> bool:
    """The chart has data points and its canvas has non-background pixels."""
    return page.evaluate("""(key) => {
        const el = document.querySelector(`[data-chart="${key}"]`);
        if (!el || !(Number(el.dataset.points) > 0)) return false;
        const canvas = el.querySelector("canvas");
        if (!canvas) return false;
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
        return inked > 100;
    }""", key)


def test_overview_shows_every_kind_of_resource_and_the_failing_mapping(page, live):
    open_page(page, live)
    tables = page.locator('[data-card="Tables"]')
    assert "orders" in tables.inner_text()
    assert "13" in tables.inner_text()                        # twelve orders and the poison one
    mappings = page.locator('[data-card="Event source mappings"]').inner_text()
    assert "PROBLEM: Function call failed" in mappings and pipeline.FUNCTION in mappings
    assert pipeline.QUEUE in page.locator('[data-card="Queues"]').inner_text()
    assert pipeline.TOPIC in page.locator('[data-card="Topics"]').inner_text()
    assert "order-errors" in page.locator('[data-card="Alarms"]').inner_text()
    assert page.locator("#live.on").count() == 1           # the event stream is connected
    shot(page, "overview")


def test_table_page_shows_schema_indexes_settings_and_items(page, live):
    open_page(page, live, f"table/{pipeline.TABLE}")
    text = page.locator("main").inner_text()
    assert "pk (HASH, S)" in text and "by-status" in text and "NEW_AND_OLD_IMAGES" in text
    assert page.locator('[data-card="Items"] tbody tr').count() == 13
    page.fill('#qform input[name="pk"]', "order-001")
    page.click('#qform button[type="submit"]')
    page.wait_for_function("document.querySelectorAll('[data-card=\"Items\"] tbody tr').length === 1")
    assert "shipped" in page.locator('[data-card="Items"]').inner_text()
    shot(page, "table")


def test_stream_page_shows_the_shard_tree_and_a_modify_as_a_diff(page, live):
    _, info = live
    open_page(page, live, f"stream/{quote(info['stream_arn'], safe='')}")
    assert page.locator("li[data-shard] .shard.open").count() == 1
    modify = page.locator('.record[data-event="MODIFY"]').first
    changed = modify.locator("tr.changed").all_inner_texts()
    assert any("status" in row and '"new"' in row and '"shipped"' in row for row in changed), changed
    assert any("total" in row and "11" in row and "99" in row for row in changed), changed
    assert page.locator('.record[data-event="INSERT"]').count() >= 13
    shot(page, "stream")


def test_stream_page_updates_live_when_a_record_arrives(page, live):
    rb, info = live
    open_page(page, live, f"stream/{quote(info['stream_arn'], safe='')}")
    page.wait_for_selector("#live.on")
    page.evaluate("window.__sameDocument = true")
    rb.client("dynamodb").put_item(TableName=pipeline.TABLE, Item={"pk": {"S": "order-live"}, "status": {"S": "new"}})
    page.wait_for_function("document.querySelector('main').innerText.includes('order-live')", timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True     # no reload: the server-sent event did it
    rb.drain()


def test_mapping_page_draws_charts_and_links_to_the_failed_batch(page, live):
    _, info = live
    open_page(page, live, f"mapping/{info['uuid']}")
    text = page.locator("main").inner_text()
    assert "last processing result" in text and "BatchSize" in text and pipeline.QUEUE in text
    for key in ("IteratorAge", "Invocations", "Errors"):
        assert chart_drawn(page, key), f"chart {key} did not draw"
    shot(page, "mapping")
    # The recent batches, newest first: the poison order's batch went to the queue, the others were ok
    # (a test before this one may have added an ok batch after it).
    batches = page.locator('[data-card="Recent batches"] tbody tr')
    outcomes = page.eval_on_selector_all('[data-card="Recent batches"] [data-outcome]',
                                         "els => els.map(e => e.dataset.outcome)")
    assert len(outcomes) >= 4 and outcomes.count("sent to destination") == 1 and outcomes[-1] == "ok"
    assert set(outcomes) == {"ok", "sent to destination"}
    sent = batches.nth(outcomes.index("sent to destination")).inner_text()
    assert "RetryAttemptsExhausted" in sent and "poison order" in sent and pipeline.QUEUE in sent
    page.click('[data-card="Recent batches"] .batch-destination a')
    page.wait_for_function("location.hash.startsWith('#/queue/')")
    page.wait_for_selector(".message")
    open_page(page, live, f"mapping/{info['uuid']}")
    page.click("#destination a")
    page.wait_for_function("location.hash.startsWith('#/queue/')")
    page.wait_for_selector(".message")
    message = page.locator(".message").first.inner_text()
    assert "RetryAttemptsExhausted" in message and "batch of " in message and "order-handler" in message
    assert "ApproximateNumberOfMessages" not in message
    shot(page, "queue")
    # Peeking did not receive the message: it is still visible to consumers.
    sqs = live[0].client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=info["queue_url"], AttributeNames=["ApproximateNumberOfMessages"])
    assert int(attrs["Attributes"]["ApproximateNumberOfMessages"]) >= 1


def test_function_page_shows_configuration_invocations_and_logs(page, live):
    open_page(page, live, f"function/{pipeline.FUNCTION}")
    text = page.locator("main").inner_text()
    assert "python3.12" in text or "Runtime" in text
    invocations = page.locator('[data-card="Recent invocations"] tbody tr')
    assert invocations.count() >= 3
    assert "error" in invocations.all_inner_texts()[0] or any("error" in t for t in invocations.all_inner_texts())
    assert "cold" in invocations.all_inner_texts()[-1]      # the first invocation started the environment
    assert "order order-001 MODIFY" in page.locator("#logs").inner_text()
    assert chart_drawn(page, "Invocations")
    shot(page, "function")


def test_topic_page_lists_subscriptions(page, live):
    _, info = live
    open_page(page, live, f"topic/{quote(info['topic_arn'], safe='')}")
    assert pipeline.QUEUE in page.locator('[data-card="Subscriptions"]').inner_text()
    shot(page, "topic")


def test_unknown_things_answer_not_found(page, live):
    open_page(page, live, "table/nope")
    assert "Not Found" in page.locator("main").inner_text()
