"""Everything course.compute refuses, in one family under ``course.errors.ComputeError``.

Taught in notebooks 12-16 (each error is raised where its notebook's idea lives).

    ComputeError
    ├── DeviceError        (ValueError) a device torch cannot use here        notebook 12
    ├── MeasurementError   (ValueError) a timing or roofline input is wrong    notebook 12
    ├── WorkloadError      (ValueError) an unknown workload or a bad parameter notebooks 12-13
    ├── JobSpecError       (ValueError) a job spec breaks a rule               notebook 13
    ├── ProviderError      (ValueError) a provider's description breaks a rule notebook 13
    ├── NoProviderError    (ValueError) too few providers may take a job       notebook 13
    ├── LedgerError        (ValueError) a ledger operation breaks a rule       notebook 13
    │   ├── InsufficientCredits         an account or escrow holds too little
    │   └── AlreadySettled              the escrow is closed, or paid already
    ├── VerificationError  (ValueError) a bad input to a check or a reputation notebook 13
    ├── RunnerError        (ValueError) a runner or backend set up wrongly      notebooks 13-14
    ├── BurnMintError      (ValueError) a bad tokenomics input                 notebook 15
    └── OnChainError       (ValueError) input the on-chain bridge cannot settle notebook 16

Each is also a ``ValueError`` (a wrong value was passed in), so ``except ValueError`` works.
"""

from __future__ import annotations

from course.errors import ComputeError


class DeviceError(ComputeError, ValueError):
    """A device torch cannot use on this machine (e.g. ``"cuda"`` without a GPU)."""


class MeasurementError(ComputeError, ValueError):
    """A FLOP count, a timing or a roofline input that breaks its rule."""


class WorkloadError(ComputeError, ValueError):
    """An unknown workload, or a workload parameter that breaks its rule."""


class JobSpecError(ComputeError, ValueError):
    """A job spec breaks a rule; the message names the field."""


class ProviderError(ComputeError, ValueError):
    """A provider's description breaks a rule; the message names the field."""


class NoProviderError(ComputeError, ValueError):
    """Not enough providers may take a job; the message gives each provider's reason."""


class LedgerError(ComputeError, ValueError):
    """A ledger operation breaks a rule; nothing was changed."""


class InsufficientCredits(LedgerError):
    """An account, stake or escrow holds fewer credits than the amount asked for."""


class AlreadySettled(LedgerError):
    """The job's escrow was closed, or this provider was already paid for this job."""


class VerificationError(ComputeError, ValueError):
    """A bad input to a verification rule (a quorum, a spot-check rate) or to reputation."""


class RunnerError(ComputeError, ValueError):
    """A job runner or backend set up with a value that breaks its rule."""


class BurnMintError(ComputeError, ValueError):
    """A burn-and-mint input that breaks its rule (a negative demand, a velocity of 1...)."""


class OnChainError(ComputeError, ValueError):
    """Input the on-chain bridge cannot settle; the message names the field and the rule."""
