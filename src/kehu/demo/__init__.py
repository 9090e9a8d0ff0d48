"""The demo company: a realistic Chinese B2B supplier's exports, dirt and truth included.

`generate()` writes the files and `truth.json`; `run_demo()` also imports them and runs every
later stage (see docs/demo.md).
"""

from __future__ import annotations

from kehu.demo.generate import DemoFile, DemoManifest, generate
from kehu.demo.params import DemoParams
from kehu.demo.run import run_demo

__all__ = ["DemoFile", "DemoManifest", "DemoParams", "generate", "run_demo"]
