"""`make bench` (python -m bench): every benchmark in turn. Each prints its numbers; none asserts."""

from __future__ import annotations

from bench import (
    apply_critical_path,
    az_vs_apply,
    fleet,
    local_cloud_throughput,
    mysql_throughput,
    postgres_listener,
    state_writes,
    tds_throughput,
)


def main() -> None:
    print("== local cloud throughput ==")
    local_cloud_throughput.main()
    print("\n== apply vs critical path, reads and writes ==")
    apply_critical_path.main([])
    print("\n== TDS endpoint ==")
    tds_throughput.main()
    print("\n== PostgreSQL listener and servers ==")
    postgres_listener.main()
    print("\n== MySQL listener ==")
    mysql_throughput.main()
    print("\n== state writes: blob vs local ==")
    state_writes.main([])
    print("\n== first tutorial: az script vs provision apply ==")
    az_vs_apply.main([])
    print("\n== a class of 100: one fleet process vs 100 processes, ARM throttling on ==")
    fleet.main([])


if __name__ == "__main__":
    main()
