"""`course lab` opens JupyterLab clean: no news pop-up, no update check, the file browser in the
notebook's folder; through this server's options only, never the learner's own settings."""

import json
import sys
import tomllib
from pathlib import Path

import pytest
from jupyterlab.commands import get_app_dir

from course.cli import lab_command
from course.lab_settings import (
    FILE_BROWSER,
    NOTIFICATIONS,
    OVERRIDES_FILE,
    SETTINGS_DIR,
    lab_settings_arguments,
    overrides,
)
from course.paths import PACKAGE_DIR, REPO_ROOT


def test_the_news_feed_and_update_check_are_off_and_the_browser_follows_the_notebook():
    settings = overrides()
    assert settings[NOTIFICATIONS] == {"fetchNews": "false", "checkForUpdates": False}
    assert settings[FILE_BROWSER] == {"navigateToCurrentDirectory": True}


@pytest.mark.parametrize("plugin", [NOTIFICATIONS, FILE_BROWSER])
def test_every_override_is_a_valid_value_of_the_installed_jupyterlabs_schema(plugin):
    package, name = plugin.split(":")
    schema_file = Path(get_app_dir()) / "schemas" / package / f"{name}.json"
    properties = json.loads(schema_file.read_text())["properties"]
    for key, value in overrides()[plugin].items():
        assert key in properties, f"{plugin} has no setting {key!r} in this JupyterLab"
        allowed = [choice["const"] for choice in properties[key].get("oneOf", [])]
        if allowed:
            assert value in allowed
        else:
            assert isinstance(value, {"boolean": bool, "string": str}[properties[key]["type"]])


def test_lab_command_hands_the_course_settings_to_this_server_only():
    command = lab_command(no_browser=True, port=None)
    assert f"--LabApp.app_settings_dir={SETTINGS_DIR}" in command
    assert lab_settings_arguments() == [f"--LabApp.app_settings_dir={SETTINGS_DIR}"]
    assert OVERRIDES_FILE == SETTINGS_DIR / "overrides.json" and OVERRIDES_FILE.is_file()
    assert SETTINGS_DIR.is_relative_to(PACKAGE_DIR), "a course folder, not ~/.jupyter"
    assert not any("JUPYTER_CONFIG_DIR" in part or "user-settings" in part for part in command)
    assert command[:4] == [sys.executable, "-m", "jupyter", "lab"]


def test_the_settings_file_ships_with_the_package():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["course"]
    relative = OVERRIDES_FILE.relative_to(PACKAGE_DIR)
    assert any(relative.match(pattern) for pattern in patterns)
