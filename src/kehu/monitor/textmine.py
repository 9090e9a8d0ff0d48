"""Text mining for feedback: jieba segmentation with a domain dictionary, stop words,
phrase candidates, keyword matching, and the rule + keyword classifier
(产品咨询 / 售后服务 / 投诉 / 建议).

Phrases are runs of adjacent content words inside one clause (jieba with part-of-speech
tags): a stop word, a number, a model code or punctuation ends a run, so every phrase is a
literal substring of its (normalised) text and a quote always contains it. Generic words
(服务, 年度, 提供, ...: `data/feedback_generic.txt`) may sit inside a phrase but never make one
on their own. Choosing the topics among the candidates is `select_topics`.

Pure functions over strings; `kehu.monitor.feedback` applies them to tickets and surveys.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg

from kehu.config import FeedbackCategory, FeedbackSettings
from kehu.datafiles import read_lines

_ASCII_WORD = re.compile(r"^[a-z][a-z'\-]*[a-z]$|^[a-z]$")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def base_stopwords() -> frozenset[str]:
    return frozenset(read_lines("stopwords_zh.txt") + read_lines("stopwords_en.txt"))


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Words too general to be a topic alone (they still count inside a phrase)."""
    return frozenset(read_lines("feedback_generic.txt"))


# Part-of-speech tags that end a phrase: numerals, measure words, pronouns, prepositions,
# conjunctions, particles, locatives, time words, interjections. (Adverb tags are not among
# them: jieba tags 异常 in 通讯异常 as one; adverbs that matter are stop words instead.)
_BREAK_TAGS = ("m", "q", "r", "p", "c", "u", "f", "t", "e", "y", "o", "z")
_MODEL_CODE = re.compile(r"\d|^\w{1,2}$", re.ASCII)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and lower case: what keyword matching sees."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=4)
def _tokenizer(extra: tuple[str, ...]) -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with _LOCK:
        tok.initialize()
        for line in read_lines("feedback_dict.txt"):
            word, *rest = line.split()
            freq = int(rest[0]) if rest and rest[0].isdigit() else None
            tok.add_word(word, freq, rest[1] if len(rest) > 1 else None)
        for word in extra:
            if _HAS_CJK.search(word):
                tok.add_word(word, 2000)
    return tok


class Segmenter:
    """Splits zh/en text into issue terms (stop words, numbers and punctuation removed)."""

    def __init__(self, settings: FeedbackSettings) -> None:
        words = set(settings.extra_words)
        words.update(w for c in settings.categories for w in c.keywords)
        words.update(w for t in settings.topics for w in t.keywords)
        self._tok = _tokenizer(tuple(sorted(words)))
        self.stop = base_stopwords() | {normalize(w) for w in settings.extra_stopwords}
        self.min_chars = settings.min_term_chars

        self.generic = generic_words() | {normalize(w) for w in settings.generic_words}
        self._pos = jieba.posseg.POSTokenizer(self._tok)
        self._cache: dict[str, list[str]] = {}
        self.parts: dict[str, tuple[str, ...]] = {}  # phrase -> its words

    def _term(self, token: str) -> bool:
        if not token or token in self.stop:
            return False
        if _HAS_CJK.search(token):
            return len(token) >= self.min_chars
        return bool(_ASCII_WORD.match(token)) and len(token) >= max(3, self.min_chars)

    def terms(self, text: str) -> list[str]:
        """Content words of a text, in order (stop words, numbers, punctuation dropped)."""
        return [t.strip() for t in self._tok.lcut(normalize(text)) if self._term(t.strip())]

    def phrases(self, text: str, longest: int = 3) -> list[str]:
        """Distinct phrase candidates of 1..`longest` adjacent content words (cached per text).

        Single words must not be generic; a longer phrase needs one word that is not generic.
        English words are joined with a space, Chinese ones directly, as in the text.
        """
        norm = normalize(text)
        if norm in self._cache:
            return self._cache[norm]
        runs: list[list[str]] = [[]]
        gap = False
        for pair in self._pos.lcut(norm):
            word, flag = pair.word, pair.flag
            if word.isspace():
                gap = True
                continue
            content = self._term(word) and (flag == "eng" or not flag.startswith(_BREAK_TAGS))
            if content and not _HAS_CJK.search(word) and _MODEL_CODE.search(word):
                content = False  # KH-PLC200, SCADA's model codes are names, not issues
            if not content or (gap and _HAS_CJK.search(word)):
                runs.append([])
            if content:
                runs[-1].append(word)
            gap = False
        out: dict[str, None] = {}
        for run in runs:
            for i in range(len(run)):
                for j in range(i + 1, min(i + longest, len(run)) + 1):
                    words = run[i:j]
                    if all(w in self.generic for w in words):
                        continue
                    phrase = _join(words)
                    out[phrase] = None
                    self.parts.setdefault(phrase, tuple(words))
        self._cache[norm] = list(out)
        return self._cache[norm]


def _join(words: list[str]) -> str:
    text = words[0]
    for w in words[1:]:
        text += (" " if not _HAS_CJK.search(text[-1] + w[0]) else "") + w
    return text


def select_topics(
    docs: list[list[str]],
    top: int,
    min_count: int = 2,
    *,
    others: list[list[str]] | None = None,
    min_lift: float = 1.0,
    parts: dict[str, tuple[str, ...]] | None = None,
    corpus: list[list[str]] | None = None,
    min_cohesion: float = 0.5,
) -> list[str]:
    """The `top` phrases found in the most documents, one per finding, most frequent first.

    `others` are the texts outside the topic categories (inquiries, service requests): a
    phrase must be at least `min_lift` times as common in `docs` as in all texts together,
    so product names and the like, said everywhere, do not become findings (when `docs` are
    nearly all the texts, half the highest lift possible is enough).
    A phrase of several words (`parts`) must be cohesive in `corpus` (all texts, all
    periods): seen in ≥ `min_cohesion` of the texts holding its rarest word, so a chance
    neighbourhood (变频器 + 固件) is not a phrase while 通讯 + 异常 is.
    Two candidates are one finding when one contains the other and they share ≥ 80 % of
    the smaller one's texts, or when (almost) always seen together (Jaccard ≥ 0.8): the more
    frequent stands, except that a longer phrase seen in nearly the same texts replaces the
    shorter one (发票开具错误 over 发票).
    """
    where = _postings(docs)
    elsewhere = _postings(others or [])
    n_all = len(docs) + len(others or [])

    def lift(p: str) -> float:
        everywhere = len(where[p]) + len(elsewhere.get(p, ()))
        return (len(where[p]) / len(docs)) / (everywhere / n_all)

    # a phrase said only in `docs` has lift n_all / len(docs); when `docs` are nearly all the
    # texts, ask for half of that headroom instead of `min_lift`
    min_lift = min(min_lift, (1 + n_all / max(len(docs), 1)) / 2)

    whole = _postings(corpus) if corpus is not None and parts else {}

    def cohesive(p: str) -> bool:
        words = (parts or {}).get(p, (p,))
        if len(words) < 2 or p not in whole:
            return True
        seen = [len(whole[w]) for w in words if w in whole]  # generic words stand alone nowhere
        return not seen or len(whole[p]) >= min_cohesion * min(seen)

    ranked = sorted(
        (
            p
            for p, ids in where.items()
            if len(ids) >= min_count and lift(p) >= min_lift and cohesive(p)
        ),
        key=lambda p: (-len(where[p]), -len(p), p),
    )
    chosen: list[str] = []
    for p in ranked:
        twin = next((k for k, q in enumerate(chosen) if _same(p, q, where)), None)
        if twin is None:
            if len(chosen) < top:
                chosen.append(p)
        elif chosen[twin] in p and _jaccard(where[p], where[chosen[twin]]) >= 0.8:
            chosen[twin] = p
    return sorted(chosen, key=lambda p: (-len(where[p]), -len(p), p))


def _postings(docs: list[list[str]]) -> dict[str, set[int]]:
    where: dict[str, set[int]] = {}
    for i, phrases in enumerate(docs):
        for p in phrases:
            where.setdefault(p, set()).add(i)
    return where


def _same(p: str, q: str, where: dict[str, set[int]]) -> bool:
    a, b = where[p], where[q]
    if p in q or q in p:
        return len(a & b) / min(len(a), len(b)) >= 0.8
    return _jaccard(a, b) >= 0.8


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b)


@lru_cache(maxsize=4096)
def _keyword_matcher(keyword: str) -> tuple[str, re.Pattern[str] | None]:
    """A keyword normalized, with its word-boundary pattern (None: matched as a substring)."""
    k = normalize(keyword)
    if not k or _HAS_CJK.search(k):
        return k, None
    return k, re.compile(rf"(?<![a-z]){re.escape(k)}(?![a-z])")


def keyword_hits(text: str, keywords: list[str]) -> list[str]:
    """Keywords present in `text` (English ones on word boundaries, Chinese as substrings)."""
    norm = normalize(text)
    hits = []
    for kw in keywords:
        k, pattern = _keyword_matcher(kw)
        if not k:
            continue
        if pattern is None:
            if k in norm:
                hits.append(kw)
        elif pattern.search(norm):
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
