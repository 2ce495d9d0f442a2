"""The mathematics of a partitioned LCA, as pure functions (no Brightway, no I/O).

Notation (Heijungs & Suh): technosphere matrix ``A`` (activities x activities; production on
the diagonal, inputs negative), biosphere matrix ``B`` (flows x activities), characterization
factors ``c`` (flows). For a demand ``f`` the supply is ``s = A^-1 f`` and the score is
``h = c^T B s``.

pcf's activities split into a background ``G`` (``pcf-background``: no parameters, never
consumes the foreground) and a product's foreground ``F`` (``pcf-products``). With the rows
and columns ordered (F, G), ``A`` is block lower-triangular::

    A = | A_FF   0   |        s_F = A_FF^-1 f_F
        | A_GF  A_GG |        s_G = -A_GG^-1 A_GF s_F

so ``h = c^T B_F s_F + lambda_G^T (-A_GF s_F)`` with the *cumulative* background impacts
``lambda_G = A_GG^-T B_G^T c`` (kg CO2e per unit of each background activity). ``lambda_G`` does
not depend on the parameters and is computed once; a parameter set only changes ``A_FF``,
``A_GF`` and ``B_F``, a system of a few dozen activities.

Each term of that sum is one *first-tier contribution* from the foreground's point of view:
an input from the background (``amount x lambda``) or a direct emission of a foreground activity
(``amount x c``). The terms sum to ``h`` exactly, by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported on use: a cached engine never needs it (issue 21)
    from scipy.sparse import csc_matrix


def cumulative_impacts(technosphere: csc_matrix, biosphere, cf: np.ndarray) -> np.ndarray:
    """Return ``lambda = A^-T B^T C``: impact per unit of output of every activity.

    Parameters
    ----------
    technosphere : sparse (n, n)
        ``A``.
    biosphere : sparse (m, n)
        ``B``.
    cf : ndarray (m, k)
        Characterization factors of ``k`` methods (kg CO2e per unit of each flow).

    Returns
    -------
    ndarray (n, k)
        kg CO2e per unit of each activity's reference flow, one column per method.
    """
    from scipy.sparse import csc_matrix
    from scipy.sparse.linalg import splu

    rhs = np.asarray(biosphere.T @ cf)
    lu = splu(csc_matrix(technosphere.T))
    return lu.solve(rhs)


def supply(a_ff: np.ndarray, reference: int) -> np.ndarray:
    """Return ``s_F = A_FF^-1 e_ref``: supply of each foreground activity per unit of the
    reference activity (dimensionless multipliers of each activity's reference flow).

    Parameters
    ----------
    a_ff : ndarray (n, n)
        Foreground technosphere matrix.
    reference : int
        Index of the reference activity.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a_ff`` is singular (a foreground loop that produces nothing net); the validator's
        reachability and production rules keep built products from this.
    """
    demand = np.zeros(a_ff.shape[0])
    demand[reference] = 1.0
    return np.linalg.solve(a_ff, demand)
