"""Free text of the demo: service tickets, NPS comments, interaction notes (zh, some en),
from `kehu/data/demo/texts.json`.

Templates with slots are rendered once into a pool per category; rows then pick from the
pool by index, so 10^6 tickets cost one `take`, not 10^6 format calls.
"""

from __future__ import annotations

import numpy as np

from kehu.demo.names import CATALOGUE, vocabulary

PRODUCTS = [p for _, items in CATALOGUE for p, _ in items]
CATEGORY_NAMES = [c for c, _ in CATALOGUE]

_T = vocabulary("texts")
TICKET_TEMPLATES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _T["ticket_templates"].items()
}
# NPS band -> (zh comments, en comments)
NPS_COMMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    k: (tuple(zh), tuple(en)) for k, (zh, en) in _T["nps_comments"].items()
}
INTERACTION_NOTES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _T["interaction_notes"].items()
}
RESCUE_NOTES: tuple[str, ...] = tuple(_T["rescue_notes"])
INTERACTION_KINDS: tuple[str, ...] = tuple(_T["interaction_kinds"])
INTERACTION_P: tuple[float, ...] = tuple(_T["interaction_p"])


def render_pool(rng: np.random.Generator, templates: tuple[str, ...], k: int) -> np.ndarray:
    """k rendered texts: random template, random slot values."""
    out = []
    for _ in range(k):
        t = templates[int(rng.integers(len(templates)))]
        out.append(
            t.format(
                product=PRODUCTS[int(rng.integers(len(PRODUCTS)))],
                category=CATEGORY_NAMES[int(rng.integers(len(CATEGORY_NAMES)))],
                days=int(rng.integers(3, 30)),
                n=int(rng.integers(2, 12)),
                code=int(rng.integers(100, 999)),
                contact="采购负责人" if rng.random() < 0.5 else "技术负责人",
            )
        )
    return np.array(out)
