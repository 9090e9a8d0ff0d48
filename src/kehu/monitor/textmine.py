"""Text mining for feedback: jieba segmentation with a domain dictionary, stop words,
keyword matching, and the rule + keyword classifier (产品咨询 / 售后服务 / 投诉 / 建议).

Pure functions over strings; `kehu.monitor.feedback` applies them to tickets and surveys.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jieba

from kehu.config import FeedbackCategory, FeedbackSettings

_ASCII_WORD = re.compile(r"^[a-z][a-z'\-]*[a-z]$|^[a-z]$")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_LOCK = threading.Lock()


def _data_lines(name: str) -> list[str]:
    text = resources.files("kehu.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def base_stopwords() -> frozenset[str]:
    return frozenset(_data_lines("stopwords_zh.txt") + _data_lines("stopwords_en.txt"))


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and lower case: what keyword matching sees."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=4)
def _tokenizer(extra: tuple[str, ...]) -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with _LOCK:
        tok.initialize()
        for line in _data_lines("feedback_dict.txt"):
            word, *rest = line.split()
            freq = int(rest[0]) if rest and rest[0].isdigit() else None
            tok.add_word(word, freq)
        for word in extra:
            if _HAS_CJK.search(word):
                tok.add_word(word, 2000)
    return tok


class Segmenter:
    """Splits zh/en text into issue terms (stop words, numbers and punctuation removed)."""

    def __init__(self, settings: FeedbackSettings) -> None:
        words = set(settings.extra_words)
        for group in (*settings.categories, *settings.topics):
            words.update(group.keywords)
        self._tok = _tokenizer(tuple(sorted(words)))
        self.stop = base_stopwords() | {normalize(w) for w in settings.extra_stopwords}
        self.min_chars = settings.min_term_chars

    def terms(self, text: str) -> list[str]:
        out = []
        for raw in self._tok.lcut(normalize(text)):
            token = raw.strip()
            if not token or token in self.stop:
                continue
            if _HAS_CJK.search(token):
                if len(token) >= self.min_chars:
                    out.append(token)
            elif _ASCII_WORD.match(token) and len(token) >= max(3, self.min_chars):
                out.append(token)
        return out


def keyword_hits(text: str, keywords: list[str]) -> list[str]:
    """Keywords present in `text` (English ones on word boundaries, Chinese as substrings)."""
    norm = normalize(text)
    hits = []
    for kw in keywords:
        k = normalize(kw)
        if not k:
            continue
        if _HAS_CJK.search(k):
            if k in norm:
                hits.append(kw)
        elif re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", norm):
            hits.append(kw)
    return hits


@dataclass(frozen=True)
class Classification:
    code: str
    method: str  # source | keywords | default
    scores: dict[str, float]


def category_of_label(label: str | None, categories: list[FeedbackCategory]) -> str | None:
    """The category code for a source label (code, zh or en; case-insensitive)."""
    if not isinstance(label, str) or not label.strip():
        return None
    want = normalize(label).strip()
    for c in categories:
        if want in {normalize(c.code), normalize(c.zh), normalize(c.en)}:
            return c.code
    return None


def classify(
    text: str,
    settings: FeedbackSettings,
    *,
    source_category: str | None = None,
    detractor: bool = False,
) -> Classification:
    """Rules first (a known source category; a detractor's comment leans to complaint), then
    keyword scores; ties go to the category listed first; no hit → the default category."""
    known = category_of_label(source_category, settings.categories)
    if known and settings.trust_source_category:
        return Classification(known, "source", {})
    scores = {c.code: float(len(keyword_hits(text, c.keywords))) for c in settings.categories}
    complaint = next((c.code for c in settings.categories if c.code == "complaint"), None)
    if detractor and settings.detractor_is_complaint and complaint:
        scores[complaint] += 1.5
    best = max(settings.categories, key=lambda c: scores[c.code])  # first wins ties
    if scores[best.code] <= 0:
        return Classification(settings.default_category, "default", scores)
    return Classification(best.code, "keywords", scores)
