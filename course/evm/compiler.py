"""Compile Solidity with a real solc: a `solc` binary, py-solc-x's, or solc-js through Node.js.

All three take the same standard-JSON input and give the same output, so the course's
artifacts do not depend on which one a machine has. The committed artifacts were built with
the solc-js version pinned in package.json (`npm install` in the course folder gets it).
Taught in notebook 07 (compile a contract you edited).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from course.errors import EvmError
from course.paths import REPO_ROOT
from course.validation import ensure, ensure_choice, ensure_instance, ensure_text

SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}
SOLCJS_SCRIPT = (
    "const solc = require('solc'); let input = '';"
    "process.stdin.on('data', c => input += c);"
    "process.stdin.on('end', () => process.stdout.write("
    "JSON.stringify({version: solc.version(), output: JSON.parse(solc.compile(input))})));"
)
HOW_TO_GET_ONE = (
    "no Solidity compiler found. Any one of: `npm install` in the course folder (solc-js, the "
    "pinned version), `pip install py-solc-x` then `python -c \"import solcx; "
    "solcx.install_solc('0.8.37')\"`, or a "
    "`solc` binary on PATH. The notebooks do not need one: they use the committed artifacts."
)
GET_A_COMPILER = ("`npm install` in the course folder (without npm: `pip install py-solc-x && "
                  "python -c \"import solcx; solcx.install_solc('0.8.37')\"`)")
"""The one command that gets a compiler, for messages that have room for one line."""
DECLARED_CONTRACT = re.compile(r"^\s*(?:abstract\s+)?contract\s+(\w+)", re.MULTILINE)
"""Finds the names of the contracts a source declares, without a compiler."""


class CompilerNotFound(EvmError, RuntimeError):
    """No Solidity compiler on this machine; the message says how to get one."""


class CompilationFailed(EvmError, RuntimeError):
    """solc reported errors; the message lists them with file and line."""


class InvalidCompilerInput(EvmError, ValueError):
    """Sources, a compiler or a version of the wrong kind."""


@dataclass(frozen=True)
class Compiler:
    name: str  # "solc", "py-solc-x" or "solc-js"
    version: str

    def __post_init__(self) -> None:
        ensure_choice(self.name, "name", ("solc", "py-solc-x", "solc-js"),
                      error=InvalidCompilerInput)
        ensure_text(self.version, "version", meaning="e.g. '0.8.37'", error=InvalidCompilerInput)

    def compile(self, standard_input: dict[str, Any]) -> dict[str, Any]:
        ensure_instance(standard_input, "standard_input", dict,
                        rule="solc's standard-JSON input, a dict", error=InvalidCompilerInput)
        return _BACKENDS[self.name](standard_input)


def ensure_compiler(compiler: object) -> Compiler | None:
    """``compiler`` if it is None (find one) or a Compiler; an InvalidCompilerInput otherwise."""
    if compiler is None:
        return None
    return ensure_instance(compiler, "compiler", Compiler, rule="None or a Compiler",
                           error=InvalidCompilerInput)


def _node_env() -> dict[str, str]:
    return {**os.environ, "NODE_PATH": str(REPO_ROOT / "node_modules")}


def _solcjs(standard_input: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["node", "-e", SOLCJS_SCRIPT], input=json.dumps(standard_input),
                          capture_output=True, text=True, env=_node_env(), check=True)
    return json.loads(done.stdout)["output"]


def _solc_binary(standard_input: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["solc", "--standard-json"], input=json.dumps(standard_input),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _solcx(standard_input: dict[str, Any]) -> dict[str, Any]:
    import solcx

    return solcx.compile_standard(standard_input)


_BACKENDS = {"solc-js": _solcjs, "solc": _solc_binary, "py-solc-x": _solcx}


def _solcjs_version() -> str | None:
    if not shutil.which("node"):
        return None
    done = subprocess.run(["node", "-e", "console.log(require('solc').version())"],
                          capture_output=True, text=True, env=_node_env())
    if done.returncode != 0:
        return None
    return done.stdout.strip().split("+")[0] or None


def solcx_versions() -> list[str]:
    """The solc versions py-solc-x has installed (none when py-solc-x itself is absent)."""
    try:
        import solcx
    except ImportError:  # py-solc-x is optional, and most machines do not have it
        return []
    try:
        return [str(version) for version in solcx.get_installed_solc_versions()]
    except OSError:  # it keeps compilers in ~/.solcx (or $SOLCX_BINARY_PATH): unreadable here
        return []


def available_compilers() -> list[Compiler]:
    """Every real compiler this machine has, solc-js (the pinned one) first."""
    found = []
    if version := _solcjs_version():
        found.append(Compiler("solc-js", version))
    if shutil.which("solc"):
        done = subprocess.run(["solc", "--version"], capture_output=True, text=True)
        version = done.stdout.strip().splitlines()[-1].split()[1].split("+")[0]
        found.append(Compiler("solc", version))
    if versions := solcx_versions():
        found.append(Compiler("py-solc-x", versions[0]))
    return found


def find_compiler(version: str | None = None) -> Compiler:
    """The first available compiler, or the first with exactly ``version``."""
    if version is not None:
        ensure_text(version, "version", meaning="e.g. '0.8.37'", error=InvalidCompilerInput)
    for compiler in available_compilers():
        if version is None or compiler.version == version:
            return compiler
    wanted = f" of version {version}" if version else ""
    raise CompilerNotFound(HOW_TO_GET_ONE.replace("no Solidity compiler", f"no compiler{wanted}"))


def compile_solidity(sources: dict[str, str], compiler: Compiler | None = None) -> dict[str, Any]:
    """Compile ``{file name: source}``; return ``{contract name: {"abi", "bytecode", ...}}``.

    Raises:
        CompilerNotFound: no compiler on this machine (the message says how to get one).
        CompilationFailed: solc's error messages, with file and line.
        InvalidCompilerInput: sources that are not {file name: source text}.
    """
    ensure(isinstance(sources, dict) and len(sources) > 0
           and all(isinstance(k, str) and k and isinstance(v, str) for k, v in sources.items()),
           InvalidCompilerInput, "sources", sources, "a non-empty dict of file name -> source text")
    compiler = ensure_compiler(compiler) or find_compiler()
    standard_input = {"language": "Solidity", "settings": SETTINGS,
                      "sources": {name: {"content": text} for name, text in sources.items()}}
    output = compiler.compile(standard_input)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilationFailed("\n".join(e.get("formattedMessage", e["message"]) for e in errors))
    contracts = {}
    for file_contracts in output.get("contracts", {}).values():
        for name, data in file_contracts.items():
            contracts[name] = {
                "abi": data["abi"],
                "bytecode": "0x" + data["evm"]["bytecode"]["object"],
                "deployed_bytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
            }
    return contracts
