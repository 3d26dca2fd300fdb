"""Hatch build hook: build the React dashboard into src/finnegans/web_dist for wheels.

Editable installs (the development virtualenv) skip it: `make web` builds the dashboard there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class WebBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable" or os.environ.get("FINNEGANS_SKIP_WEB_BUILD"):
            return
        root = Path(self.root)
        if (root / "src/finnegans/web_dist/index.html").exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to build the dashboard (apt-get install nodejs npm)")
        subprocess.run([npm, "ci"], cwd=root / "web", check=True)  # noqa: S603
        subprocess.run([npm, "run", "build"], cwd=root / "web", check=True)  # noqa: S603
