"""The effect estimators against scipy and a published worked example."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kehu.analytics.effect import compare, matched
from kehu.analytics.intervals import newcombe, wilson


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, table II (a): 56/70 vs 48/80, method 10
    d, low, high = newcombe(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_agrees_with_scipy(kn: tuple[int, int]) -> None:
    k, n = kn
    ref = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson(k, n) == pytest.approx((ref.low, ref.high), abs=1e-9)


@given(st.integers(1, 300), st.integers(1, 300), st.integers(1, 300), st.integers(1, 300))
def test_newcombe_contains_the_difference_and_stays_within_minus_one_to_one(
    k1: int, n1: int, k0: int, n0: int
) -> None:
    k1, k0 = min(k1, n1), min(k0, n0)
    d, low, high = newcombe(k1, n1, k0, n0)
    assert -1 <= low <= d <= high <= 1


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(5, 200), st.integers(5, 200))
def test_welch_interval_agrees_with_scipy(seed: int, n1: int, n0: int) -> None:
    rng = np.random.default_rng(seed)
    x1, x0 = rng.gamma(2, 100, n1), rng.gamma(3, 50, n0)
    e = compare("mean", x1, x0, min_n=2)
    ref = stats.ttest_ind(x1, x0, equal_var=False).confidence_interval(0.95)
    assert e.diff == pytest.approx(x1.mean() - x0.mean())
    assert (e.low, e.high) == pytest.approx((ref.low, ref.high))


def test_below_the_minimum_n_there_is_no_interval() -> None:
    e = compare("rate", np.ones(10), np.zeros(40), min_n=30)
    assert not e.enough and e.low is None and e.high is None and e.diff == 1.0


def test_matching_removes_the_bias_of_a_confounded_comparison() -> None:
    """Treatment goes to the risky customers; the naive difference makes a helpful playbook
    look harmful, the matched one recovers the planted effect (-0.1) on the treated."""
    rng = np.random.default_rng(11)
    risk = rng.uniform(0, 1, 6000)
    treated = rng.random(6000) < risk  # selection on the feature
    churn = (rng.random(6000) < 0.2 + 0.6 * risk - 0.1 * treated).astype(float)
    naive = churn[treated].mean() - churn[~treated].mean()
    e = matched(
        "rate", risk[treated, None], churn[treated], risk[~treated, None], churn[~treated], 30
    )
    assert naive > 0.1  # the naive comparison gets the sign wrong
    assert e.low < -0.1 < e.high and e.high < 0
