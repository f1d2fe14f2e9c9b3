"""Artifacts match their sources; a real compiler rebuilds them identically (CI has solc-js)."""

import os
import subprocess
import sys
import types

import pytest

from course.evm.artifacts import (
    PINNED_SOLC,
    UnknownContract,
    artifact_names,
    load_artifact,
    source_files,
    source_hash,
)
from course.evm.compiler import CompilationFailed, CompilerNotFound, compile_solidity, find_compiler


def test_every_artifact_records_the_hash_of_its_current_source():
    sources = {path.name: path for path in source_files()}
    assert artifact_names()
    for name in artifact_names():
        artifact = load_artifact(name)
        assert artifact["source_sha256"] == source_hash(sources[artifact["source"]]), (
            f"{name}: {artifact['source']} changed since its artifact was built: "
            "run `course contracts build`")
        assert artifact["bytecode"].startswith("0x6") and artifact["abi"]


def test_an_unknown_contract_lists_the_available_ones():
    listed = r"name \(a compiled contract\) must be one of .*'Counter'.*, got 'Nope'"
    with pytest.raises(UnknownContract, match=listed):
        load_artifact("Nope")


@pytest.fixture(scope="module")
def pinned_compiler():
    try:
        return find_compiler(PINNED_SOLC)
    except CompilerNotFound as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))


def test_artifacts_do_not_drift_from_their_sources(pinned_compiler):
    done = subprocess.run([sys.executable, "-m", "course.cli", "contracts", "build", "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_compile_error_names_the_file_and_line(pinned_compiler):
    broken = "pragma solidity ^0.8.20;\ncontract Broken {\n    uint x = ;\n}\n"
    with pytest.raises(CompilationFailed, match=r"Broken\.sol:3"):
        compile_solidity({"Broken.sol": broken}, pinned_compiler)


def test_an_edited_contract_compiles_live(pinned_compiler):
    source = ("pragma solidity ^0.8.20;\ncontract Greeter {\n"
              "    function greet() external pure returns (string memory) { return \"hi\"; }\n}\n")
    compiled = compile_solidity({"Greeter.sol": source}, pinned_compiler)
    assert compiled["Greeter"]["abi"][0]["name"] == "greet"


def test_without_a_compiler_the_message_says_how_to_get_one(monkeypatch):
    import course.evm.compiler as compiler

    monkeypatch.setattr(compiler, "available_compilers", lambda: [])
    with pytest.raises(CompilerNotFound, match="npm install"):
        compiler.find_compiler()


def test_py_solc_x_is_optional_and_an_unreadable_folder_of_its_is_no_compiler(monkeypatch):
    import course.evm.compiler as compiler

    monkeypatch.setitem(sys.modules, "solcx", None)  # not installed: importing it fails
    assert compiler.solcx_versions() == []

    def unreadable_folder():
        raise PermissionError("[Errno 13] Permission denied: '/home/learner/.solcx'")

    fake = types.SimpleNamespace(get_installed_solc_versions=unreadable_folder)
    monkeypatch.setitem(sys.modules, "solcx", fake)
    assert compiler.solcx_versions() == []

    fake.get_installed_solc_versions = lambda: ["0.8.37"]
    assert compiler.solcx_versions() == ["0.8.37"]
    assert any(c.name == "py-solc-x" and c.version == "0.8.37"
               for c in compiler.available_compilers())
