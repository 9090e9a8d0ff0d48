"""The demo company: a realistic Chinese B2B supplier's exports, dirt and truth included.

`generate()` writes the files and `truth.json`; `kehu.jobs.demo.run_demo()` runs the pipeline
over them (see docs/demo.md).
"""

from __future__ import annotations

from kehu.demo.generate import DemoFile, DemoManifest, generate
from kehu.demo.params import DemoParams

__all__ = ["DemoFile", "DemoManifest", "DemoParams", "generate"]
