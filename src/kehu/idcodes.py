"""Check characters of China's registration numbers, written once for every floor.

统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-letter
alphabet (no I, O, S, V, Z), the last a mod-31 check over the first 17 with weights 3^i mod 31;
characters 9–17 are the 组织机构代码 (organisation code, GB 11714), itself 8 characters and a
mod-11 check. 居民身份证号码 (resident ID, GB 11643-1999): 17 digits (area, birth date,
sequence) and an ISO 7064 MOD 11-2 check character. The weight vectors are exposed as numpy
arrays too, so generators can compute check characters for 10^6 codes at once.
"""

from __future__ import annotations

from datetime import date

import numpy as np

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
RESIDENT_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
RESIDENT_CHECK = "10X98765432"

_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}


def uscc_check_char(first17: str) -> str | None:
    """The 18th character of a 统一社会信用代码, or None if `first17` cannot carry one."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        return None
    total = sum(_USCC_VALUE[c] * int(w) for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str | None:
    """The 9th character of a 组织机构代码 (digits and A–Z count 0–35), or None."""
    if len(first8) != 8:
        return None
    total = 0
    for c, w in zip(first8, ORG_WEIGHTS, strict=True):
        if c.isascii() and c.isdigit():
            total += int(c) * int(w)
        elif "A" <= c <= "Z":
            total += (ord(c) - 55) * int(w)
        else:
            return None
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def resident_id_check_char(first17: str) -> str | None:
    """The 18th character of a 居民身份证号码, or None if `first17` is not 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        return None
    total = sum(int(c) * int(w) for c, w in zip(first17, RESIDENT_WEIGHTS, strict=True))
    return RESIDENT_CHECK[total % 11]


def uscc_check_indices(first17: np.ndarray) -> np.ndarray:
    """Check characters (as alphabet indices) for an (n, 17) array of alphabet indices."""
    return (31 - (np.asarray(first17) @ USCC_WEIGHTS) % 31) % 31


def resident_check_indices(first17: np.ndarray) -> np.ndarray:
    """Check characters (as indices into RESIDENT_CHECK) for an (n, 17) array of digits."""
    return (np.asarray(first17) @ RESIDENT_WEIGHTS) % 11


def uscc_valid(code: str) -> bool:
    """An 18-character 统一社会信用代码 with the right check character."""
    return len(code) == 18 and uscc_check_char(code[:17]) == code[17]


def resident_id_valid(code: str) -> bool:
    """An 18-character resident ID with a real birth date and the right check character."""
    if len(code) != 18 or resident_id_check_char(code[:17]) != code[17]:
        return False
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return True
