"""The runner benchmark runs real jobs through each backend and reports its overhead."""

from benchmarks.compute import run


def test_a_small_run_reports_overhead_and_throughput_per_backend():
    table = run(jobs=60, ray=False)
    assert [row[0] for row in table.rows] == [
        "call the workload directly", "JobRunner, inline backend", "JobRunner, local backend"]
    for row in table.rows:
        assert row[1] == "60"
        assert float(row[3].replace(",", "")) > 0  # jobs/s
    assert table.rows[2][5] in ("ok", "MISSED")
