"""The deployment lock: held, waited for, and taken over when its holder is dead."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from provisioner.errors import LockHeldError
from provisioner.state import StateStore

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from provisioner.state import StateStore
    lock = StateStore(Path(sys.argv[1])).lock("demo", command="apply")
    lock.acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_a_second_holder_fails_fast_naming_the_first(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with store.lock("demo", command="apply"), pytest.raises(LockHeldError) as failure:
        store.lock("demo", command="destroy").acquire()
    message = str(failure.value)
    assert f"pid {os.getpid()}" in message and "(apply)" in message and "--lock-timeout" in message
    assert not (tmp_path / "demo.lock").exists()  # released


def test_other_deployments_are_not_blocked(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with store.lock("one", command="apply"), store.lock("two", command="apply"):
        pass


def test_lock_timeout_waits_for_the_holder(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    first = store.lock("demo", command="apply")
    first.acquire()
    timer = threading.Timer(0.3, first.release)
    timer.start()
    with store.lock("demo", command="apply", timeout=10) as second:
        assert second.took_over is None
    timer.join()


def test_a_lock_of_a_live_process_holds_and_of_a_killed_one_is_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        store = StateStore(tmp_path)
        with pytest.raises(LockHeldError, match=f"pid {holder.pid} "):
            store.lock("demo", command="apply").acquire()
        os.kill(holder.pid, signal.SIGKILL)  # leaves its lock file behind
        holder.wait(10)
        assert (tmp_path / "demo.lock").exists()
        with store.lock("demo", command="apply") as lock:
            assert lock.took_over is not None and lock.took_over.pid == holder.pid
            assert json.loads((tmp_path / "demo.lock").read_text())["pid"] == os.getpid()
    finally:
        holder.kill()
        holder.wait(10)


def test_a_stale_lock_file_of_a_dead_pid_is_taken_over(tmp_path: Path) -> None:
    record = {"pid": 999_999_9, "host": "elsewhere", "command": "apply", "started": "2020-01-01T00:00:00+00:00"}
    (tmp_path / "demo.lock").write_text(json.dumps(record))
    with StateStore(tmp_path).lock("demo", command="apply") as lock:
        assert lock.took_over is not None
        assert "pid 9999999 on elsewhere (apply)" in lock.took_over.describe()
