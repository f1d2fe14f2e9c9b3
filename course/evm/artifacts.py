"""Compiled contracts, committed next to their sources: what notebooks deploy without a compiler.

Each artifact records the contract's ABI and bytecode, the compiler and settings that built it,
and the SHA-256 of its source file, so a test can tell when a source changed without a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from course.evm.compiler import SETTINGS, Compiler, compile_solidity, find_compiler

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
PINNED_SOLC = "0.8.37"  # the solc-js version in package.json that built the committed artifacts


class UnknownContract(KeyError):
    """No artifact with that name; the message lists the ones that exist."""


def source_files() -> list[Path]:
    return sorted(CONTRACTS_DIR.glob("*.sol"))


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compile_all(compiler: Compiler | None = None) -> dict[str, dict[str, Any]]:
    """Compile every source in contracts/ and return artifacts by contract name."""
    compiler = compiler or find_compiler(PINNED_SOLC)
    sources = {path.name: path.read_text() for path in source_files()}
    compiled = compile_solidity(sources, compiler)
    artifacts = {}
    for path in source_files():
        for name in _contracts_declared_in(path):
            data = compiled[name]
            if data["bytecode"] == "0x":  # an interface or abstract contract: nothing to deploy
                continue
            artifacts[name] = {
                "contract": name, "source": path.name, "source_sha256": source_hash(path),
                "compiler": {"name": compiler.name, "version": compiler.version},
                "settings": SETTINGS, **data,
            }
    return artifacts


def _contracts_declared_in(path: Path) -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("contract", "abstract", "interface", "library"):
            names.append(words[2] if words[0] == "abstract" else words[1])
    return [name.rstrip("{") for name in names]


def build_artifacts(compiler: Compiler | None = None) -> list[Path]:
    """Recompile every contract into artifacts/<Name>.json (`course contracts build`)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    written = []
    for name, artifact in compile_all(compiler).items():
        path = ARTIFACTS_DIR / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


def artifact_names() -> list[str]:
    return sorted(path.stem for path in ARTIFACTS_DIR.glob("*.json"))


def load_artifact(name: str) -> dict[str, Any]:
    """The committed artifact of contract ``name``: at least ``abi`` and ``bytecode``."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not isinstance(name, str) or not path.is_file():
        raise UnknownContract(f"no compiled contract named {name!r}; available: {artifact_names()}")
    return json.loads(path.read_text())
