"""The EVM benchmark measures both chains and deploys every contract it knows how to build."""

import benchmarks.evm as evm
from course.evm.artifacts import artifact_names


def test_a_small_run_has_a_row_per_chain_and_per_contract():
    table = evm.run(transfers=20, repeats=1)
    assert table.header == ("measurement", "chain", "result", "gas used")
    transfers = [row for row in table.rows if row[0] == "20 plain ETH transfers"]
    assert [row[1] for row in transfers] == [evm.IN_MEMORY, evm.ANVIL]
    in_memory, anvil = transfers
    assert float(in_memory[2].removesuffix(" tx/s").replace(",", "")) > 0
    assert anvil[2].endswith(" tx/s") or anvil[2].startswith("anvil not installed")
    deploys = {row[0].removeprefix("deploy "): row for row in table.rows[2:]}
    assert list(deploys) == artifact_names()
    for name in artifact_names():  # every contract, constructor arguments and all
        assert deploys[name][2].endswith(" ms"), deploys[name]
        assert int(deploys[name][3].replace(",", "")) > 21_000


def test_without_anvil_the_table_says_so_instead_of_failing(monkeypatch):
    monkeypatch.setattr(evm, "REPO_ROOT", evm.REPO_ROOT / "no-such-folder")
    monkeypatch.setattr(evm.shutil, "which", lambda name: None)
    table = evm.run(transfers=1, repeats=1)
    assert table.rows[1][1:3] == (evm.ANVIL, "anvil not installed: `python3 start.py setup` "
                                             "installs it")
