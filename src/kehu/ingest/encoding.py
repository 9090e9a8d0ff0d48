"""Which text encoding a delimited file uses: BOM sniff → strict UTF-8 → GB18030.

Exports from Chinese Windows software are GBK/GB18030 without a BOM; Excel's "CSV UTF-8"
has a BOM; "Unicode text" is UTF-16 with a BOM. The UTF-8 check reads the whole file in
chunks (a single GBK character in the last row decides); GB18030 is then checked on the
first megabyte, and the reader decodes the rest strictly. charset-normalizer is consulted
only when neither fits. A UTF-8 BOM is checked too: some tools put one in front of GBK text.

A file cut off in the middle of a character (an interrupted copy or download) is not a
different encoding: the incomplete bytes at the end are counted in `tail`, the reader drops
them and rejects the last row as truncated.
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
    how: str  # bom | bom-mismatch | utf-8 | gb18030 | override | detected
    tail: int = 0  # bytes of an incomplete character at the very end (a truncated file)

    @property
    def label(self) -> str:
        if self.how == "bom-mismatch":
            return f"{self.name} (UTF-8 BOM)"
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


def scan(path: Path, codec: str, start: int = 0) -> int | None:
    """Decode the whole file strictly with `codec` (in chunks): None when a byte does not
    fit, else the number of bytes of an incomplete character left at the end (0 normally)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(start)
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
    pending = decoder.getstate()[0]
    return len(pending) if isinstance(pending, bytes) else 0


def decodes(path: Path, codec: str, start: int = 0) -> bool:
    """True when the whole file decodes strictly with `codec` (a truncated last character
    included: see `scan`)."""
    return scan(path, codec, start) is not None


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(("utf-16", "utf-32"))


def _last_line_tail(path: Path, codec: str) -> int:
    """Incomplete bytes at the end of an ASCII-compatible file, from its last line only (the
    GB18030 check reads only the head; a newline byte never occurs inside a character)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - (1 << 16)))
        end = fh.read()
    cut = end.rfind(b"\n")
    if cut < 0 and size > len(end):
        return 0  # a last line over 64 KiB: the reader's strict decoding decides
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(end[cut + 1 :])
    except UnicodeDecodeError:
        return 0
    pending = decoder.getstate()[0]
    return len(pending) if isinstance(pending, bytes) else 0


def _unit_tail(path: Path, codec: str, start: int) -> int:
    unit = 4 if codec.startswith("utf-32") else 2
    return (path.stat().st_size - start) % unit


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
        return _forced(path, override, bom)
    if bom and bom[0] == "utf-8":
        return _utf8_bom(path, head)
    if bom:
        return Encoding(bom[0], bom[1], "bom", _unit_tail(path, bom[0], bom[1]))
    if (tail := scan(path, "utf-8")) is not None:
        return Encoding("utf-8", 0, "utf-8", tail)
    if _head_decodes(head, "gb18030"):
        # The reader decodes strictly, so a bad byte further on still stops the import.
        return Encoding("gb18030", 0, "gb18030", _last_line_tail(path, "gb18030"))
    guess = _charset_normalizer_guess(head)
    if guess and (tail := scan(path, guess)) is not None:
        return Encoding(guess, 0, "detected", tail)
    raise KehuError(
        f"无法识别 {path} 的编码(既不是 UTF-8 也不是 GB18030/GBK);请用 --encoding 指定",
        f"cannot tell the encoding of {path} (neither UTF-8 nor GB18030/GBK); pass --encoding",
    )


def _forced(path: Path, override: str, bom: tuple[str, int] | None) -> Encoding:
    codec = canonical_codec(override)
    skip = bom[1] if bom and codecs.lookup(bom[0]).name == codecs.lookup(codec).name else 0
    if codec.startswith("utf-16") and codec not in ("utf-16-le", "utf-16-be") and bom:
        codec, skip = bom[0], bom[1]
    if bom and bom[0] == "utf-8" and _ascii_compatible(codec):
        skip = bom[1]  # a UTF-8 BOM in front of GBK text: never part of the text
    tail = scan(path, codec, skip)
    if tail is None:
        raise KehuError(
            f"{path} 不是有效的 {override} 编码文本;去掉 --encoding 让 kehu 自动识别",
            f"{path} is not valid {override} text; drop --encoding to let kehu detect it",
        )
    return Encoding(codec, skip, "override", tail if _ascii_compatible(codec) else 0)


def _utf8_bom(path: Path, head: bytes) -> Encoding:
    """A UTF-8 BOM is believed when the text after it is UTF-8; some tools write one in
    front of GB18030 text, which is then read as such (and labelled)."""
    n = len(codecs.BOM_UTF8)
    if (tail := scan(path, "utf-8", n)) is not None:
        return Encoding("utf-8", n, "bom", tail)
    if _head_decodes(head[n:], "gb18030") and (tail := scan(path, "gb18030", n)) is not None:
        return Encoding("gb18030", n, "bom-mismatch", tail)
    raise KehuError(
        f"{path} 以 UTF-8 BOM 开头,但内容不是 UTF-8(也不是 GB18030);"
        "请用 --encoding 指定文件的真实编码(如 --encoding gbk)",
        f"{path} starts with a UTF-8 BOM but its text is not UTF-8 (nor GB18030); "
        "pass the file's real encoding with --encoding (e.g. --encoding gbk)",
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
