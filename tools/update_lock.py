"""Re-pin the course: write constraints.txt and environment.yml from the tested .venv.

Run after changing dependencies in pyproject.toml and seeing the tests pass:

    .venv/bin/python tools/update_lock.py

constraints.txt pins every installed distribution (what CI tested); environment.yml
pins the direct dependencies to the same versions for conda and Binder users.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Exact versions the course was tested with (pip freeze of CI's .venv, Python 3.11).
# Used by start.py as `pip install -c constraints.txt ...`. Regenerate with:
#     .venv/bin/python tools/update_lock.py
"""


def frozen_versions() -> dict[str, str]:
    """name -> version for everything in this environment (local labels like +cpu dropped)."""
    lines = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    versions = {}
    for line in lines:
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            versions[name.lower()] = version.split("+", 1)[0]
    return versions


def direct_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in names]


def environment_yml(versions: dict[str, str]) -> str:
    pins = []
    for requirement in direct_requirements():
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        version = versions[requirement.name.lower()]
        pins.append(f"      - {requirement.name}{extras}=={version}")
    return (
        "# Conda / Binder environment: the same pins as constraints.txt (tools/update_lock.py).\n"
        "# conda env create -f environment.yml && conda activate depin-skills-lab\n"
        "# then, in the course folder: pip install --no-deps -e .\n"
        "name: depin-skills-lab\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        "  - nodejs=20\n"
        "  - pip\n"
        "  - pip:\n" + "\n".join(pins) + "\n"
    )


def main() -> None:
    versions = frozen_versions()
    body = "".join(f"{name}=={version}\n" for name, version in sorted(versions.items()))
    (ROOT / "constraints.txt").write_text(HEADER + body)
    (ROOT / "environment.yml").write_text(environment_yml(versions))
    print(f"pinned {len(versions)} distributions in constraints.txt and environment.yml")


if __name__ == "__main__":
    main()
