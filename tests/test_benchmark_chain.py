"""The chain-growth benchmark builds, saves and reloads a real chain; reports per-segment cost."""

from benchmarks.chain_growth import SEGMENT, run


def test_chain_growth_benchmark_reports_build_and_reload_of_a_real_chain():
    table = run(blocks=2 * SEGMENT)
    steps = [row[0] for row in table.rows]
    assert steps == ["build (mine + validate)", "blocks 100-199", f"last {SEGMENT} blocks",
                     "save (atomic)", "reload (re-validate all)"]
    assert all(float(row[2]) > 0 for row in table.rows)
    assert "x the cost of blocks 100-199" in table.rows[2][4]
