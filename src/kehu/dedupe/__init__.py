"""Duplicate customers: find (Splink record linkage), review, merge, undo.

Entry points: `run_dedupe(ws, dry_run=False)` (kehu.dedupe.run), the review queue
(kehu.dedupe.review), `undo_merge` (kehu.dedupe.undo) and `find_incoming_duplicates`
(kehu.dedupe.incoming, used by `kehu import --dedupe`). Name normalisation for Chinese
company and person names lives in kehu.dedupe.normalize.
"""
