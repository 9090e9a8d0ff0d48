"""Pareto/NBD's A0 by quadrature (used when β > QUAD_RATIO·α, where SciPy's 2F1 is slow)
agrees with the hypergeometric form on light and heavy buyers."""

from __future__ import annotations

import numpy as np
import pytest

from kehu.analytics.clv import paretonbd


@pytest.mark.parametrize(
    "theta",
    [(1.1, 7.5, 5.0, 3000.0), (1.0, 1.0, 12.0, 200.0), (0.5, 2.0, 3.0, 900.0)],
)
def test_quadrature_matches_the_hypergeometric_form(
    theta: tuple[float, float, float, float],
) -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([np.zeros(50), rng.integers(1, 30, 100), rng.integers(40, 300, 50)])
    T = rng.uniform(20.0, 140.0, len(x))
    t_x = np.where(x > 0, T * rng.uniform(0.05, 0.999, len(x)), 0.0)
    quad = paretonbd._log_a0_quad(theta, x.astype(float), t_x, T)
    ratio = paretonbd.QUAD_RATIO
    try:
        paretonbd.QUAD_RATIO = np.inf  # the 2F1 path for the same rows
        exact = paretonbd._log_a0(theta, x.astype(float), t_x, T)
    finally:
        paretonbd.QUAD_RATIO = ratio
    assert np.isfinite(quad).all()
    ok = np.isfinite(exact)  # SciPy's 2F1 returns NaN for some heavy buyers here
    assert ok.mean() > 0.9
    assert quad[ok] == pytest.approx(exact[ok], abs=1e-7)
