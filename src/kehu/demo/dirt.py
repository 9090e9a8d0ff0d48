"""The dirt real exports carry: variant names, phone styles, money and date styles.

Every function keeps the truth recoverable: a formatted amount parses back to exactly the
same fen, a formatted date to the same day, a variant name to the same company under the
cleaning rules the dedupe floor documents (brackets, full-width, traditional characters,
legal-form synonyms, one-character typos, pinyin for persons).
"""

from __future__ import annotations

import numpy as np
import zhconv

from kehu.demo.names import TYPO

# ---- names ----------------------------------------------------------------------------------
COMPANY_VARIANTS = (
    "bracket",
    "legal_form",
    "fullwidth",
    "traditional",
    "typo",
    "short",
    "spaces",
    "no_region",
)
CRM_VARIANTS = ("bracket", "legal_form", "typo", "spaces")  # what a second CRM entry looks like
PERSON_VARIANTS = ("pinyin", "pinyin_reversed", "pinyin_upper", "traditional", "spaced")

_FW = {ord(c): ord(c) + 0xFEE0 for c in "()0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-&."}
_FW[ord(" ")] = 0x3000


def to_fullwidth(text: str) -> str:
    return text.translate(_FW)


def to_halfwidth_brackets(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


def traditional(text: str) -> str:
    return zhconv.convert(text, "zh-hant")


def typo(text: str, rng: np.random.Generator) -> str | None:
    """Replace one character of the name by a homophone (None if no character qualifies)."""
    spots = [i for i, c in enumerate(text[:6]) if c in TYPO]
    if not spots:
        return None
    i = spots[int(rng.integers(len(spots)))]
    return text[:i] + TYPO[text[i]] + text[i + 1 :]


def swap_legal_form(text: str) -> str | None:
    if text.endswith("有限责任公司"):
        return text[: -len("有限责任公司")] + "有限公司"
    if text.endswith("有限公司") and not text.endswith("股份有限公司"):
        return text[: -len("有限公司")] + "有限责任公司"
    return None


def company_variant(
    rng: np.random.Generator,
    name: str,
    kind: str,
    *,
    core: str,
    city: str,
    form: str,
    style: int,
) -> str:
    """One variant of a company name. `core` is 字号+行业 (华为科技), `city` the city short
    name, `form` the legal form, `style` how the original placed the region (0 prefix,
    1 province prefix, 2 bracket, 3 none). Falls back to another variant when `kind` does
    not apply, so the result always differs from `name`."""
    for k in (kind, "legal_form", "typo", "traditional", "spaces"):
        out = _one_variant(rng, name, k, core=core, city=city, form=form, style=style)
        if out is not None and out != name:
            return out
    return f"{name} "


def _one_variant(
    rng: np.random.Generator,
    name: str,
    kind: str,
    *,
    core: str,
    city: str,
    form: str,
    style: int,
) -> str | None:
    if kind == "bracket":
        if style == 2:  # 华为科技（北京）有限公司 -> 北京华为科技有限公司
            return f"{city}{core}{form}"
        if style in (0, 1) and "分公司" not in name:
            left, right = ("(", ")") if rng.random() < 0.6 else ("（", "）")
            return f"{core}{left}{city}{right}{form}"
        return None
    if kind == "legal_form":
        return swap_legal_form(name)
    if kind == "fullwidth":
        if "（" in name:
            return to_halfwidth_brackets(name)
        if "(" in name or any(c.isascii() and c.isalnum() for c in name):
            return to_fullwidth(name)
        return name.replace(core, f"{core}\u3000", 1) if core in name else None
    if kind == "traditional":
        return traditional(name)
    if kind == "typo":
        return typo(name, rng)
    if kind == "short":
        return name[: -len(form)] if form and name.endswith(form) else None
    if kind == "spaces":
        return f" {name[:2]} {name[2:]}  " if len(name) > 4 else None
    if kind == "no_region" and style in (0, 2) and "分公司" not in name:
        return f"{core}{form}"
    return None


def person_variant(kind: str, name: str, pinyin_sur_first: str, pinyin_given_first: str) -> str:
    """Variants of a person's name: pinyin in either order, upper case, traditional, spaced."""
    if kind == "pinyin":
        return pinyin_sur_first
    if kind == "pinyin_reversed":
        return pinyin_given_first
    if kind == "pinyin_upper":
        return pinyin_sur_first.upper()
    if kind == "traditional":
        t = traditional(name)
        if t != name:
            return t
    return " ".join(name) if len(name) > 1 else name + " "


# ---- phones ---------------------------------------------------------------------------------
def format_phone(phone: str, style: int) -> str:
    """Write the same number another way (style 0 keeps it)."""
    if style == 0 or not phone:
        return phone
    if phone.startswith("0") and "-" in phone:  # landline 0512-67881234
        area, local = phone.split("-", 1)
        return (
            f"({area}){local}",
            f"{area} {local[:4]} {local[4:]}",
            f"+86 {area[1:]} {local}",
            f"{area}{local}",
        )[(style - 1) % 4]
    return (  # mobile 13812345678
        f"{phone[:3]} {phone[3:7]} {phone[7:]}",
        f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        f"+86 {phone}",
        f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}",
    )[(style - 1) % 4]


# ---- money ------------------------------------------------------------------------------------
MONEY_STYLES = ("plain", "yen", "yuan", "wan", "bare_int")


def format_money(fen: int, style: str) -> str:
    """Format an amount in fen so that it parses back to the same value.

    plain 1234.50 · yen ¥1,234.50 · yuan 1,234元 (or 1,234.56元) · wan 12.5万 (only when the
    amount is whole hundreds of yuan, else falls back to yen) · bare_int 1234 (whole yuan only).
    """
    yuan, cents = divmod(abs(int(fen)), 100)
    sign = "-" if fen < 0 else ""
    if style == "wan" and cents == 0 and yuan % 100 == 0 and yuan >= 10_000:
        wan = yuan // 100  # hundreds
        text = f"{wan // 100}.{wan % 100:02d}".rstrip("0").rstrip(".")
        return f"{sign}{text}万"
    if style == "yuan":
        return f"{sign}{yuan:,}元" if cents == 0 else f"{sign}{yuan:,}.{cents:02d}元"
    if style == "bare_int" and cents == 0:
        return f"{sign}{yuan}"
    if style == "plain":
        return f"{sign}{yuan}.{cents:02d}"
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_money_column(
    rng: np.random.Generator, fen: np.ndarray, p: tuple[float, ...] = (0.35, 0.25, 0.15, 0.15, 0.10)
) -> list[str]:
    styles = np.array(MONEY_STYLES)[rng.choice(len(MONEY_STYLES), size=len(fen), p=p)]
    full = rng.random(len(fen)) < 0.3  # some systems write the full-width ￥
    out = [format_money(int(f), str(s)) for f, s in zip(fen.tolist(), styles, strict=True)]
    return [t.replace("¥", "￥") if fw else t for t, fw in zip(out, full.tolist(), strict=True)]


# ---- dates ------------------------------------------------------------------------------------
DATE_STYLES = ("iso", "slash", "cn", "compact")


def format_date_column(
    rng: np.random.Generator, days: np.ndarray, p: tuple[float, ...] = (0.4, 0.25, 0.2, 0.15)
) -> list[str]:
    """Epoch days -> 2024-03-05 / 2024/3/5 / 2024年3月5日 / 20240305 (empty for -1)."""
    iso = np.datetime_as_string(np.maximum(days, 0).astype("datetime64[D]"))
    styles = rng.choice(len(DATE_STYLES), size=len(days), p=p)
    out = []
    for d, s, ok in zip(iso.tolist(), styles.tolist(), (days >= 0).tolist(), strict=True):
        if not ok:
            out.append("")
            continue
        y, m, dd = d.split("-")
        out.append(
            d
            if s == 0
            else f"{y}/{int(m)}/{int(dd)}"
            if s == 1
            else f"{y}年{int(m)}月{int(dd)}日"
            if s == 2
            else f"{y}{m}{dd}"
        )
    return out


def format_datetime_column(minutes: np.ndarray, slash: bool = False) -> list[str]:
    """Epoch minutes -> '2024-03-05 14:05:00' (or '2024/3/5 14:05'); '' for -1."""
    stamps = np.datetime_as_string(np.maximum(minutes, 0).astype("datetime64[m]"))
    out = []
    for s, ok in zip(stamps.tolist(), (minutes >= 0).tolist(), strict=True):
        if not ok:
            out.append("")
        elif slash:
            d, t = s.split("T")
            y, m, dd = d.split("-")
            out.append(f"{y}/{int(m)}/{int(dd)} {t}")
        else:
            out.append(s.replace("T", " ") + ":00")
    return out
