"""Which text encoding a delimited file uses: BOM sniff → strict UTF-8 → GB18030.

Exports from Chinese Windows software are GBK/GB18030 without a BOM; Excel's "CSV UTF-8"
has a BOM; "Unicode text" is UTF-16 with a BOM. The UTF-8 check reads the whole file in
chunks (a single GBK character in the last row decides); GB18030 is then checked on the
first megabyte, and the reader decodes the rest strictly. charset-normalizer is consulted
only when neither fits.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from kehu.errors import KehuError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# GBK and GB2312 are subsets of GB18030: decoding with the superset reads them all.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030"}
CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Encoding:
    name: str  # a Python codec name
    bom_length: int  # bytes to skip at the start
    how: str  # bom | utf-8 | gb18030 | override | detected

    @property
    def label(self) -> str:
        return f"{self.name} (BOM)" if self.bom_length else self.name


def canonical_codec(name: str) -> str:
    """Python's codec name for a user-given encoding (gbk → gb18030, see module doc)."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise KehuError(
            f"不认识的编码 {name!r}(可用如 utf-8、gb18030、gbk、utf-16)",
            f"unknown encoding {name!r} (try utf-8, gb18030, gbk, utf-16)",
        ) from None
    return _SUPERSETS.get(codec.replace("-", "_"), codec)


def sniff_bom(head: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return None


def decodes(path: Path, codec: str, start: int = 0) -> bool:
    """True when the whole file decodes strictly with `codec` (read in chunks)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(start)
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _head_decodes(head: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)(errors="strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, override: str | None = None) -> Encoding:
    """The encoding of a delimited text file (see the module doc for the order)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    bom = sniff_bom(head)
    if override:
        codec = canonical_codec(override)
        skip = bom[1] if bom and codecs.lookup(bom[0]).name == codecs.lookup(codec).name else 0
        if codec.startswith("utf-16") and codec not in ("utf-16-le", "utf-16-be") and bom:
            codec, skip = bom[0], bom[1]
        if not decodes(path, codec, skip):
            raise KehuError(
                f"{path} 不是有效的 {override} 编码文本;去掉 --encoding 让 kehu 自动识别",
                f"{path} is not valid {override} text; drop --encoding to let kehu detect it",
            )
        return Encoding(codec, skip, "override")
    if bom:
        return Encoding(bom[0], bom[1], "bom")
    if decodes(path, "utf-8"):
        return Encoding("utf-8", 0, "utf-8")
    if _head_decodes(head, "gb18030"):
        # The reader decodes strictly, so a bad byte further on still stops the import.
        return Encoding("gb18030", 0, "gb18030")
    guess = _charset_normalizer_guess(head)
    if guess and decodes(path, guess):
        return Encoding(guess, 0, "detected")
    raise KehuError(
        f"无法识别 {path} 的编码(既不是 UTF-8 也不是 GB18030/GBK);请用 --encoding 指定",
        f"cannot tell the encoding of {path} (neither UTF-8 nor GB18030/GBK); pass --encoding",
    )


def _charset_normalizer_guess(head: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None
