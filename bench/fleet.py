"""A class of 100 copies of the first tutorial on the local cloud (in a process of its own) with 50 ms
latency and ARM's throttling on, two ways, each on a fresh cloud:

- one `provision apply --fleet FILE` process (when the CLI has `--fleet`): wall time divided by
  max(critical path, (writes - write burst) / write refill), the 429s the cloud answered, the tool's
  peak memory (targets <= 1.2, 0, < 300 MB);
- 100 separate `provision apply` processes, 10 at a time (the shell loop it replaces): the same figures.

The critical path is one member's, measured as bench.apply_critical_path does (its requests x the
latency along the longest chain of steps). Writes, reads and 429s come from the cloud's request log
(kept for 20,000 calls); so does the apply phase (first write to last request), printed beside the
whole wall time, which includes process start-up and the plans' reads.
Numbers only; nothing here asserts. Run alone: python -m bench.fleet [--members 100] [--concurrency 10].
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.apply_critical_path import DEFAULT_SCENARIO, Run, critical_path
from bench.cloud import PROVISION, CloudProcess, child_environment, cloud_process
from bench.report import figure
from provisioner.azure.clients import Clients
from provisioner.azure.target import local_target
from provisioner.execution.pacing import LIMITS
from provisioner.scenario import load_scenario
from provisioner.state import StateStore

LATENCY_MS = 50.0
RATIO_TARGET = 1.2
MEMORY_TARGET_MB = 300


@dataclass
class Outcome:
    wall: float
    writes: int
    reads: int
    throttled: int
    peak_mb: float
    failed: int
    writing: float  # seconds from the first ARM write the cloud saw to its last request

    def bound(self, path: float) -> float:
        """What no client can beat: the critical path, or the writes beyond the burst at the refill rate."""
        writes = LIMITS["arm-writes"]
        return max(path, (self.writes - writes.burst) / writes.rate)


def member_critical_path(cloud: CloudProcess, state_dir: Path) -> float:
    """One member applied in this process, its critical path measured from the cloud's request log."""
    scenario = load_scenario(DEFAULT_SCENARIO, overrides={"prefix": "probe"})
    target = local_target(cloud.connection)
    try:
        with Clients(target) as clients:
            run = Run(cloud, clients, scenario, StateStore(state_dir))
            mark = run.mark()
            _, _, windows = run.apply()
            return critical_path(scenario, windows, run.requests(mark)["records"], LATENCY_MS / 1000)
    finally:
        target.close()


def _run_processes(commands: list[list[str]], concurrency: int) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of any one process, how many failed), `concurrency` at a time."""
    pending, running, peak, failed = list(commands), {}, 0.0, 0
    started = time.monotonic()
    environment = child_environment()
    while pending or running:
        while pending and len(running) < concurrency:
            command = pending.pop(0)
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
            running[process.pid] = process
        pid, status, usage = os.wait4(-1, 0)
        process = running.pop(pid, None)
        if process is None:
            continue
        peak = max(peak, usage.ru_maxrss / 1024)  # kilobytes on Linux
        if os.waitstatus_to_exitcode(status) != 0:
            failed += 1
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            print(f"  a process failed ({os.waitstatus_to_exitcode(status)}): {error.strip()[-300:]}")
        if process.stderr:
            process.stderr.close()
        process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, peak, failed


def _measure(cloud: CloudProcess, commands: list[list[str]], concurrency: int) -> Outcome:
    cloud.clear_log()
    wall, peak, failed = _run_processes(commands, concurrency)
    log = cloud.requests(0, records=False)
    return Outcome(
        wall, int(log["writes"]), int(log["reads"]), int(log["throttled_total"]), peak, failed, _writing(cloud)
    )


def _writing(cloud: CloudProcess) -> float:
    """The apply phase as the cloud saw it (plans only read): first ARM write to the last request."""
    records = cloud.requests(0)["records"]
    writes = [record["time"] for record in records if record["category"] == "writes" and record["surface"] == "arm"]
    return max(record["time"] for record in records) - min(writes) if writes else 0.0


def separate_processes(cloud: CloudProcess, work: Path, members: int, concurrency: int) -> Outcome:
    common = ["--auto-approve", "--data-dir", str(cloud.data_dir), "--state-dir", str(work / "state")]
    commands = [
        [*PROVISION, "apply", str(DEFAULT_SCENARIO), "--var", f"prefix=m{n}", "--deployment", f"m{n}", *common]
        for n in range(1, members + 1)
    ]
    return _measure(cloud, commands, concurrency)


def fleet_file(work: Path, members: int) -> Path:
    path = work / "bench.fleet.yaml"
    path.write_text(
        "fleet: bench\n"
        f"scenario: {DEFAULT_SCENARIO.resolve()}\n"
        "vars:\n"
        "  prefix: f${member.index}\n"
        f"members: {{count: {members}, name: 'm${{member.index}}'}}\n"
    )
    return path


def one_fleet_process(cloud: CloudProcess, work: Path, members: int) -> Outcome:
    command = [*PROVISION, "apply", "--fleet", str(fleet_file(work, members)), "--auto-approve"]
    command += ["--data-dir", str(cloud.data_dir), "--state-dir", str(work / "fleet-state")]
    return _measure(cloud, [command], 1)


def has_fleet() -> bool:
    found = subprocess.run([*PROVISION, "apply", "--help"], capture_output=True, text=True, check=False)
    return "--fleet" in found.stdout


def report(name: str, outcome: Outcome, path: float) -> None:
    bound = outcome.bound(path)
    print(
        f"{name}: {outcome.wall:.1f}s wall, {outcome.writes} ARM writes, {outcome.reads} reads, {outcome.failed} failed"
    )
    print(f"  bound max(critical path {path:.2f}s, (writes - burst) / refill) = {bound:.1f}s")
    print("  " + figure("wall time / bound", outcome.wall / bound, "<=", RATIO_TARGET))
    print(f"  from the first write to the last request: {outcome.writing:.1f}s (start-up and plans before)")
    print("  " + figure("apply phase / bound", outcome.writing / bound, "<=", RATIO_TARGET))
    print("  " + figure("429s", outcome.throttled, "==", 0, digits=0))
    print("  " + figure("peak memory of one process", outcome.peak_mb, "<=", MEMORY_TARGET_MB, digits=0, unit="MB"))


def on_fresh_cloud(work: Path, name: str, measure: Callable[[CloudProcess], Outcome]) -> Outcome:
    options = ("--latency-ms", f"{LATENCY_MS:g}", "--throttle")
    with cloud_process(work / name / "cloud", *options) as cloud:
        return measure(cloud)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet")
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10, help="separate processes at a time")
    args = parser.parse_args(argv)
    print(f"{args.members} members of {DEFAULT_SCENARIO.name}, {LATENCY_MS:.0f} ms latency, ARM throttling on")
    with tempfile.TemporaryDirectory(prefix="provision-bench-fleet-") as directory:
        work = Path(directory)
        with cloud_process(work / "probe", "--latency-ms", f"{LATENCY_MS:g}") as cloud:
            path = member_critical_path(cloud, work / "probe-state")
        print(f"one member's critical path: {path:.2f}s")
        if has_fleet():
            fleet = on_fresh_cloud(work, "fleet", lambda cloud: one_fleet_process(cloud, work, args.members))
            report("one `apply --fleet` process", fleet, path)
        else:
            print("one `apply --fleet` process: not measured (this build has no `provision apply --fleet`)")
        separate = on_fresh_cloud(
            work, "separate", lambda cloud: separate_processes(cloud, work, args.members, args.concurrency)
        )
        report(f"{args.members} `provision apply` processes, {args.concurrency} at a time", separate, path)


if __name__ == "__main__":
    main()
