"""Customer lifetime value: BG/NBD or Pareto/NBD purchases + Gamma-Gamma spend.

Public API (CONTRACTS.md): `compute_clv` (from orders), `clv_from_summary` (from
`purchase_facts` rows), `ClvOutput`, `fit_bgnbd`, `fit_pareto_nbd`,
`fit_gamma_gamma`, `p_no_purchase` (P(no purchase within h), the churn baseline).
Each model lives in its own module with its likelihood, its conditional
expectations and the paper it comes from.
"""

from kehu.analytics.clv.bgnbd import fit_bgnbd
from kehu.analytics.clv.compute import ClvOutput, clv_from_summary, compute_clv, discount_weights
from kehu.analytics.clv.fitting import FitResult
from kehu.analytics.clv.gammagamma import fit_gamma_gamma
from kehu.analytics.clv.horizon import p_no_purchase
from kehu.analytics.clv.paretonbd import fit_pareto_nbd
from kehu.analytics.clv.summary import purchase_summary, summary_frame

__all__ = [
    "ClvOutput",
    "FitResult",
    "clv_from_summary",
    "compute_clv",
    "discount_weights",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "p_no_purchase",
    "purchase_summary",
    "summary_frame",
]
