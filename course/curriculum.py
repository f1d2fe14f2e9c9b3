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
    needs: tuple[int, ...] = ()  # lessons to do first: the notebook's **Prerequisites** line
    helps: tuple[int, ...] = ()  # lessons the Prerequisites line calls helpful, not required
    key_ideas: str = ""  # what later notebooks build on, in one line

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
    Lesson(0, "start_here", "Start here", 30, START,
           "run the course, use checks and hints, pick a learning path, read `course doctor`",
           key_ideas="checks and hints; `course doctor` says the machine is ready"),
    Lesson(1, "hashing_and_merkle_trees", "Hashing and Merkle trees", 70, FOUNDATIONS,
           "explain hash properties, build and verify Merkle proofs",
           needs=(0,),
           key_ideas="SHA-256 and Keccak-256, Merkle roots and proofs: inside every address and "
                     "block"),
    Lesson(2, "keys_and_signatures", "Keys and signatures", 70, FOUNDATIONS,
           "turn a key into an address, add curve points and sign with ECDSA by hand, recover a "
           "signer, recover a key from a reused nonce",
           needs=(1,),
           key_ideas="keys, addresses, ECDSA signatures: who may spend"),
    Lesson(3, "messages_logins_and_wallets", "Messages, logins and wallets", 50, FOUNDATIONS,
           "check EIP-55 addresses, sign messages, log in with Ethereum, back up a wallet in "
           "twelve words, spot a phishing signature request",
           needs=(2,),
           key_ideas="EIP-55, EIP-191 messages, Sign-In with Ethereum, BIP-39 words, safe keys"),
    Lesson(4, "build_a_blockchain", "Build a blockchain", 60, FOUNDATIONS,
           "build, mine and validate a chain; verify the real Bitcoin genesis block",
           needs=(1, 2),
           key_ideas="transactions, blocks, proof of work, validation, fork choice"),
    Lesson(5, "transactions_by_hand", "Transactions by hand", 50, FOUNDATIONS,
           "validate and build a UTXO spend with change, write a node's transaction rules, encode "
           "and sign an EIP-1559 transaction byte by byte and send it to an EVM and to anvil",
           needs=(2, 4),
           key_ideas="UTXOs vs accounts, signing hashes, a node's transaction rules, RLP and "
                     "EIP-1559 bytes"),
    Lesson(6, "consensus_and_attacks", "Consensus and attacks", 75, FOUNDATIONS,
           "reproduce the whitepaper's double-spend table, write selfish mining as a state "
           "machine, PoW vs PoS",
           needs=(4,),
           key_ideas="forks, double spends, selfish mining, proof of stake and slashing"),
    Lesson(7, "smart_contracts_with_web3", "Smart contracts with web3.py", 75, CONTRACTS,
           "deploy and use contracts on an in-memory EVM or a real node; read events and gas",
           needs=(2, 4),
           key_ideas="deploying and calling contracts, gas, events, reverts"),
    Lesson(8, "contract_security", "Contract security", 100, CONTRACTS,
           "find and exploit reentrancy, access control, tx.origin, front-running, delegatecall "
           "and signature replay; write the attacker and the fix",
           needs=(7,),
           key_ideas="reentrancy and checks-effects-interactions, access control, storage layout, "
                     "signature replay and EIP-712"),
    Lesson(9, "tokens_nfts_tokenomics", "Tokens, NFTs and tokenomics", 75, CONTRACTS,
           "mint an ERC-721, model supply and vesting, see whales bend a token vote",
           needs=(4, 7),
           key_ideas="supply, emission, vesting, real yield"),
    Lesson(10, "defi_amms_and_lending", "DeFi: AMMs and lending", 95, DEFI,
           "swap on a Uniswap-V2-exact AMM, measure impermanent loss, liquidate a loan, drain a "
           "spot-price lender with a flash loan and read the TWAP that stops it",
           needs=(7,), helps=(9,),
           key_ideas="AMM swaps, impermanent loss, health factor, liquidation"),
    Lesson(11, "defi_risk_lab", "DeFi risk lab", 90, DEFI,
           "run Monte Carlo risk (VaR, CVaR), test indicators honestly, price MEV and depegs",
           needs=(10,),
           key_ideas="Monte Carlo risk, VaR and CVaR, MEV, due diligence"),
    Lesson(12, "gpu_compute_basics", "GPU compute basics", 70, COMPUTE,
           "measure CPU vs GPU throughput with torch, write a benchmark harness, count FLOPs, make "
           "runs deterministic",
           needs=(0,),
           key_ideas="FLOPs, throughput, the roofline, float tolerance, precision (TF32)"),
    Lesson(13, "depin_compute_marketplace", "A DePIN compute marketplace", 105, COMPUTE,
           "run a GPU job market with escrow, verification, slashing and dropouts; write a "
           "provider's bidding strategy",
           needs=(12,), helps=(6,),
           key_ideas="jobs, bids, escrow, commit-and-challenge verification, collusion, "
                     "Sybils, reputation"),
    Lesson(14, "scaling_out_with_ray", "Scaling out with Ray", 70, COMPUTE,
           "run the same market on Ray; write a job driver that loses no job when a worker dies",
           needs=(12, 13),
           key_ideas="Ray tasks and actors; a worker dies and no job is lost; when scaling out "
                     "pays"),
    Lesson(15, "depin_tokenomics", "DePIN tokenomics", 60, COMPUTE,
           "model burn-and-mint equilibrium, provider income and demand scenarios; write a mint "
           "policy that keeps a price band",
           needs=(9,), helps=(13,),
           key_ideas="burn-and-mint equilibrium, provider income"),
    Lesson(16, "capstone_depin_marketplace", "Capstone: a DePIN marketplace end to end", 135,
           CAPSTONE,
           "wire an on-chain escrow to the job runner end to end, write a job's payment with a "
           "dispute window in Solidity, then extend it",
           needs=(7, 8, 13), helps=(15,),
           key_ideas="the whole system: on-chain escrow settling real jobs"),
)


def lesson(number: int) -> Lesson:
    """Return the lesson with this number (0 to the last, in ``LESSONS``)."""
    for entry in LESSONS:
        if entry.number == number:
            return entry
    raise KeyError(f"no lesson number {number!r}: the course has lessons 0-{len(LESSONS) - 1}")


def total_minutes() -> int:
    return sum(entry.minutes for entry in LESSONS)


def unlocks(number: int) -> tuple[int, ...]:
    """The lessons that need lesson ``number`` (its **Prerequisites** name it as required)."""
    return tuple(entry.number for entry in LESSONS if number in entry.needs)


def helped(number: int) -> tuple[int, ...]:
    """The lessons whose **Prerequisites** call lesson ``number`` helpful."""
    return tuple(entry.number for entry in LESSONS if number in entry.helps)


def shortest_path(core: tuple[int, ...]) -> tuple[int, ...]:
    """``core`` plus every lesson it needs, directly or through others, in learning order."""
    path: set[int] = set()
    todo = list(core)
    while todo:
        number = todo.pop()
        if number not in path:
            path.add(number)
            todo += lesson(number).needs
    return tuple(sorted(path))


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
        f"on your own laptop, about {round(total_minutes() / 60)} hours in all",
        (
            PathStep("week 1", (0, 1, 2, 3), "hashes, Merkle proofs, keys, signatures and wallets"),
            PathStep("week 2", (4, 5, 6), "build a chain, write its transactions, then attack it"),
            PathStep("week 3", (7, 8, 9), "contracts on a real EVM, exploits and fixes, tokens"),
            PathStep("week 4", (10, 11), "AMMs, lending and the risk lab"),
            PathStep("week 5", (12, 13, 14, 15), "GPU jobs, the compute market, Ray, tokenomics"),
            PathStep("week 6", (16,), "the capstone"),
        ),
    ),
    LearningPath(
        "3-hour workshop",
        "an instructor, 20 laptops, one afternoon",
        (
            PathStep("0:00-0:15", (0,), "everyone runs `course doctor`; the first check passes"),
            PathStep("0:15-0:50", (1,), "avalanche effect and a Merkle proof"),
            PathStep("0:50-1:40", (4,), "mine a block, break every rule, verify Bitcoin's genesis"),
            PathStep("1:40-1:50", (), "break"),
            PathStep("1:50-2:30", (7,), "deploy a token on the in-memory EVM"),
            PathStep("2:30-3:00", (13,), "run the GPU job market and catch the cheater"),
        ),
    ),
    LearningPath(
        "5-day bootcamp",
        "full days with exercises and a capstone",
        (
            PathStep("day 1", (0, 1, 2, 3), "cryptography you can run; every exercise checked"),
            PathStep("day 2", (4, 5, 6), "a chain of your own, transactions from bytes; forks, "
                     "double spends, selfish mining"),
            PathStep("day 3", (7, 8, 9), "Solidity and web3.py; the security labs"),
            PathStep("day 4", (10, 11, 12), "DeFi mechanics and risk; GPUs and FLOPs"),
            PathStep("day 5", (13, 14, 15, 16), "compute market, Ray, tokenomics, capstone demo"),
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
    Role("Smart-contract developer", "Solidity, web3.py, token standards, gas",
         (2, 3, 5, 7, 9, 16)),
    Role("Security auditor", "validation rules, attacks, exploits and their fixes",
         (4, 5, 6, 8, 10)),
    Role("DeFi analyst", "AMM math, liquidations, Monte Carlo risk, MEV", (9, 10, 11)),
    Role("DePIN infrastructure engineer", "GPU workloads, verification, Ray, incentives",
         (12, 13, 14, 15, 16)),
)


def skills_map() -> Table:
    """Roles, their core skills and the notebooks that train them."""
    rows = [(r.name, r.skills, ", ".join(f"{n:02d}" for n in r.lessons)) for r in ROLES]
    return Table(("role", "core skills", "notebooks"), rows)
