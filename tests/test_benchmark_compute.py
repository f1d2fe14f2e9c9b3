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


def test_the_gpu_jobs_benchmark_compares_runner_jobs_with_the_bare_matmul():
    from benchmarks.gpu_jobs import run as run_gpu_jobs

    table = run_gpu_jobs(size=64, jobs=4, device="cpu")
    assert [row[0].split(",")[0] for row in table.rows] == [
        "measure_matmul", "one job's work + commitment", "JobRunner", "JobRunner"]
    assert all(float(row[2]) > 0 for row in table.rows)
    assert table.rows[0][3] == "100%" and table.rows[-1][4] == ""  # the aim is for a GPU
