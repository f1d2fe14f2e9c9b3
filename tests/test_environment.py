"""The three places that pin versions agree: pyproject ranges, constraints.txt, environment.yml."""

import re
import tomllib

from packaging.requirements import Requirement

from tests.conftest import ROOT


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def conda_pip_pins(path: str = "environment.yml") -> dict[str, str]:
    text = (ROOT / path).read_text()
    pins = re.findall(r"^\s+- ([A-Za-z0-9_.\-]+)(?:\[[a-z,]+\])?==(\S+)$", text, re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def direct_dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(name) for name in names]


def test_every_direct_dependency_is_pinned_within_its_range():
    pins = constraints()
    for requirement in direct_dependencies():
        version = pins.get(requirement.name.lower())
        assert version, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(version), f"{requirement.name}=={version}"


def test_environment_yml_pins_the_same_versions_as_constraints():
    pins, conda = constraints(), conda_pip_pins()
    assert set(conda) == {r.name.lower() for r in direct_dependencies()}
    for name, version in conda.items():
        assert pins[name] == version, f"{name}: environment.yml {version}, constraints {pins[name]}"


def test_environment_yml_brings_python_311_and_nodejs():
    text = (ROOT / "environment.yml").read_text()
    assert "- python=3.11" in text and "- nodejs=" in text


def test_torch_is_pinned_to_the_cpu_build_on_disk_everywhere():
    assert constraints()["torch"] == "2.13.0"
    assert conda_pip_pins()["torch"] == "2.13.0"
    assert 'TORCH = "torch==2.13.0"' in (ROOT / "start.py").read_text()


def test_the_virtual_environment_is_git_ignored():
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()


def test_binder_gets_the_same_pins_with_the_cpu_build_of_torch():
    assert conda_pip_pins("binder/environment.yml") == conda_pip_pins()
    text = (ROOT / "binder" / "environment.yml").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text


def test_binder_installs_the_course_package_after_the_environment():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()
