"""The pacer's bucket math with an injected clock (nothing here sleeps), its settings and what requests cost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.azure.paced import arm_costs, arm_remaining, graph_costs, graph_remaining, retry_after_seconds
from provisioner.errors import ConfigurationError
from provisioner.execution.pacing import LIMITS, PACE_VARIABLE, Limit, Pacer, PaceSettings, parse_pace
from provisioner.execution.retry import Clock

TUTORIAL = Path(__file__).parents[2] / "scenarios" / "vm-system-identity-arm.yaml"
SUB = "00000000-0000-0000-0000-00000000abcd"
WRITES = ("arm-writes", "subscription", SUB)


@dataclass
class FakeTime:
    now: float = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    @property
    def clock(self) -> Clock:
        return Clock(sleep=self.sleep, now=lambda: self.now)


def pacer(time: FakeTime, **limits: Limit) -> Pacer:
    return Pacer(PaceSettings({**LIMITS, **limits}, jitter=0), time.clock)


def send(paced: Pacer, costs: dict[tuple[str, ...], float], remaining: float | None = None) -> float:
    """One request through the pacer (waiting as it says), answered at once; its first wait."""
    ticket = paced.reserve(costs)
    first = ticket.delay
    while ticket.delay > 0:
        paced.clock.sleep(ticket.delay)
        paced.ready(ticket)
    left = {} if remaining is None else dict.fromkeys(costs, remaining)
    paced.answered(ticket, 200, left, None)
    return first


def test_the_burst_goes_at_once_then_requests_follow_the_refill_rate() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=5, rate=10)})
    send(paced, {WRITES: 1})  # the first answer: the server's bucket exists, ours refills from now
    tickets = [paced.reserve({WRITES: 1}) for _ in range(7)]
    assert [ticket.delay for ticket in tickets] == pytest.approx([0, 0, 0, 0, 0.1, 0.2, 0.3])
    assert paced.ready(tickets[5]) == pytest.approx(0.2)  # its turn has not come
    time.now = 0.1
    assert paced.ready(tickets[4]) == 0 and paced.ready(tickets[5]) == pytest.approx(0.1)
    time.now = 1.0
    assert paced.levels()[WRITES] == 5  # refilled up to the burst
    assert paced.ready(tickets[5]) == 0 and paced.ready(tickets[6]) == 0


def test_before_the_first_answer_nothing_refills() -> None:
    """The server's bucket starts when our first request arrives, possibly much later than our
    first reservation: the burst goes, the rest waits for an answer."""
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=2, rate=10)})
    first, _second, third = (paced.reserve({WRITES: 1}) for _ in range(3))
    time.now = 5.0
    assert paced.ready(third) == pytest.approx(0.1)
    paced.answered(first, 201, {}, None)
    time.now = 5.1
    assert paced.ready(third) == 0


def test_by_default_a_request_leaves_half_a_second_of_refill_in_its_bucket() -> None:
    paced = Pacer(PaceSettings({**LIMITS, "arm-writes": Limit(burst=20, rate=10)}), FakeTime().clock)
    assert [paced.reserve({WRITES: 1}).delay for _ in range(17)][-3:] == pytest.approx([0, 0.1, 0.2])
    tiny = Pacer(PaceSettings({**LIMITS, "arm-writes": Limit(burst=3, rate=10)}), FakeTime().clock)
    assert [tiny.reserve({WRITES: 1}).delay for _ in range(3)] == pytest.approx([0, 0.1, 0.2])  # all but one


def test_a_refilled_bucket_never_holds_more_than_its_burst() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=3, rate=1)})
    send(paced, {WRITES: 1})
    time.now = 100.0
    assert paced.levels()[WRITES] == 3
    assert [paced.reserve({WRITES: 1}).delay for _ in range(4)] == pytest.approx([0, 0, 0, 1])


def test_a_request_waits_for_the_emptiest_of_its_buckets() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=1, rate=2)})
    costs = arm_costs("PUT", f"https://management.azure.com/subscriptions/{SUB}/resourcegroups/a", "t")
    assert set(costs) == {WRITES, ("arm-global-writes", "subscription", SUB)}
    assert [paced.reserve(costs).delay for _ in range(3)] == pytest.approx([0, 0.5, 1.0])
    assert paced.levels()[("arm-global-writes", "subscription", SUB)] == 15 - 1  # 15 times the burst


def test_a_lower_remaining_count_from_the_server_lowers_the_bucket_counting_what_is_in_flight() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=200, rate=10)})
    answered, _in_flight = paced.reserve({WRITES: 1}), paced.reserve({WRITES: 1})
    waiting = [paced.reserve({WRITES: 1}) for _ in range(10)]
    assert all(ticket.delay == 0 for ticket in waiting)
    paced.answered(answered, 200, {WRITES: 10}, None)  # another process used most of the bucket
    assert paced.levels()[WRITES] == 9 - 10  # 10 left when the server counted us; 11 more on their way
    assert paced.reserve({WRITES: 1}).delay == pytest.approx(0.2)


def test_requests_still_waiting_wait_longer_when_an_answer_lowers_the_bucket() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=2, rate=10)})
    first = paced.reserve({WRITES: 1})
    paced.reserve({WRITES: 1})
    waiting = paced.reserve({WRITES: 1})
    assert waiting.delay == pytest.approx(0.1)
    paced.answered(first, 200, {WRITES: -3}, None)  # a server deep in debt (another client)
    time.now = 0.1
    assert paced.ready(waiting) == pytest.approx(0.4)


def test_a_higher_remaining_count_never_raises_the_bucket() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=5, rate=1)})
    send(paced, {WRITES: 1}, remaining=11999)  # the old hourly counts
    assert paced.levels()[WRITES] == 4


def test_a_429_that_empties_a_bucket_holds_every_caller_for_its_retry_after() -> None:
    time = FakeTime()
    paced = pacer(time)
    ticket = paced.reserve({WRITES: 1})
    paced.answered(ticket, 429, {WRITES: 0}, 7.0)
    assert paced.reserve({WRITES: 1}).delay == pytest.approx(7.0)
    assert paced.stats.throttled == 1


def test_a_providers_own_429_with_tokens_left_holds_nobody() -> None:
    time = FakeTime()
    paced = pacer(time)
    ticket = paced.reserve({WRITES: 1})
    paced.answered(ticket, 429, {}, 30.0)
    assert paced.reserve({WRITES: 1}).delay == 0.0


def test_a_failed_or_abandoned_request_gives_its_place_back() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=1, rate=1)})
    sent = paced.reserve({WRITES: 1})
    abandoned, behind = paced.reserve({WRITES: 1}), paced.reserve({WRITES: 1})
    assert (abandoned.delay, behind.delay) == (1, 2)
    paced.answered(abandoned, None, {}, None)  # interrupted while waiting
    paced.answered(sent, None, {}, None)  # connection failed
    paced.answered(sent, None, {}, None)  # settling twice changes nothing
    assert paced.ready(behind) == 1


def test_threads_reserving_at_once_get_distinct_turns() -> None:
    time = FakeTime()
    paced = pacer(time, **{"arm-writes": Limit(burst=10, rate=10)})
    with ThreadPoolExecutor(8) as pool:
        delays = sorted(pool.map(lambda _: paced.reserve({WRITES: 1}).delay, range(200)))
    assert delays == pytest.approx([0.0] * 10 + [n / 10 for n in range(1, 191)])
    assert paced.stats.requests == 200 and paced.stats.delayed == 190


def test_a_disabled_pacer_never_waits() -> None:
    paced = Pacer(parse_pace(["off"]), FakeTime().clock)
    assert all(paced.reserve({WRITES: 1}).delay == 0 for _ in range(1000))


def test_pace_settings_parse_and_refuse() -> None:
    settings = parse_pace(["arm-writes=5/s,50", "graph-writes=2.5/s; arm-reads=30/s"])
    assert settings.limits["arm-writes"] == Limit(50, 5)
    assert settings.limits["graph-writes"] == Limit(3000, 2.5)
    assert settings.limits["arm-reads"] == Limit(250, 30)
    assert settings.limits["arm-deletes"] == Limit(200, 10)
    assert settings.enabled and not parse_pace(["off"]).enabled
    assert "arm-writes=5/s,50" in settings.describe()
    for bad in ("arm-writes=10", "arm-write=10/s", "arm-writes=0/s", "arm-writes=10/s,0", "fast"):
        with pytest.raises(ConfigurationError, match="--pace"):
            parse_pace([bad])


def test_azures_published_limits_are_the_defaults() -> None:
    assert LIMITS["arm-reads"] == Limit(250, 25)
    assert LIMITS["arm-writes"] == Limit(200, 10) == LIMITS["arm-deletes"]
    assert LIMITS["graph-units"] == Limit(3500, 350)  # 3,500 per 10 s
    assert LIMITS["graph-writes"] == Limit(3000, 20)  # 3,000 per 150 s


def test_what_arm_requests_cost_and_what_their_answers_say() -> None:
    base = f"https://management.azure.com/subscriptions/{SUB.upper()}"
    assert set(arm_costs("GET", base + "/resourcegroups", "T")) >= {("arm-reads", "subscription", SUB)}
    assert set(arm_costs("DELETE", base + "/resourcegroups/a", "T")) >= {("arm-deletes", "subscription", SUB)}
    assert set(arm_costs("POST", base + "/x/listKeys", "T")) >= {WRITES}
    assert arm_costs("GET", "https://management.azure.com/tenants", "T") == {("arm-reads", "tenant", "t"): 1.0}
    headers = {
        "x-ms-ratelimit-remaining-subscription-writes": "199",
        "x-ms-ratelimit-remaining-subscription-global-writes": "2999",
        "x-ms-ratelimit-remaining-tenant-reads": "12",
        "x-ms-ratelimit-remaining-subscription-reads": "",
    }
    assert arm_remaining(base + "/resourcegroups/a", "T", headers) == {
        WRITES: 199,
        ("arm-global-writes", "subscription", SUB): 2999,
        ("arm-reads", "tenant", "t"): 12,
    }


def test_what_graph_requests_cost_and_what_their_answers_say() -> None:
    graph = "https://graph.microsoft.com/v1.0"
    units = ("graph-units", "tenant", "t")
    assert graph_costs("GET", graph + "/groups/g1/members", "T") == {units: 3}
    assert graph_costs("GET", graph + "/groups/g1/members?$select=id", "T") == {units: 2}
    assert graph_costs("GET", graph + "/users?$top=5&$select=id", "T") == {units: 1}
    assert graph_costs("POST", graph + "/groups", "T") == {units: 1, ("graph-writes", "tenant", "t"): 1}
    paced = Pacer()
    assert graph_remaining("T", {"x-ms-throttle-limit-percentage": "0.9"}, paced) == {units: pytest.approx(350)}
    throttled = {
        "x-ms-throttle-scope": "Tenant_Application/ReadWrite/a/t",
        "x-ms-throttle-information": "WriteLimitExceeded",
    }
    assert graph_remaining("T", throttled, paced) == {("graph-writes", "tenant", "t"): 0}
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"retry-after": "Fri, 04 Dec 2026 01:00:00 GMT"}) is None


def test_a_bad_pace_is_bad_input_before_any_cloud_call(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from provisioner.cli.main import main

    for args, environment in (((f"--pace={'arm-writes=fast'}",), None), ((), "arm-writes=1/s,0")):
        if environment is not None:
            monkeypatch.setenv(PACE_VARIABLE, environment)
        with pytest.raises(SystemExit) as exit_info:
            main(["plan", str(TUTORIAL), "--data-dir", str(tmp_path / "cloud"), *args])
        assert exit_info.value.code == 2
        assert "Invalid value for '--pace'" in capsys.readouterr().err
    assert not (tmp_path / "cloud").exists()
