"""Build step pyproject.toml cannot declare: copy the workspace files the design keeps at the top of the
checkout (notebooks/, the demo and example profiles) into the package, so a wheel carries them."""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = runpy.run_path(str(ROOT / "lib" / "launch_audit" / "workspace" / "shipped.py"))


class BuildPyWithWorkspace(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):   # an editable install reads them from the checkout
            return
        dest = Path(self.build_lib) / "launch_audit" / "workspace" / SHIPPED["PACKAGED_DIR"]
        for pattern in SHIPPED["FILES"]:
            matches = sorted(ROOT.glob(pattern))
            if not matches:
                raise SystemExit(f"setup.py: {pattern} matches nothing; the wheel would ship without it")
            for src in matches:
                target = dest / src.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)


setup(cmdclass={"build_py": BuildPyWithWorkspace})
