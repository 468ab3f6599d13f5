"""Alarm evaluation: periods, DatapointsToAlarm, TreatMissingData and AWS's reason texts."""

from __future__ import annotations

import pytest

from riverbed.services.cloudwatch.alarms import evaluate
from riverbed.services.cloudwatch.datapoints import Sample

NOW = 1_700_000_000.0        # 20 s into a minute: the newest period is [NOW - 20, NOW + 40)


def alarm(**kw):
    base = {"Period": 60, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 10.0,
            "Statistic": "Maximum"}
    base.update(kw)
    return base


def at(seconds_ago, value):
    return Sample.single(NOW - seconds_ago, value)


def test_one_breaching_datapoint_alarms_with_aws_text():
    verdict = evaluate(alarm(), [at(5, 12.0), at(10, 3.0)], NOW)
    assert verdict.state == "ALARM"
    assert verdict.reason.startswith("Threshold Crossed: 1 datapoint [12.0 (")
    assert verdict.reason.endswith(")] was greater than the threshold (10.0).")
    assert verdict.reason_data["recentDatapoints"] == [12.0]
    assert verdict.reason_data["evaluatedDatapoints"][0]["sampleCount"] == 2.0


def test_not_breaching_is_ok():
    verdict = evaluate(alarm(), [at(5, 1.0)], NOW)
    assert verdict.state == "OK"
    assert verdict.reason.endswith("] was not greater than the threshold (10.0).")


def test_m_out_of_n():
    samples = [at(5, 20.0), at(65, 1.0), at(125, 20.0), at(185, 20.0)]     # the fourth is out of the window
    verdict = evaluate(alarm(EvaluationPeriods=3, DatapointsToAlarm=2), samples, NOW)
    assert verdict.state == "ALARM"
    assert "2 out of the last 3 datapoints" in verdict.reason
    assert verdict.reason.endswith("(minimum 2 datapoints for OK -> ALARM transition).")
    assert evaluate(alarm(EvaluationPeriods=3), samples, NOW).state == "OK"   # all three needed


@pytest.mark.parametrize(("treat", "state"), [("missing", "INSUFFICIENT_DATA"), ("breaching", "ALARM"),
                                              ("notBreaching", "OK"), ("ignore", None)])
def test_treat_missing_data(treat, state):
    verdict = evaluate(alarm(EvaluationPeriods=2, TreatMissingData=treat), [at(500, 50.0)], NOW)
    assert verdict.state == state


def test_breaching_reason_when_no_data():
    verdict = evaluate(alarm(EvaluationPeriods=2, TreatMissingData="breaching"), [], NOW)
    assert verdict.reason == ("Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints "
                              "were treated as [Breaching].")


def test_percentile_statistic():
    samples = [Sample(NOW - 5, 100, 0, 0, 0, "None", [(float(v), 1.0) for v in range(1, 101)])]
    assert evaluate(alarm(Statistic=None, ExtendedStatistic="p99", Threshold=98.5), samples, NOW).state == "ALARM"
    assert evaluate(alarm(Statistic=None, ExtendedStatistic="p50", Threshold=98.5), samples, NOW).state == "OK"


def test_periods_align_on_the_epoch_and_the_newest_contains_now():
    # 25 s ago is the previous minute (NOW is 20 s into its minute); with one period only the current counts.
    assert evaluate(alarm(), [at(25, 50.0), at(1, 1.0)], NOW).state == "OK"
    verdict = evaluate(alarm(EvaluationPeriods=2), [at(25, 50.0), at(1, 1.0)], NOW)
    assert [p["timestamp"][11:19] for p in verdict.reason_data["evaluatedDatapoints"]] == ["22:13:00", "22:12:00"]
    assert verdict.reason_data["startDate"].endswith("22:12:00.000+0000")
