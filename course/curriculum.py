"""The curriculum: one list that the CLI, the README table and notebook 00 are all made from."""

from __future__ import annotations

from dataclasses import dataclass

from course.display import Table
from course.paths import NOTEBOOKS_DIR


@dataclass(frozen=True)
class Lesson:
    """One notebook of the course."""

    number: int
    slug: str  # file name without the number and extension
    title: str
    minutes: int  # time estimate for a self-paced learner
    part: str
    outcome: str  # "afterwards the learner can ..."

    @property
    def filename(self) -> str:
        return f"{self.number:02d}_{self.slug}.ipynb"

    @property
    def available(self) -> bool:
        """True once the notebook exists in ``notebooks/``."""
        return (NOTEBOOKS_DIR / self.filename).is_file()


START = "Start"
FOUNDATIONS = "I. Blockchain foundations"
CONTRACTS = "II. Smart contracts"
DEFI = "III. DeFi"
COMPUTE = "IV. Decentralized compute"
CAPSTONE = "Capstone"

LESSONS: tuple[Lesson, ...] = (
    Lesson(0, "start_here", "Start here", 20, START,
           "run the course, use checks and hints, pick a learning path, read `course doctor`"),
    Lesson(1, "hashing_and_merkle_trees", "Hashing and Merkle trees", 45, FOUNDATIONS,
           "explain hash properties, build and verify Merkle proofs"),
    Lesson(2, "keys_signatures_wallets", "Keys, signatures and wallets", 50, FOUNDATIONS,
           "make keys and EIP-55 addresses, sign and recover, Sign-In with Ethereum, stay safe"),
    Lesson(3, "build_a_blockchain", "Build a blockchain", 60, FOUNDATIONS,
           "build, mine and validate a chain; verify the real Bitcoin genesis block"),
    Lesson(4, "consensus_and_attacks", "Consensus and attacks", 60, FOUNDATIONS,
           "reproduce the whitepaper's double-spend table, simulate selfish mining, PoW vs PoS"),
    Lesson(5, "smart_contracts_with_web3", "Smart contracts with web3.py", 50, CONTRACTS,
           "deploy and use contracts on an in-memory EVM or a real node; read events and gas"),
    Lesson(6, "contract_security", "Contract security", 60, CONTRACTS,
           "exploit and fix reentrancy, access control, tx.origin phishing and front-running"),
    Lesson(7, "tokens_nfts_tokenomics", "Tokens, NFTs and tokenomics", 50, CONTRACTS,
           "mint an ERC-721, model supply and vesting, see whales bend a token vote"),
    Lesson(8, "defi_amms_and_lending", "DeFi: AMMs and lending", 60, DEFI,
           "swap on a Uniswap-V2-exact AMM, measure impermanent loss, liquidate a loan"),
    Lesson(9, "defi_risk_lab", "DeFi risk lab", 60, DEFI,
           "run Monte Carlo risk (VaR, CVaR), test indicators honestly, price MEV and depegs"),
    Lesson(10, "gpu_compute_basics", "GPU compute basics", 40, COMPUTE,
           "measure CPU vs GPU throughput with torch, count FLOPs, make runs deterministic"),
    Lesson(11, "depin_compute_marketplace", "A DePIN compute marketplace", 60, COMPUTE,
           "run a GPU job market with escrow, verification, slashing and dropouts"),
    Lesson(12, "scaling_out_with_ray", "Scaling out with Ray", 45, COMPUTE,
           "run the same market on Ray; lose a worker and lose no job"),
    Lesson(13, "depin_tokenomics", "DePIN tokenomics", 40, COMPUTE,
           "model burn-and-mint equilibrium, provider income and demand scenarios"),
    Lesson(14, "capstone_depin_marketplace", "Capstone: a DePIN marketplace end to end", 120,
           CAPSTONE,
           "wire an on-chain escrow to the job runner end to end, then extend it"),
)


def lesson(number: int) -> Lesson:
    """Return the lesson with this number (0-14)."""
    for entry in LESSONS:
        if entry.number == number:
            return entry
    raise KeyError(f"no lesson number {number!r}: the course has lessons 0-{len(LESSONS) - 1}")


def total_minutes() -> int:
    return sum(entry.minutes for entry in LESSONS)


def course_map() -> Table:
    """The whole course as a table: number, title, part, time and what you can do afterwards."""
    rows = [
        (f"{e.number:02d}", e.title, e.part, f"{e.minutes} min", e.outcome) for e in LESSONS
    ]
    return Table(("#", "notebook", "part", "time", "afterwards you can"), rows)


def readme_table() -> str:
    """The curriculum table of README.md, with each notebook's status (a test keeps them equal)."""
    lines = [
        "| # | notebook | time | afterwards you can | status |",
        "|---|---|---|---|---|",
    ]
    for e in LESSONS:
        if e.available:
            name = f"[{e.title}](notebooks/{e.filename})"
            status = "ready"
        else:
            name, status = e.title, "planned"
        lines.append(f"| {e.number:02d} | {name} | {e.minutes} min | {e.outcome} | {status} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class PathStep:
    """One block of time in a learning path."""

    when: str
    lessons: tuple[int, ...]
    what: str


@dataclass(frozen=True)
class LearningPath:
    name: str
    audience: str
    steps: tuple[PathStep, ...]

    def table(self) -> Table:
        rows = [
            (s.when, ", ".join(f"{n:02d}" for n in s.lessons) or "-", s.what) for s in self.steps
        ]
        return Table(("when", "notebooks", "what"), rows, title=f"{self.name}: {self.audience}")


LEARNING_PATHS: tuple[LearningPath, ...] = (
    LearningPath(
        "Self-paced",
        "on your own laptop, about 14 hours in all",
        (
            PathStep("week 1", (0, 1, 2), "hashes, Merkle proofs, keys and signatures"),
            PathStep("week 2", (3, 4), "build a chain, then attack it"),
            PathStep("week 3", (5, 6, 7), "contracts on a real EVM, exploits and fixes, tokens"),
            PathStep("week 4", (8, 9), "AMMs, lending and the risk lab"),
            PathStep("week 5", (10, 11, 12, 13), "GPU jobs, the compute market, Ray, tokenomics"),
            PathStep("week 6", (14,), "the capstone"),
        ),
    ),
    LearningPath(
        "3-hour workshop",
        "an instructor, 20 laptops, one afternoon",
        (
            PathStep("0:00-0:15", (0,), "everyone runs `course doctor`; the first check passes"),
            PathStep("0:15-0:50", (1,), "avalanche effect and a Merkle proof"),
            PathStep("0:50-1:40", (3,), "mine a block, break every rule, verify Bitcoin's genesis"),
            PathStep("1:40-1:50", (), "break"),
            PathStep("1:50-2:30", (5,), "deploy a token on the in-memory EVM"),
            PathStep("2:30-3:00", (11,), "run the GPU job market and catch the cheater"),
        ),
    ),
    LearningPath(
        "5-day bootcamp",
        "full days with exercises and a capstone",
        (
            PathStep("day 1", (0, 1, 2), "cryptography you can run; every exercise checked"),
            PathStep("day 2", (3, 4), "a chain of your own; forks, double spends, selfish mining"),
            PathStep("day 3", (5, 6, 7), "Solidity and web3.py; the security labs"),
            PathStep("day 4", (8, 9, 10), "DeFi mechanics and risk; GPUs and FLOPs"),
            PathStep("day 5", (11, 12, 13, 14), "compute market, Ray, tokenomics, capstone demo"),
        ),
    ),
)


@dataclass(frozen=True)
class Role:
    """A job a learner might aim for, and the notebooks that train its core skills."""

    name: str
    skills: str
    lessons: tuple[int, ...]


ROLES: tuple[Role, ...] = (
    Role("Smart-contract developer", "Solidity, web3.py, token standards, gas", (2, 5, 7, 14)),
    Role("Security auditor", "validation rules, attacks, exploits and their fixes", (3, 4, 6, 8)),
    Role("DeFi analyst", "AMM math, liquidations, Monte Carlo risk, MEV", (7, 8, 9)),
    Role("DePIN infrastructure engineer", "GPU workloads, verification, Ray, incentives",
         (10, 11, 12, 13, 14)),
)


def skills_map() -> Table:
    """Roles, their core skills and the notebooks that train them."""
    rows = [(r.name, r.skills, ", ".join(f"{n:02d}" for n in r.lessons)) for r in ROLES]
    return Table(("role", "core skills", "notebooks"), rows)
