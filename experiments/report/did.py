"""Difference in differences for a staggered adoption, territories as units.

The estimator is the simple aggregation of group-time average treatment effects on the
treated of Callaway and Sant'Anna (2021), with the units never treated within the panel as
controls and the year before adoption as each cohort's base period:

    ATT(g, t) = mean_{i in g} (y_it - y_i,g-1) - mean_{j in C} (y_jt - y_j,g-1),   t >= g
    ATT       = sum over cells (g, t >= g) of n_g ATT(g, t) / sum over cells of n_g

where g is the first year a territory practises the new right (its cohort), n_g the
cohort's size and C the territories not treated before the panel ends. Writing
``D_i^g = mean_{t >= g} y_it - y_i,g-1`` and ``w_g = n_g L_g / sum n_h L_h`` (``L_g`` post
years of cohort g), ``ATT = sum_g w_g (mean_{i in g} D_i^g - mean_{j in C} D_j^g)``. Units
are independent, so its variance is ``sum_g w_g^2 var(D^g | g) / n_g + var(E | C) / n_C``
with ``E_j = sum_g w_g D_j^g``; the test is two-sided on ``ATT / se`` against a normal law.
Two-way fixed effects regressions are not used: with staggered adoption and effects that
grow after adoption they weigh already-treated units as controls (Goodman-Bacon 2021).

References
----------
Callaway, B., Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. Journal of Econometrics 225(2), 200-230. doi:10.1016/j.jeconom.2020.12.001
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
Journal of Econometrics 225(2), 254-277. doi:10.1016/j.jeconom.2021.03.014
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Cohort of a territory never treated within the panel.
NEVER = -1

#: Two-sided 5% critical value of the normal law.
Z_975 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """The aggregated effect, its standard error, z, two-sided p-value and sample sizes."""

    att: float
    se: float
    z: float
    p: float
    treated: int
    controls: int

    @property
    def significant(self) -> bool:
        return self.p < 0.05


def estimate(y: np.ndarray, cohort: np.ndarray) -> Estimate:
    """The ATT of a panel.

    Parameters
    ----------
    y : array (units, years)
        The observed outcome of each territory each year.
    cohort : int array (units,)
        The year (column of ``y``) a territory is first treated, or :data:`NEVER`. A cohort
        at or after the last year counts as never treated within the panel; cohort 0 (no
        year before adoption) is refused.

    Raises
    ------
    ValueError
        Without a treated cohort observed after adoption, with fewer than two controls or
        two units in a cohort, or with a cohort treated from the first year.
    """
    y = np.asarray(y, dtype=float)
    cohort = np.asarray(cohort, dtype=np.int64)
    years = y.shape[1]
    if y.ndim != 2 or cohort.shape != (y.shape[0],):
        raise ValueError(f"expected y (units, years) and one cohort per unit; found {y.shape}, {cohort.shape}")
    cohort = np.where((cohort == NEVER) | (cohort >= years), NEVER, cohort)
    if np.any(cohort == 0):
        raise ValueError("a cohort treated in the first year has no base period; expected cohorts >= 1")
    control = cohort == NEVER
    groups = [g for g in np.unique(cohort) if g != NEVER]
    if not groups or control.sum() < 2:
        raise ValueError(f"expected treated cohorts and >= 2 controls; found {len(groups)} cohorts, "
                         f"{int(control.sum())} controls")
    sizes = np.array([np.count_nonzero(cohort == g) for g in groups], dtype=float)
    if sizes.min() < 2:
        raise ValueError("expected at least 2 territories per cohort")
    post = np.array([years - g for g in groups], dtype=float)
    w = sizes * post / np.sum(sizes * post)
    att = 0.0
    var = 0.0
    e_control = np.zeros(int(control.sum()))
    for wg, g in zip(w, groups, strict=True):
        d = y[:, g:].mean(axis=1) - y[:, g - 1]
        dg = d[cohort == g]
        att += wg * dg.mean()
        var += wg ** 2 * dg.var(ddof=1) / len(dg)
        e_control += wg * d[control]
    att -= e_control.mean()
    var += e_control.var(ddof=1) / len(e_control)
    se = math.sqrt(var)
    z = att / se if se > 0 else (0.0 if att == 0 else math.copysign(math.inf, att))
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return Estimate(float(att), se, float(z), p, int(sizes.sum()), int(control.sum()))


def staggered_cohorts(n: int, share: float, first: int, spread: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Cohorts of ``n`` territories: ``round(share * n)`` of them, drawn at random, adopt in
    years ``first`` to ``first + spread - 1`` in turn (as equal as can be); the others never."""
    treated = int(round(share * n))
    cohort = np.full(n, NEVER, dtype=np.int64)
    who = rng.permutation(n)[:treated]
    cohort[who] = first + np.arange(treated) % spread
    return cohort
