"""A network of miners, simulated event by event: natural forks, stale blocks and attacks.

Blocks are abstract (no transactions, no hashing); proof of work is modelled by what it produces.
The network finds blocks as a Poisson process (exponential waiting times, mean ``block_interval``),
each block's miner drawn by hash share. A block goes straight from its miner i to every other
node j, arriving ``latency[i][j]`` seconds later. Each node mines on its own tip and switches to
a received block only if that chain is longer (equal work per block); a tie keeps the block seen
first. Two blocks found within the propagation delay fork the chain: one of them goes stale.
One seeded numpy Generator drives everything: same seed, same blocks, same plots.
Taught in notebook 06 (natural forks, the double-spend race, the 51% attack).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from course.chain.errors import InvalidChainInput
from course.validation import ensure, ensure_int, ensure_number, ensure_numbers, is_number

NOBODY = -1  # the miner recorded for the genesis block
HONEST, ATTACKER = 0, 1  # the two nodes of the attack simulations
GIVE_UP_BEHIND = 50  # a double-spender abandons his branch this many blocks behind
FIND, ARRIVE = "find", "arrive"  # the two kinds of event
ATTACKER_SHARE = "the attacker's share of the hash power"
MAX_NODES = 1_000  # nodes in one simulation (each block crosses every link)
MAX_BLOCKS = 100_000  # blocks in one simulation: about a second per 100,000 on a laptop
MAX_CONFIRMATIONS = 1_000  # about a week of Bitcoin blocks: no merchant waits longer
MAX_TRIALS = 10_000  # double spends in one estimate (a few seconds at most)
MAX_RUNS = 1_000  # latencies in one sweep
Seed = int | np.random.Generator  # an integer seed, or a numpy Generator to draw from


class InvalidNetwork(InvalidChainInput):
    """A simulation parameter is malformed or outside the range where the model means something."""


class NoMajority(InvalidNetwork):
    """A majority attack asked of an attacker with half the hash power or less: he may never win."""


@dataclass(frozen=True, slots=True)
class SimBlock:
    """A block in the simulation: who found it, when, and on top of which block."""

    id: int  # position in the run's list of blocks, in order of discovery; genesis is 0
    parent: int | None  # None for genesis
    height: int  # number of blocks between this one and genesis
    miner: int  # index of the node that found it; NOBODY for genesis
    found_at: float  # seconds since the start of the run


GENESIS = SimBlock(id=0, parent=None, height=0, miner=NOBODY, found_at=0.0)


@dataclass(frozen=True)
class SimulationResult:
    """Every block found in a run, and the main chain an observer who saw them all would pick."""

    blocks: tuple[SimBlock, ...]
    main_chain: tuple[int, ...]  # block ids from genesis to the best tip

    @property
    def stale_rate(self) -> float:
        """Fraction of the mined blocks (genesis excluded) that ended up off the main chain."""
        mined = len(self.blocks) - 1
        return (mined - (len(self.main_chain) - 1)) / mined if mined else 0.0

    @property
    def fork_count(self) -> int:
        """How many blocks got two or more children: each is a place where the chain split."""
        children = Counter(block.parent for block in self.blocks[1:])
        return sum(1 for count in children.values() if count > 1)

    @property
    def block_times(self) -> tuple[float, ...]:
        """Seconds between consecutive main-chain blocks (the first one counted from time 0)."""
        times = [self.blocks[i].found_at for i in self.main_chain]
        return tuple(later - earlier for earlier, later in itertools.pairwise(times))

    def share_of_main_chain(self, miner: int) -> float:
        """Fraction of the main chain's blocks (genesis excluded) that node ``miner`` found."""
        ensure_int(miner, "miner", minimum=0, meaning="a node's index in hash_shares",
                   error=InvalidNetwork)
        miners = [self.blocks[i].miner for i in self.main_chain[1:]]
        return miners.count(miner) / len(miners) if miners else 0.0


# --- checking inputs -------------------------------------------------------------------------


def _check_shares(hash_shares: Sequence[float]) -> np.ndarray:
    """Return the shares as an array: one number >= 0 per node, summing to 1."""
    meaning = "each node's share of the hash power"
    shares = ensure_numbers(hash_shares, "hash_shares", minimum=0, meaning=meaning,
                            error=InvalidNetwork)
    ensure(shares.size <= MAX_NODES, InvalidNetwork, "hash_shares", hash_shares,
           f"at most {MAX_NODES:,} shares, one per node", meaning)
    ensure(math.isclose(shares.sum(), 1.0, abs_tol=1e-9), InvalidNetwork, "hash_shares",
           hash_shares, f"numbers that sum to 1 (these sum to {shares.sum():g})", meaning)
    return shares


def _check_latency(latency: float | Sequence[Sequence[float]], nodes: int) -> np.ndarray:
    """Return the (nodes, nodes) matrix of link delays, from one number or from a matrix."""
    meaning = "seconds for a block to cross a link"
    if is_number(latency):
        delay = ensure_number(latency, "latency", minimum=0, meaning=meaning, error=InvalidNetwork)
        return np.full((nodes, nodes), delay)  # the same delay on every link
    rule = f"one number >= 0, or a {nodes} x {nodes} matrix of them (a row and a column per node)"
    ensure(not isinstance(latency, float | int), InvalidNetwork, "latency", latency, rule, meaning)
    delays = ensure_numbers(latency, "latency", minimum=0, ndim=2, meaning=meaning,
                            error=InvalidNetwork)
    ensure(delays.shape == (nodes, nodes), InvalidNetwork, "latency", latency, rule, meaning)
    return delays


def _check_seed(seed: Seed) -> Seed:
    if not isinstance(seed, np.random.Generator):
        ensure_int(seed, "seed", minimum=0, meaning="the random seed, or a numpy Generator",
                   error=InvalidNetwork)
    return seed


def _make_rng(seed: Seed) -> np.random.Generator:
    seed = _check_seed(seed)
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_blocks(blocks: int) -> int:
    return ensure_int(blocks, "blocks", minimum=1, maximum=MAX_BLOCKS, meaning="blocks to mine",
                      error=InvalidNetwork)


def _check_block_interval(block_interval: float) -> float:
    return ensure_number(block_interval, "block_interval", above=0,
                         meaning="mean seconds between blocks", error=InvalidNetwork)


# --- the engine ------------------------------------------------------------------------------


def _block_finds(
    rng: np.random.Generator, shares: Sequence[float] | np.ndarray, block_interval: float,
    batch: int,
) -> Iterator[tuple[float, int]]:
    """The network's Poisson process: (time, miner) of every block found, drawn in batches."""
    now = 0.0
    while True:
        gaps = rng.exponential(block_interval, size=batch)  # (batch,) seconds between blocks
        miners = rng.choice(len(shares), size=batch, p=shares)  # (batch,) who found each block
        for gap, miner in zip(gaps.tolist(), miners.tolist(), strict=True):
            now += gap
            yield now, miner


class _Network:
    """One run's moving parts: the blocks found so far, each node's tip, the pending events.

    Events wait in a heap as (time, sequence number, kind, node, block id): a node finding a
    block, or a block arriving at a node. The sequence number keeps events at equal times in
    the order they were scheduled, so a run depends on nothing but its seed.
    """

    def __init__(self, latency: np.ndarray, finds: Iterator[tuple[float, int]],
                 private: int | None = None) -> None:
        self.latency = latency.tolist()  # latency[i][j]: seconds for i's blocks to reach j
        self.finds = finds
        self.private = private  # a node that withholds its blocks and ignores everyone else's
        self.blocks = [GENESIS]
        self.tips = [GENESIS.id] * len(self.latency)
        self.now = 0.0
        self.queue: list[tuple[float, int, str, int, int]] = []
        self.sequence = itertools.count()
        self._schedule(*next(finds))  # the first block found

    def _schedule(self, time: float, node: int, kind: str = FIND, block_id: int = -1) -> None:
        heapq.heappush(self.queue, (time, next(self.sequence), kind, node, block_id))

    def height(self, node: int) -> int:
        return self.blocks[self.tips[node]].height

    def next_block(self) -> SimBlock:
        """Handle events in time order up to the next block found; return that block."""
        while True:
            self.now, _, kind, node, block_id = heapq.heappop(self.queue)
            if kind == ARRIVE:
                self._receive(node, block_id)
            else:
                self._schedule(*next(self.finds))  # the Poisson process goes on
                return self.mine(node)

    def mine(self, miner: int) -> SimBlock:
        """``miner`` finds a block on its own tip now and, unless it is private, announces it."""
        parent = self.blocks[self.tips[miner]]
        block = SimBlock(len(self.blocks), parent.id, parent.height + 1, miner, self.now)
        self.blocks.append(block)
        self.tips[miner] = block.id
        if miner != self.private:
            self._announce(block.id, miner)
        return block

    def publish(self, sender: int) -> None:
        """``sender`` reveals its tip; what arrives at once (zero-delay links) is handled now."""
        self._announce(self.tips[sender], sender)
        while self.queue and self.queue[0][0] <= self.now and self.queue[0][2] == ARRIVE:
            _, _, _, node, block_id = heapq.heappop(self.queue)
            self._receive(node, block_id)

    def _announce(self, block_id: int, sender: int) -> None:
        for node, delay in enumerate(self.latency[sender]):
            if node != sender and node != self.private:
                self._schedule(self.now + delay, node, ARRIVE, block_id)

    def _receive(self, node: int, block_id: int) -> None:
        """Longest chain wins; on a tie the node keeps the block it saw first."""
        if self.blocks[block_id].height > self.height(node):
            self.tips[node] = block_id


def _main_chain(blocks: Sequence[SimBlock]) -> tuple[int, ...]:
    """Ids from genesis to the highest block (the earliest found among equals), by height."""
    best = max(blocks, key=lambda block: (block.height, -block.found_at, -block.id))
    chain = [best.id]
    while (parent := blocks[chain[-1]].parent) is not None:
        chain.append(parent)
    return tuple(reversed(chain))


# --- natural forks ---------------------------------------------------------------------------


def simulate_network(
    hash_shares: Sequence[float], latency: float | Sequence[Sequence[float]],
    block_interval: float, blocks: int, seed: Seed,
) -> SimulationResult:
    """Mine ``blocks`` blocks on a network of ``len(hash_shares)`` nodes and return them all.

    Args:
        hash_shares: each node's share of the hash power, summing to 1.
        latency: seconds for a block to cross a link: one number for every link, or a matrix
            whose ``[i][j]`` is the delay from node i to node j (the diagonal is not used).
        block_interval: mean seconds between blocks found by the whole network.
        blocks: how many blocks to mine before stopping.
        seed: an integer seed, or a numpy Generator to draw from.

    Raises:
        InvalidNetwork: naming the parameter that is malformed or out of range.
    """
    shares = _check_shares(hash_shares)
    delays = _check_latency(latency, len(shares))
    block_interval = _check_block_interval(block_interval)
    blocks = _check_blocks(blocks)
    finds = _block_finds(_make_rng(seed), shares, block_interval, batch=blocks + 1)
    network = _Network(delays, finds)
    for _ in range(blocks):
        network.next_block()
    return SimulationResult(tuple(network.blocks), _main_chain(network.blocks))


def stale_rate_sweep(
    latencies: Sequence[float], block_interval: float, nodes: int, blocks: int, seed: int
) -> list[tuple[float, float]]:
    """(latency / block_interval, stale rate) for each latency, on ``nodes`` equal miners.

    Every run uses the same seed, so the same blocks are found at the same moments by the same
    miners and only the delay changes: the curve is smooth without huge runs.

    Raises:
        InvalidNetwork: naming the parameter that is malformed or out of range.
    """
    meaning = "seconds per link, one run each"
    values = ensure_numbers(latencies, "latencies", minimum=0, meaning=meaning,
                            error=InvalidNetwork)
    ensure(values.size <= MAX_RUNS, InvalidNetwork, "latencies", latencies,
           f"at most {MAX_RUNS:,} numbers", meaning)
    block_interval = _check_block_interval(block_interval)
    nodes = ensure_int(nodes, "nodes", minimum=1, maximum=MAX_NODES,
                       meaning="miners with equal hash shares", error=InvalidNetwork)
    _check_blocks(blocks)
    ensure_int(seed, "seed", minimum=0, meaning="the random seed", error=InvalidNetwork)
    sweep = []
    for latency in values.tolist():
        run = simulate_network([1 / nodes] * nodes, latency, block_interval, blocks, seed)
        sweep.append((latency / block_interval, run.stale_rate))
    return sweep


# --- attacks: a private branch against the honest network ------------------------------------


def _attack_network(q: float, rng: np.random.Generator) -> _Network:
    """Two nodes with no delay between them: the honest network (1 - q) and a private attacker."""
    finds = _block_finds(rng, (1.0 - q, q), block_interval=1.0, batch=256)
    return _Network(np.zeros((2, 2)), finds, private=ATTACKER)


def _double_spend_succeeds(q: float, z: int, rng: np.random.Generator) -> bool:
    network = _attack_network(q, rng)
    network.mine(ATTACKER)  # pre-mined: his conflicting payment, on the block before the merchant's
    while network.height(HONEST) - network.height(ATTACKER) < GIVE_UP_BEHIND:
        if network.height(HONEST) >= z and network.height(ATTACKER) > network.height(HONEST):
            network.publish(ATTACKER)
            return network.tips[HONEST] == network.tips[ATTACKER]  # the honest node switched
        network.next_block()
    return False


def double_spend_on_network(q: float, z: int, trials: int, seed: Seed) -> float:
    """Fraction of ``trials`` double spends that succeed, played out on the simulator.

    The attacker (share ``q``) pre-mines, on the block before the merchant's, a block with his
    conflicting payment, then pays the merchant. The honest network (1 - q, no delay) mines the
    payment and goes on in public; the attacker mines in private. Once the payment has ``z``
    confirmations he publishes as soon as his branch is longer; he gives up ``GIVE_UP_BEHIND``
    blocks behind. This is the exact race of Rosenfeld (2014), a little riskier than the
    whitepaper's Poisson approximation, which treats the honest block times as fixed.

    Raises:
        InvalidNetwork: for ``q`` outside [0, 0.5] (with more he always wins eventually: see
            ``majority_attack``), ``z`` outside 0..1000, ``trials`` outside 1..10,000 or a bad
            ``seed``.
    """
    ensure_number(q, "q", minimum=0, maximum=0.5, error=InvalidNetwork,
                  meaning=f"{ATTACKER_SHARE}; above half he always wins, see majority_attack")
    z = ensure_int(z, "z", minimum=0, maximum=MAX_CONFIRMATIONS,
                   meaning="confirmations the merchant waits for", error=InvalidNetwork)
    trials = ensure_int(trials, "trials", minimum=1, maximum=MAX_TRIALS,
                        meaning="double spends to simulate", error=InvalidNetwork)
    rng = _make_rng(seed)
    return sum(_double_spend_succeeds(q, z, rng) for _ in range(trials)) / trials


def majority_attack(q: float, blocks_behind: int, seed: Seed) -> int:
    """The 51% attack: how many blocks an attacker with ``q`` > 0.5 mines to overtake from behind.

    He forks off in private with the public chain ``blocks_behind`` blocks ahead, mines until
    his branch is longer, then publishes it and the honest node reorganises onto it: with a
    majority this always happens, after (blocks_behind + 1) q / (2 q - 1) of his blocks on average.

    Raises:
        NoMajority: for ``q`` <= 0.5: without a majority he may never catch up, so we refuse
            rather than loop forever or return None.
        InvalidNetwork: for ``q`` outside [0, 1] or so close to 0.5 that the race would take
            over 100,000 blocks on average, ``blocks_behind`` outside 0..1000, or a bad ``seed``.
    """
    q = ensure_number(q, "q", minimum=0, maximum=1, meaning=ATTACKER_SHARE, error=InvalidNetwork)
    ensure(q > 0.5, NoMajority, "q", q, "> 0.5 for a majority attack: with half the hash power "
           "or less he may never overtake", ATTACKER_SHARE)
    blocks_behind = ensure_int(blocks_behind, "blocks_behind", minimum=0, maximum=MAX_CONFIRMATIONS,
                               meaning="blocks the public chain is ahead", error=InvalidNetwork)
    expected = (blocks_behind + 1) * q / (2 * q - 1)  # his blocks to overtake, on average
    ensure(expected <= MAX_BLOCKS, InvalidNetwork, "q", q,
           f"far enough above 0.5 to overtake within {MAX_BLOCKS:,} blocks on average (from "
           f"{blocks_behind} behind he would need about {expected:,.0f})", ATTACKER_SHARE)
    _check_seed(seed)
    network = _attack_network(q, _make_rng(seed))
    for _ in range(blocks_behind):
        network.mine(HONEST)  # the public chain's head start
    while network.height(ATTACKER) <= network.height(HONEST):
        network.next_block()
    network.publish(ATTACKER)
    return network.height(ATTACKER)
