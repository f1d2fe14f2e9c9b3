"""Energy: proof of work burns electricity to secure the chain, proof of stake does not.

An estimate of energy per transaction for each, from assumptions that carry their source and
date: the figures drift, but the gap of orders of magnitude survives any reasonable choice.
Taught in notebook 06 (the comparison after proof of stake).
"""

from __future__ import annotations

from dataclasses import dataclass

from course.chain.errors import InvalidChainInput
from course.validation import ensure_number

SECONDS_PER_DAY = 86_400
JOULES_PER_KWH = 3_600_000
HOURS_PER_YEAR = 8_766  # 365.25 days


SMALLEST, LARGEST = 1e-6, 1e15  # any input in between keeps every estimate finite and non-zero


class InvalidEnergyAssumption(InvalidChainInput):
    """Energy inputs are positive, finite numbers (between 1e-6 and 1e15)."""


def _check_positive(value: object, name: str) -> float:
    return ensure_number(value, name, minimum=SMALLEST, maximum=LARGEST,
                         error=InvalidEnergyAssumption)


@dataclass(frozen=True)
class EnergyAssumptions:
    """Inputs to a PoW vs PoS energy estimate: parameters with a source and a date, not facts.

    They drift month to month and published estimates disagree by several times; what survives
    any reasonable choice is the gap of orders of magnitude (CCRI measured that the Merge cut
    Ethereum's electricity use by ~99.99%, Sept 2022). Change them and re-run.
    """

    # Bitcoin: 149 TWh/yr, Cambridge Bitcoin Electricity Consumption Index (CBECI), as quoted
    # on ethereum.org/energy-consumption (accessed July 2023); 149e12 Wh / 8,766 h ~ 17 GW.
    pow_network_power_watts: float = 17.0e9
    # Bitcoin on-chain transactions: a few hundred thousand a day in 2023 (blockchain.com chart).
    pow_transactions_per_day: float = 400_000
    # Ethereum after the Merge: 0.0026 TWh/yr measured by the Crypto Carbon Ratings Institute
    # (CCRI, "The Merge: Implications on the Electricity Consumption and Carbon Footprint of the
    # Ethereum Network", Sept 2022, quoted on ethereum.org/energy-consumption);
    # 2.6e9 Wh / 8,766 h ~ 0.30 MW. (The Ethereum Foundation's 2021 pre-Merge estimate, from
    # 140,592 validators, ~5.4 per 100 W machine, was ~2.6 MW: ten times more.)
    pos_network_power_watts: float = 0.0026e12 / HOURS_PER_YEAR
    # Ethereum transactions: about a million a day in 2023 (etherscan.io/chart/tx).
    pos_transactions_per_day: float = 1_000_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            _check_positive(value, name)

    @property
    def pow_kwh_per_transaction(self) -> float:
        joules = energy_per_transaction(self.pow_network_power_watts, self.pow_transactions_per_day)
        return joules / JOULES_PER_KWH

    @property
    def pos_kwh_per_transaction(self) -> float:
        joules = energy_per_transaction(self.pos_network_power_watts, self.pos_transactions_per_day)
        return joules / JOULES_PER_KWH

    @property
    def pos_to_pow_ratio(self) -> float:
        """Energy per transaction under proof of stake as a fraction of proof of work's."""
        return self.pos_kwh_per_transaction / self.pow_kwh_per_transaction


def energy_per_transaction(network_power_watts: float, transactions_per_day: float) -> float:
    """Joules per transaction: a day's energy (watts x 86,400 s) shared over its transactions.

    An average, not a marginal cost: a block costs the same energy full or empty, and the
    figure swings with what counts as a transaction (layer-2 rollups, for one).
    """
    watts = _check_positive(network_power_watts, "network_power_watts")
    per_day = _check_positive(transactions_per_day, "transactions_per_day")
    return watts * SECONDS_PER_DAY / per_day
