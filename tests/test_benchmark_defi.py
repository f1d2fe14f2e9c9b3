"""The DeFi Monte Carlo benchmark, at a size that runs in a moment."""

from benchmarks.defi import python_loop, run, vectorized


def test_the_benchmark_reports_both_methods_with_a_speed_up():
    table = run(paths=2_000, days=30, loop_paths=200, repeats=1)
    assert table.header == ("method", "paths x days", "seconds", "paths/s", "speed-up")
    vectorized_row, loop_row = table.rows
    assert vectorized_row[0].startswith("numpy, vectorized")
    assert loop_row[0] == "plain Python loop (200 paths, scaled)"
    assert vectorized_row[1] == loop_row[1] == "2,000 x 30"
    assert float(vectorized_row[2]) >= 0 and float(loop_row[2]) > 0
    assert int(vectorized_row[4].removesuffix("x")) >= 1 and loop_row[4] == "1x"


def test_the_numpy_and_loop_versions_agree_on_the_share_of_losing_lp_positions():
    # Different random streams, same model: the two shares agree within sampling error.
    assert abs(vectorized(4_000, 60) - python_loop(4_000, 60)) < 0.05
