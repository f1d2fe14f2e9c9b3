"""A simulated block tree laid out for drawing: the main chain on one line, each stale branch
on a lane of its own, so that no two blocks (and no two labels) share a place.

Height is the x coordinate, the lane the y coordinate: lane 0 holds the main chain, lanes 1, 2,
... the abandoned branches, each block as close to the main chain as the blocks already placed
allow. A branch keeps its parent's lane while it can, so it reads as one line.
Taught in notebook 06 (natural forks drawn as a tree).
"""

from __future__ import annotations

from dataclasses import dataclass

from course.chain.network import InvalidNetwork, SimBlock, SimulationResult
from course.validation import ensure, ensure_instance, ensure_int

MAIN_LANE = 0


@dataclass(frozen=True)
class PlacedBlock:
    """A block and where to draw it: x = its height, y = its lane (0 = the main chain)."""

    block: SimBlock
    lane: int
    on_main_chain: bool

    @property
    def height(self) -> int:
        return self.block.height


def fork_tree_layout(
    run: SimulationResult, first_height: int, last_height: int
) -> list[PlacedBlock]:
    """Place every block of ``run`` with a height in ``first_height..last_height``.

    Main-chain blocks go on lane 0; a stale block goes on its parent's lane if that is free at
    its height (else the next free lane up), or on the lowest free lane from 1 when its parent
    is on the main chain. Every (height, lane) holds at most one block.

    Raises:
        InvalidNetwork: if ``run`` is not a SimulationResult or the heights are not a range
            0 <= first_height <= last_height.
    """
    ensure_instance(run, "run", SimulationResult, error=InvalidNetwork)
    first = ensure_int(
        first_height,
        "first_height",
        minimum=0,
        error=InvalidNetwork,
        meaning="the lowest height to draw",
    )
    last = ensure_int(
        last_height,
        "last_height",
        minimum=0,
        error=InvalidNetwork,
        meaning="the highest height to draw",
    )
    ensure(
        first <= last,
        InvalidNetwork,
        "last_height",
        last,
        f">= first_height ({first})",
        "the highest height to draw",
    )
    on_main = set(run.main_chain)
    lane_of: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()
    placed: list[PlacedBlock] = []
    window = [b for b in run.blocks if first <= b.height <= last]
    for block in sorted(window, key=lambda b: (b.id not in on_main, b.id)):  # main chain first
        if block.id in on_main:
            lane = MAIN_LANE
        else:
            lane = max(lane_of.get(block.parent, MAIN_LANE), 1) if block.parent is not None else 1
            while (block.height, lane) in taken:
                lane += 1
        lane_of[block.id] = lane
        taken.add((block.height, lane))
        placed.append(PlacedBlock(block, lane, block.id in on_main))
    return sorted(placed, key=lambda p: p.block.id)
