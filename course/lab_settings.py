"""JupyterLab settings for `course lab`: no news pop-up, the file browser in the notebook's folder.

The course ships them as ``course/jupyterlab_settings/overrides.json`` and hands that folder to
the one server that `course lab` starts (``--LabApp.app_settings_dir``). Overrides change
JupyterLab's *defaults*: the learner's own settings (``~/.jupyter``) are not touched and still
win, and a plain ``jupyter lab`` is not affected.
"""

from __future__ import annotations

import json
from typing import Any

from course.paths import PACKAGE_DIR

SETTINGS_DIR = PACKAGE_DIR / "jupyterlab_settings"
OVERRIDES_FILE = SETTINGS_DIR / "overrides.json"
NOTIFICATIONS = "@jupyterlab/apputils-extension:notification"
FILE_BROWSER = "@jupyterlab/filebrowser-extension:browser"


def overrides() -> dict[str, Any]:
    """The course's JupyterLab setting defaults, by plugin id (the schema's id in JupyterLab)."""
    return json.loads(OVERRIDES_FILE.read_text(encoding="utf-8"))


def lab_settings_arguments() -> list[str]:
    """Command-line options that make one JupyterLab server use the course's settings."""
    return [f"--LabApp.app_settings_dir={SETTINGS_DIR}"]
