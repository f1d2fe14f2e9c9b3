"""Energy per transaction, proof of work vs proof of stake: by hand, then the shipped figures."""

from __future__ import annotations

import math

import pytest

from course.chain.energy import EnergyAssumptions, InvalidEnergyAssumption, energy_per_transaction
from course.chain.errors import ChainError


def test_energy_per_transaction_by_hand():
    # 1,000 W for a day is 86.4 MJ; shared by 86,400 transactions that is 1,000 J each.
    assert energy_per_transaction(1_000, 86_400) == pytest.approx(1_000)
    # 1 kW for a day is 24 kWh = 86.4 MJ; one transaction a day carries all of it.
    assert energy_per_transaction(1_000, 1) == pytest.approx(24 * 3.6e6)


def test_energy_comparison_by_hand():
    toy = EnergyAssumptions(
        pow_network_power_watts=3_600_000,  # 3.6 MW for a day = 86,400 kWh
        pow_transactions_per_day=86_400,  # so 1 kWh per transaction
        pos_network_power_watts=3_600,  # 3.6 kW: 1,000x less
        pos_transactions_per_day=86_400,
    )
    assert toy.pow_kwh_per_transaction == pytest.approx(1.0)
    assert toy.pos_kwh_per_transaction == pytest.approx(0.001)
    assert toy.pos_to_pow_ratio == pytest.approx(0.001)


def test_with_the_shipped_assumptions_proof_of_stake_uses_under_one_percent():
    shipped = EnergyAssumptions()
    assert shipped.pos_to_pow_ratio < 0.01
    assert shipped.pos_network_power_watts / shipped.pow_network_power_watts < 0.01
    # The orders of magnitude, not the digits: hundreds of kWh vs thousandths of a kWh.
    assert 100 < shipped.pow_kwh_per_transaction < 10_000
    assert 0.001 < shipped.pos_kwh_per_transaction < 1
    # CCRI's measured 0.0026 TWh/yr (Sept 2022) is about 0.30 MW, not the 2021 estimate's 2.6 MW.
    assert shipped.pos_network_power_watts * 8_766 == pytest.approx(0.0026e12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: EnergyAssumptions(pos_network_power_watts=0),
         r"pos_network_power_watts must be a finite number in \[1e-06, 1e\+15\], got 0"),
        (lambda: EnergyAssumptions(pow_transactions_per_day=math.inf),
         "pow_transactions_per_day must be .*, got inf"),
        (lambda: energy_per_transaction(1_000, -1), "transactions_per_day must be .*, got -1"),
    ],
)
def test_bad_energy_input_names_the_assumption_and_the_rule(call, message):
    with pytest.raises(InvalidEnergyAssumption, match=message) as raised:
        call()
    assert isinstance(raised.value, ChainError) and isinstance(raised.value, ValueError)
