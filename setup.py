"""The package build's one custom step: the app's script files go into the wheel as `ui/app/`.

Everything else is declared in pyproject.toml. `app.py` and `pages/` are scripts Streamlit runs by path, not
modules to import, so they are copied beside each other (Streamlit finds `pages/` next to the main script)
under `ui/app/`, with `.streamlit/config.toml`; `ui/app_files.py` finds them there. Nothing named `app` or
`pages` lands at the top of site-packages.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
APP_FILES = ["app.py", *sorted(p.relative_to(HERE).as_posix() for p in (HERE / "pages").glob("*.py")),
             ".streamlit/config.toml"]


class BuildWithApp(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "ui" / "app"
        for name in APP_FILES:
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / name, dest)


setup(cmdclass={"build_py": BuildWithApp})
