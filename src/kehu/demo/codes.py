"""Valid identifiers, generated in bulk: 统一社会信用代码, 居民身份证号码, phone numbers.

统一社会信用代码 (GB 32100-2015): 1 registration-authority digit, 1 organisation-type digit,
6 administrative-division digits, the 9-character organisation code (GB 11714: 8 characters
+ a mod-11 check character) and a mod-31 check character over the first 17. 身份证号码
(GB 11643-1999): 17 digits + an ISO 7064 MOD 11-2 check character. All functions are
vectorised over numpy arrays so 10^6 codes take well under a second.
"""

from __future__ import annotations

import numpy as np

from kehu.idcodes import (
    ORG_WEIGHTS,
    RESIDENT_CHECK,
    USCC_CHARS,
    resident_check_indices,
    uscc_check_indices,
)

_CHARSET_ASCII = np.frombuffer(USCC_CHARS.encode("ascii"), dtype=np.uint8)


def _ascii_rows_to_str(codes: np.ndarray) -> np.ndarray:
    """(n, k) uint8 ASCII codes -> array of str of length k."""
    n, k = codes.shape
    return np.ascontiguousarray(codes, dtype=np.uint8).view(f"S{k}").reshape(n).astype(f"U{k}")


def _digits(code_strings: np.ndarray, width: int) -> np.ndarray:
    """Array of digit strings (all the same width) -> (n, width) int array."""
    raw = np.asarray(code_strings, dtype=f"S{width}")
    return raw.view(np.uint8).reshape(len(raw), width).astype(np.int64) - ord("0")


def credit_codes(
    rng: np.random.Generator,
    division_codes: np.ndarray,
    founded_year: np.ndarray,
    org_type: np.ndarray,
) -> np.ndarray:
    """Valid 统一社会信用代码 for firms registered in `division_codes` (6-digit strings).

    `org_type` is the second character ('1' enterprise, '2' individual business). Firms founded
    from 2016 on carry the new-style organisation code starting with "MA"; older ones an
    8-digit legacy code. Codes are distinct with overwhelming probability (36^6 or 10^8 bodies
    per division); callers that need strict uniqueness check and redraw.
    """
    n = len(division_codes)
    out = np.empty((n, 18), dtype=np.int64)  # values 0..35 (org part may use 0-9A-Z)
    out[:, 0] = 9  # registration authority: market regulation (工商)
    out[:, 1] = np.asarray(org_type, dtype=np.int64)
    out[:, 2:8] = _digits(division_codes, 6)
    new_style = np.asarray(founded_year) >= 2016
    body = rng.integers(0, 10, size=(n, 8))
    # new style: "MA" + 6 characters from the credit charset (digits and allowed letters)
    alnum = np.array([USCC_CHARS.index(c) for c in USCC_CHARS], dtype=np.int64)
    tail = alnum[rng.integers(0, 31, size=(n, 6))]
    body[new_style, 0] = 22  # 'M' in base-36 value terms (A=10)
    body[new_style, 1] = 10  # 'A'
    # map credit-charset indices to base-36 values for the org-code check
    idx_to_b36 = np.array([int(c) if c.isdigit() else ord(c) - 55 for c in USCC_CHARS])
    body[new_style, 2:] = idx_to_b36[tail[new_style]]
    r = 11 - (body * ORG_WEIGHTS).sum(axis=1) % 11
    org_check = np.where(r == 10, 33, np.where(r == 11, 0, r))  # 33 = 'X' in base 36
    out[:, 8:16] = body
    out[:, 16] = org_check
    # convert base-36 values to credit-charset indices for the mod-31 check
    b36_to_idx = np.full(36, -1, dtype=np.int64)
    for i, c in enumerate(USCC_CHARS):
        b36_to_idx[int(c) if c.isdigit() else ord(c) - 55] = i
    idx = b36_to_idx[out[:, :17]]
    check = uscc_check_indices(idx)
    ascii_codes = np.concatenate([_CHARSET_ASCII[idx], _CHARSET_ASCII[check][:, None]], axis=1)
    return _ascii_rows_to_str(ascii_codes)


def id_numbers(
    rng: np.random.Generator,
    division_codes: np.ndarray,
    birth_days: np.ndarray,
    female: np.ndarray,
) -> np.ndarray:
    """Valid 18-character citizen ID numbers (birth_days: numpy datetime64[D])."""
    n = len(division_codes)
    digits = np.empty((n, 18), dtype=np.int64)
    digits[:, 0:6] = _digits(division_codes, 6)
    digits[:, 4] = 0  # district part: a 市辖区-style "01".."09"
    digits[:, 5] = rng.integers(1, 10, size=n)
    ymd = np.datetime_as_string(np.asarray(birth_days, dtype="datetime64[D]"))
    ymd = np.char.replace(ymd, "-", "")
    digits[:, 6:14] = _digits(ymd, 8)
    seq = rng.integers(0, 100, size=n) * 10 + np.where(female, 0, 1) + 2 * rng.integers(0, 5, n)
    seq = np.minimum(seq, 999)
    digits[:, 14] = seq // 100
    digits[:, 15] = (seq // 10) % 10
    digits[:, 16] = seq % 10
    total = resident_check_indices(digits[:, :17])
    check_ascii = np.frombuffer(RESIDENT_CHECK.encode("ascii"), dtype=np.uint8)[total]
    ascii_codes = np.concatenate(
        [(digits[:, :17] + ord("0")).astype(np.uint8), check_ascii[:, None]], axis=1
    )
    return _ascii_rows_to_str(ascii_codes)


def mobile_numbers(rng: np.random.Generator, n: int, prefixes: list[str]) -> np.ndarray:
    """11-digit mainland mobile numbers from the given 3-digit prefixes."""
    pre = np.asarray(prefixes)[rng.integers(0, len(prefixes), size=n)]
    rest = rng.integers(0, 10**8, size=n)
    return np.char.add(pre, np.char.zfill(rest.astype(str), 8))


def landline_numbers(rng: np.random.Generator, area_codes: np.ndarray) -> np.ndarray:
    """Landline subscriber numbers (8 digits, not starting with 0/1) as '0AREA-NNNNNNNN'."""
    n = len(area_codes)
    local = rng.integers(2, 9, size=n) * 10**7 + rng.integers(0, 10**7, size=n)
    return np.char.add(np.char.add(np.char.add("0", area_codes), "-"), local.astype(str))
