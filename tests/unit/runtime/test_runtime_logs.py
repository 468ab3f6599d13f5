"""START/END/REPORT lines, the runtime's [ERROR] block, billing, and the bounded log store."""

from __future__ import annotations

from riverbed.runtime import logs


def test_platform_lines():
    assert logs.start_line("abc", "$LATEST") == "START RequestId: abc Version: $LATEST\n"
    assert logs.end_line("abc") == "END RequestId: abc\n"
    assert logs.timeout_line("2024-01-02T03:04:05.678Z", "abc", 3.0149) == (
        "2024-01-02T03:04:05.678Z abc Task timed out after 3.01 seconds\n")
    assert logs.exit_lines("abc", "Runtime exited with error: exit status 1") == (
        "RequestId: abc Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n")


def test_report_line_matches_cloudwatch_text():
    # lambda.snapshot.json (test_invocation_type_event_error): the REPORT event, tab-separated, trailing tab.
    assert logs.report_line("id", duration_ms=3.01, billed_duration_ms=4, memory_size=128, max_memory_used_mb=36,
                            init_duration_ms=110.1) == (
        "REPORT RequestId: id\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 36 MB\tInit Duration: 110.10 ms\t\n")
    assert logs.report_line("id", duration_ms=2.9, billed_duration_ms=3, memory_size=128,
                            max_memory_used_mb=36) == (
        "REPORT RequestId: id\tDuration: 2.90 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 36 MB\t\n")
    assert logs.report_line("id", duration_ms=1000.4, billed_duration_ms=1001, memory_size=128,
                            max_memory_used_mb=40, status="error", error_type="Runtime.ExitError").endswith(
        "Max Memory Used: 40 MB\tStatus: error\tError Type: Runtime.ExitError\t\n")


def test_billed_duration_rounds_up_and_includes_init():
    assert logs.billed_duration(3.01) == 4
    assert logs.billed_duration(3.0) == 3
    assert logs.billed_duration(0.2) == 1
    assert logs.billed_duration(1049.63, 1293.83) == 2344


def test_error_block_uses_no_break_space_indentation():
    error = {"errorMessage": "some error occurred", "errorType": "CustomException", "requestId": "x",
             "stackTrace": ['  File "/var/task/handler.py", line 6, in handler\n'
                            '    raise CustomException("some error occurred")\n']}
    # The CloudWatch event recorded in lambda.snapshot.json, plus the line end.
    assert logs.error_block(error) == (
        "[ERROR] CustomException: some error occurred\nTraceback (most recent call last):\n"
        "\u00a0\u00a0File \"/var/task/handler.py\", line 6, in handler\n"
        "\u00a0\u00a0\u00a0\u00a0raise CustomException(\"some error occurred\")\n")


def test_error_block_without_message_or_frames():
    assert logs.error_block({"errorMessage": "", "errorType": "KeyError", "stackTrace": []}) == (
        "[ERROR] KeyError\nTraceback (most recent call last):\n")


def test_log_store_is_bounded_and_notifies_listeners():
    store = logs.LogStore(max_entries=3, max_bytes=1000)
    seen = []
    store.add_listener(lambda name, text: seen.append((name, text)))
    store.add_listener(lambda name, text: 1 / 0)  # a broken listener changes nothing
    for i in range(5):
        store.append("f", f"entry {i}")
    assert store.recent("f") == ["entry 2", "entry 3", "entry 4"]
    assert store.recent("other") == []
    assert len(seen) == 5 and seen[-1] == ("f", "entry 4")


def test_log_store_byte_bound_keeps_the_newest_entry():
    store = logs.LogStore(max_entries=100, max_bytes=10)
    store.append("f", "aaaaaa")
    store.append("f", "bbbbbb")
    assert store.recent("f") == ["bbbbbb"]
    store.append("f", "c" * 50)  # larger than the bound on its own: still kept
    assert store.recent("f") == ["c" * 50]
    store.forget("f")
    assert store.recent("f") == []
