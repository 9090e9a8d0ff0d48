"""Chinese person names in bulk, with their pinyin spellings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kehu.demo.names import GIVEN, SURNAMES

_SUR = np.array([s for s, _, _ in SURNAMES])
_SUR_PY = np.array([p for _, p, _ in SURNAMES])
_SUR_P = np.array([w for _, _, w in SURNAMES]) / sum(w for _, _, w in SURNAMES)
_GIV = np.array([c for c, _ in GIVEN] + [""])
_GIV_PY = np.array([p for _, p in GIVEN] + [""])


@dataclass
class Names:
    """n person names: `name` (张晓明), `surname_py` (zhang), `given_py` (xiaoming)."""

    name: np.ndarray
    surname_py: np.ndarray
    given_py: np.ndarray
    female: np.ndarray

    def pinyin(self, order: str = "given_first") -> np.ndarray:
        """'Xiaoming Zhang' (given_first) or 'Zhang Xiaoming' (surname_first)."""
        sur = np.char.capitalize(self.surname_py)
        giv = np.char.capitalize(self.given_py)
        first, last = (giv, sur) if order == "given_first" else (sur, giv)
        return np.char.add(np.char.add(first, " "), last)


def person_names(rng: np.random.Generator, n: int) -> Names:
    """Draw n names: surnames by frequency, one or two given-name characters."""
    s = rng.choice(len(_SUR), size=n, p=_SUR_P)
    g1 = rng.integers(0, len(GIVEN), size=n)
    two = rng.random(n) < 0.7
    g2 = np.where(two, rng.integers(0, len(GIVEN), size=n), len(GIVEN))
    name = np.char.add(np.char.add(_SUR[s], _GIV[g1]), _GIV[g2])
    given_py = np.char.add(_GIV_PY[g1], _GIV_PY[g2])
    return Names(name, _SUR_PY[s], given_py, rng.random(n) < 0.45)


def unique_person_names(rng: np.random.Generator, n: int) -> Names:
    """n distinct names (for sales reps, whose name is their key)."""
    pool = person_names(rng, max(4 * n, 64))
    _, first = np.unique(pool.name, return_index=True)
    keep = np.sort(first)[:n]
    if len(keep) < n:  # practically impossible: the name space is ~10^6
        raise RuntimeError("could not draw enough distinct names")
    return Names(pool.name[keep], pool.surname_py[keep], pool.given_py[keep], pool.female[keep])
