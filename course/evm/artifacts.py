"""Compiled contracts, committed next to their sources: what notebooks deploy without a compiler.

Each artifact records the contract's ABI and bytecode, the compiler and settings that built it,
and the SHA-256 of its source file, so a test can tell when a source changed without a rebuild.
Taught in notebooks 07-10 and 16 (every contract they deploy comes from here).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from course.errors import EvmError
from course.evm.compiler import SETTINGS, Compiler, compile_solidity, ensure_compiler, find_compiler
from course.validation import ensure, ensure_choice, ensure_instance

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
PINNED_SOLC = "0.8.37"  # the solc-js version in package.json that built the committed artifacts


class UnknownContract(EvmError, KeyError, ValueError):
    """No artifact (or source file) with that name; the message lists the ones that exist."""


def source_files() -> list[Path]:
    return sorted(CONTRACTS_DIR.glob("*.sol"))


def source_hash(path: Path) -> str:
    """SHA-256 of a source file, as recorded in its artifact."""
    ensure_instance(path, "path", (str, Path), rule="a path to a .sol file",
                    error=UnknownContract)
    ensure(Path(path).is_file(), UnknownContract, "path", path, "an existing source file")
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def compile_all(compiler: Compiler | None = None) -> dict[str, dict[str, Any]]:
    """Compile every source in contracts/ and return artifacts by contract name."""
    compiler = ensure_compiler(compiler) or find_compiler(PINNED_SOLC)
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
    ensure_compiler(compiler)
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
    ensure_choice(name, "name", artifact_names(), meaning="a compiled contract",
                  error=UnknownContract)
    return json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())
