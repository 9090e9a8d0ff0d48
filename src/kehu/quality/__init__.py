"""Data quality: `quality_report(ws)` — completeness, invalid values, duplicates, orphans,
unmatched industry codes and stale records, each finding with a severity and a fix."""

from kehu.quality.report import quality_report

__all__ = ["quality_report"]
