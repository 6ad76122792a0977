"""Build hook: compile the shipped artifacts (the bundled edition's index, ...) into the built package.

Everything else about the package is declared in pyproject.toml. ``build_py``
copies the package into the build directory, then ``portatlas.index.shipped.write``
compiles into that copy, with the copy itself first on ``sys.path`` so the package's
own code (and only it) does the compiling. A wheel, and so an install from the
sdist too, then carries ``portatlas/data/compiled/``: no first run compiles anything.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCompiledData(build_py):
    """``build_py`` that also writes the compiled data files into the built package."""

    def run(self) -> None:
        super().run()
        if self.dry_run or getattr(self, "editable_mode", False):
            return  # an editable install compiles at first use, into the cache directory, as before
        package_dir = os.path.join(self.build_lib, "portatlas")
        written = _compile(os.path.abspath(self.build_lib), package_dir)
        for path in written:
            self.announce(f"compiled {os.path.relpath(path, self.build_lib)}", level=2)


def _compile(build_lib: str, package_dir: str) -> list[str]:
    """Import the build's own copy of portatlas and compile into it (and forget it afterwards)."""
    saved_path, saved_modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, build_lib)
    try:
        from portatlas.index import shipped

        return shipped.write(package_dir)
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if name == "portatlas" or name.startswith("portatlas."):
                del sys.modules[name]


setup(cmdclass={"build_py": BuildWithCompiledData})
