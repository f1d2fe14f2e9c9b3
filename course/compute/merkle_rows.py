"""An output committed row by row: a Merkle root first, single rows opened on request.

A provider publishes the root of a Merkle tree (notebook 01's tool) over the rows of its
whole output before anyone tells it which rows will be checked. Each leaf hashes the row's
position and its exact float32 bytes, so an opened row either is what was committed at that
position, or its proof fails. The verifier draws the rows to check from the root and a
secret it reveals only after the commitment.

Taught in notebook 13 (the commit-then-challenge protocol; ``course.compute.commitments``
re-exports these names).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from course.chain.merkle import MerkleProof, merkle_levels, merkle_proofs, verify_proof
from course.compute.errors import VerificationError
from course.validation import ensure, ensure_instance, ensure_int, is_integer

MAX_SECRET = 2**63 - 1


@dataclass(frozen=True)
class Commitment:
    """What the provider publishes before any challenge: a Merkle root over its output rows."""

    root: bytes
    rows: int


@dataclass(frozen=True)
class RowOpening:
    """One challenged row: its values exactly as committed, and the proof that they were."""

    index: int
    values: tuple[float, ...]
    proof: MerkleProof


def _leaf(index: int, row: np.ndarray) -> bytes:
    """The committed form of a row: its position and its float32 bytes, hashed."""
    return hashlib.sha256(index.to_bytes(8, "big") + row.astype(np.float32).tobytes()).digest()


class CommittedOutput:
    """The provider's side: its output, the tree over its rows, and openings on request."""

    def __init__(self, output: torch.Tensor | np.ndarray) -> None:
        ensure_instance(output, "output", (torch.Tensor, np.ndarray), error=VerificationError)
        ensure(output.ndim == 2 and output.shape[0] >= 1, VerificationError, "output",
               tuple(output.shape), "a 2-d tensor with at least one row")
        if isinstance(output, torch.Tensor):
            output = output.detach().float().cpu().numpy()
        self.rows = np.asarray(output, dtype=np.float32)  # (rows, columns)
        self.leaves = [_leaf(i, row) for i, row in enumerate(self.rows)]
        self._levels = merkle_levels(self.leaves)
        self.commitment = Commitment(self._levels[-1][0], len(self.leaves))

    def open(self, index: int) -> RowOpening:
        """Row ``index`` with its Merkle proof."""
        return self.open_rows([index])[0]

    def open_rows(self, indices: list[int]) -> list[RowOpening]:
        """Rows ``indices``, each with its Merkle proof (the tree is built once for all)."""
        indices = [ensure_int(i, "index", minimum=0, maximum=len(self.leaves) - 1,
                              error=VerificationError) for i in indices]
        proofs = merkle_proofs(self.leaves, indices)
        return [RowOpening(i, tuple(float(v) for v in self.rows[i]), proof)
                for i, proof in zip(indices, proofs, strict=True)]


def commit(output: torch.Tensor | np.ndarray) -> CommittedOutput:
    """Commit to every row of ``output``; publish ``.commitment``, keep the rest to open rows."""
    return CommittedOutput(output)


def choose_rows(commitment: Commitment, count: int, verifier_secret: int) -> list[int]:
    """``count`` distinct rows, drawn from the root and a secret revealed after the commit.

    The provider cannot predict them when it commits (it does not know the secret), and the
    verifier cannot pick them to frame an honest provider after seeing the rows (the draw is
    fixed by the root and the secret, which it committed to beforehand).
    """
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    count = ensure_int(count, "count", minimum=1, maximum=commitment.rows,
                       error=VerificationError)
    ensure(is_integer(verifier_secret) and 0 <= verifier_secret <= MAX_SECRET, VerificationError,
           "verifier_secret", verifier_secret, "an integer in [0, 2**63 - 1]")
    seed = int.from_bytes(hashlib.sha256(commitment.root + int(verifier_secret).to_bytes(
        8, "big")).digest())
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.choice(commitment.rows, size=count, replace=False))


def opening_matches(commitment: Commitment, opening: RowOpening) -> bool:
    """Is this row exactly what was committed at its position? (NaN and inf rows can be.)"""
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    ensure_instance(opening, "opening", RowOpening, error=VerificationError)
    well_formed = (is_integer(opening.index) and isinstance(opening.values, tuple)
                   and all(issubclass(kind, float | int) and not issubclass(kind, bool)
                           for kind in set(map(type, opening.values)))  # each kind once
                   and isinstance(opening.proof, MerkleProof))
    if not well_formed or not 0 <= opening.index < commitment.rows:
        return False  # a malformed opening proves nothing
    leaf = _leaf(int(opening.index), np.asarray(opening.values, dtype=np.float32))
    return verify_proof(leaf, opening.proof, commitment.root)
