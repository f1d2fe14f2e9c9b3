"""The fork tree layout: one block per place, stale branches off the main chain, no overlap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course.chain.fork_tree import fork_tree_layout  # noqa: E402
from course.chain.network import InvalidNetwork, simulate_network  # noqa: E402
from course.plotting import draw_fork_tree, use_course_style  # noqa: E402

SLOW_NETWORK = simulate_network([0.25] * 4, latency=200.0, block_interval=120.0, blocks=150, seed=3)


def test_every_block_in_the_window_gets_its_own_place_and_the_main_chain_lane_zero():
    placed = fork_tree_layout(SLOW_NETWORK, 10, 60)
    cells = [(p.height, p.lane) for p in placed]
    assert len(cells) == len(set(cells))
    assert {p.block.id for p in placed} == {
        b.id for b in SLOW_NETWORK.blocks if 10 <= b.height <= 60
    }
    assert all((p.lane == 0) == p.on_main_chain for p in placed)
    assert max(p.lane for p in placed) >= 2, "this run has overlapping branches: several lanes"


def test_a_stale_branch_stays_on_its_parents_lane_when_it_can():
    placed = fork_tree_layout(SLOW_NETWORK, 0, SLOW_NETWORK.blocks[-1].height)
    lane = {p.block.id: p.lane for p in placed}
    chained = [p for p in placed if not p.on_main_chain and lane[p.block.parent] > 0]
    assert chained, "the slow network has stale branches longer than one block"
    taken = {(p.height, p.lane) for p in placed}
    for p in chained:
        parent_lane = lane[p.block.parent]
        assert p.lane == parent_lane or (p.lane > parent_lane and (p.height, parent_lane) in taken)


def test_drawn_labels_do_not_overlap():
    use_course_style()
    placed = fork_tree_layout(SLOW_NETWORK, 20, 45)
    fig, ax = plt.subplots(figsize=(9, 2.6))
    draw_fork_tree(ax, placed, {p.block.id: f"m{p.block.miner}" for p in placed})
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert len(boxes) == len(placed)
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second)
    plt.close(fig)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: fork_tree_layout("run", 0, 5), "run"),
        (lambda: fork_tree_layout(SLOW_NETWORK, -1, 5), "first_height"),
        (lambda: fork_tree_layout(SLOW_NETWORK, 8, 5), "last_height"),
        (lambda: fork_tree_layout(SLOW_NETWORK, 0, 2.5), "last_height"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(call, named):
    with pytest.raises(InvalidNetwork, match=named):
        call()
