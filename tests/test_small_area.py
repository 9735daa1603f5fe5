"""Fay–Herriot small-area estimates (auditlib.estimation.small_area).

REML and ML are checked against R ``metafor`` (``rma`` fits exactly the Fay–Herriot model,
tau² = A; ``blup()`` gives the EBLUPs and the g1 + g2 standard errors) on the committed
datasets of ``tests/r/fay_herriot_data.csv`` (numpy seed 20261202, see
``tests/r/fay_herriot.R``), whose output is ``tests/r/fay_herriot_reference.csv``. Both sides
solve the score equation to ~1e-14 (metafor: Fisher scoring with threshold 1e-14; here
Brent's method, relative tolerance 1e-14), so the tolerance is 1e-8 relative; the largest
difference seen is about 1e-10 (ML tau² of m12, a flat likelihood). The adjusted REML of
Li & Lahiri is not in metafor: its objective, its positivity and the closed-form g1, g2, g3
are checked by direct computation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from auditlib.errors import DesignError
from auditlib.estimation.small_area import (
    FH_METHODS,
    fay_herriot,
    mse_components,
    smoothed_sampling_variances,
    variance_objective,
)

HERE = Path(__file__).parent / "r"
DATA = pd.read_csv(HERE / "fay_herriot_data.csv")
CASES = [f"{name}_{method}" for name in ("m8", "m12", "m20") for method in ("reml", "ml")]
RTOL = 1e-8
UNBOUNDED = (-np.inf, np.inf)


def _dataset(name: str) -> tuple[pd.DataFrame, np.ndarray]:
    frame = DATA[DATA["dataset"] == name]
    aux = frame[["x1", "x2"]].dropna(axis=1).to_numpy()
    return frame, aux


def _reference(path: Path) -> dict[tuple[str, str], float]:
    frame = pd.read_csv(path)
    return {(c, q): float(v) for c, q, v in frame[["case", "quantity", "value"]].itertuples(False)}


def _compare(reference: dict[tuple[str, str], float], case: str) -> None:
    name, method = case.split("_")
    frame, aux = _dataset(name)
    # The generated y are normal (one is < 0): compare the EBLUP without the [0, 1] clip.
    fit = fay_herriot(
        frame["y"], frame["d"], aux, areas=frame["area"], method=method, bounds=UNBOUNDED
    )
    np.testing.assert_allclose(fit.model_variance, reference[case, "tau2"], rtol=RTOL)
    beta = [reference[case, f"beta_{j}"] for j in range(aux.shape[1] + 1)]
    np.testing.assert_allclose(fit.coefficients, beta, rtol=RTOL)
    blup = [reference[case, f"blup_{area}"] for area in frame["area"]]
    np.testing.assert_allclose(fit.estimate, blup, rtol=RTOL)
    x = np.column_stack([np.ones(len(frame)), aux])
    g1, g2, _, _ = mse_components(fit.model_variance, frame["d"], x, method)
    se = [reference[case, f"blup_se_{area}"] for area in frame["area"]]
    np.testing.assert_allclose(np.sqrt(g1 + g2), se, rtol=RTOL)


@pytest.mark.parametrize("case", CASES)
def test_reml_and_ml_match_metafor(case: str) -> None:
    _compare(_reference(HERE / "fay_herriot_reference.csv"), case)


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
def test_live_r(tmp_path: Path) -> None:
    output = tmp_path / "fay_herriot_reference.csv"
    subprocess.run(
        ["Rscript", str(HERE / "fay_herriot.R"), str(output)], check=True, capture_output=True
    )
    live, committed = _reference(output), _reference(HERE / "fay_herriot_reference.csv")
    assert live.keys() == committed.keys()
    np.testing.assert_allclose(list(live.values()), list(committed.values()), rtol=1e-10)
    for case in CASES:
        _compare(live, case)


def _collapsing() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ten areas whose direct estimates scatter less than their sampling variances imply."""
    z = np.linspace(0.0, 1.0, 10)
    d = np.linspace(0.05, 0.15, 10) ** 2
    wiggle = 0.004 * np.array([1, -1, 0.5, -0.5, 1, -1, 0.5, -0.5, 1, -1])
    return 0.05 + 0.15 * z + wiggle, d, z[:, None]


def test_adjusted_reml_stays_positive_where_reml_collapses() -> None:
    y, d, z = _collapsing()
    assert fay_herriot(y, d, z, method="reml").model_variance == 0.0
    adjusted = fay_herriot(y, d, z, method="adjusted-reml")
    assert adjusted.model_variance > 0
    assert np.all(adjusted.shrinkage < 1)
    assert fay_herriot(y, d, z, method="yoshimori-lahiri").model_variance > 0


@pytest.mark.parametrize("name", ["m8", "m12", "m20", "collapsing"])
def test_adjusted_reml_maximises_a_times_the_restricted_likelihood(name: str) -> None:
    if name == "collapsing":
        y, d, aux = _collapsing()
    else:
        frame, aux = _dataset(name)
        y, d = frame["y"].to_numpy(), frame["d"].to_numpy()
    x = np.column_stack([np.ones(len(y)), aux])
    fit = fay_herriot(y, d, aux, method="adjusted-reml")
    best = variance_objective(fit.model_variance, y, d, x, "adjusted-reml")
    grid = np.geomspace(1e-7, 1.0, 4001)
    assert best >= max(variance_objective(a, y, d, x, "adjusted-reml") for a in grid) - 1e-12
    found = optimize.minimize_scalar(
        lambda t: -variance_objective(np.exp(t), y, d, x, "adjusted-reml"),
        bounds=(np.log(1e-7), 0.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    np.testing.assert_allclose(fit.model_variance, np.exp(found.x), rtol=1e-6)
    # log A + l_RE(A) is log(A L_RE(A)): the REML objective plus log A.
    reml = variance_objective(fit.model_variance, y, d, x, "reml")
    np.testing.assert_allclose(best, reml + np.log(fit.model_variance), rtol=1e-12)


@pytest.mark.parametrize("method", ["reml", "ml", "adjusted-reml", "yoshimori-lahiri"])
@pytest.mark.parametrize("name", ["m8", "m12", "m20"])
def test_estimate_is_a_stationary_point_of_the_objective(method: str, name: str) -> None:
    # The analytic score that Brent's method solves agrees with the objective's derivative.
    frame, aux = _dataset(name)
    y, d = frame["y"].to_numpy(), frame["d"].to_numpy()
    x = np.column_stack([np.ones(len(y)), aux])
    a = fay_herriot(y, d, aux, method=method, bounds=UNBOUNDED).model_variance
    assert a > 0
    h = 1e-5 * a
    slope = variance_objective(a + h, y, d, x, method) - variance_objective(a - h, y, d, x, method)
    curvature = variance_objective([a - h, a, a + h], y, d, x, method) @ [1, -2, 1]
    assert abs(slope / (2 * h)) < 1e-6 * abs(curvature / h**2) * a


def test_g1_g2_g3_against_direct_computation() -> None:
    frame, aux = _dataset("m12")
    d = frame["d"].to_numpy()
    m = d.size
    x = np.column_stack([np.ones(m), aux])
    a = 0.003
    g1, g2, g3, bias = mse_components(a, d, x, "reml")
    v = np.diag(a + d)
    vinv = np.linalg.inv(v)
    hat = x @ np.linalg.inv(x.T @ vinv @ x) @ x.T @ vinv  # y -> X beta~
    for i in range(m):
        # BLUP of theta_i = c'y; its MSE with A known is c'Vc - 2 A c_i + A = g1 + g2.
        c = (1 - d[i] / (a + d[i])) * np.eye(m)[i] + d[i] / (a + d[i]) * hat[i]
        np.testing.assert_allclose(c @ v @ c - 2 * a * c[i] + a, g1[i] + g2[i], rtol=1e-10)
    # g3 = (d gamma_i / dA)^2 (A + D_i) / I(A), gamma = A/(A+D), both derivatives numeric;
    # I(A) = -d2/dA2 of the expected log likelihood E l(A') at A' = A.
    h = 1e-6 * a
    gamma = lambda t: t / (t + d)  # noqa: E731
    slope = (gamma(a + h) - gamma(a - h)) / (2 * h)

    def expected(t: float) -> float:
        return float(-0.5 * np.sum(np.log(t + d) + (a + d) / (t + d)))

    step = 1e-3 * a
    info = -(expected(a + step) - 2 * expected(a) + expected(a - step)) / step**2
    np.testing.assert_allclose(g3, slope**2 * (a + d) / info, rtol=1e-6)
    assert bias == 0.0
    # Adjusted REML: bias of A-hat = (d log A / dA) / I(A) (Li & Lahiri 2010).
    assert mse_components(a, d, x, "adjusted-reml")[3] == pytest.approx(1 / a / info, rel=1e-6)


def test_mse_is_positive_and_at_least_g2_plus_2g3() -> None:
    frame, aux = _dataset("m20")
    x = np.column_stack([np.ones(len(frame)), aux])
    for method in FH_METHODS:
        fit = fay_herriot(frame["y"], frame["d"], aux, method=method)
        _, g2, g3, _ = mse_components(fit.model_variance, fit.sampling_variance, x, method)
        assert np.all(fit.mse >= g2 + 2 * g3 - 1e-18)


def test_fay_herriot_moment_estimator_solves_its_equation() -> None:
    frame, aux = _dataset("m20")
    fit = fay_herriot(frame["y"], frame["d"], aux, method="fay-herriot")
    residual = fit.direct - fit.synthetic
    total = np.sum(residual**2 / (fit.model_variance + fit.sampling_variance))
    assert total == pytest.approx(len(frame) - 3, rel=1e-10)


def _proportions() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y = np.array([0.0, 0.02, 0.10, 0.25, 0.05, 0.15, 0.08, 0.12, 0.0, 0.30, 0.04, 0.07])
    n = np.array([10, 15, 12, 10, 14, 11, 15, 13, 10, 12, 16, 10], dtype=float)
    v = np.where(y > 0, 1.8 * y * (1 - y) / n, 0.0)
    z = np.column_stack([np.linspace(0.02, 0.3, 12), np.cos(np.arange(12.0))])
    return y, v, n, z


def test_smoothed_sampling_variances() -> None:
    y, v, n, _ = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    assert np.all(d > 0)
    assert d[0] > 0 and v[0] == 0
    pooled = np.sum(n * y) / n.sum()
    used = v > 0
    deff = v[used].sum() / np.sum(y[used] * (1 - y[used]) / n[used])
    np.testing.assert_allclose(deff, 1.8)
    np.testing.assert_allclose(d, pooled * (1 - pooled) * deff / n, rtol=1e-12)
    fixed = smoothed_sampling_variances(np.zeros(3), np.zeros(3), [5, 5, 10], design_effect=2.0)
    assert np.all(fixed > 0)
    with pytest.raises(DesignError, match="design_effect"):
        smoothed_sampling_variances(np.zeros(3), np.zeros(3), [5, 5, 10])
    with pytest.raises(DesignError, match="variance"):
        smoothed_sampling_variances(y, -v, n)


def test_benchmarking_holds_exactly_and_inflates_the_mse() -> None:
    y, v, n, z = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    population = np.arange(12.0) * 40 + 200
    plain = fay_herriot(y, d, z)
    for target in (0.11, 0.02, 0.004):
        fit = fay_herriot(y, d, z, benchmark=(population, target))
        assert fit.benchmarked
        assert np.sum(population * fit.estimate) / population.sum() == pytest.approx(
            target, rel=1e-13, abs=1e-15
        )
        assert np.all((fit.estimate >= 0) & (fit.estimate <= 1))
        extra = fit.mse - plain.mse
        assert np.all(extra > 0) and np.ptp(extra) < 1e-15
    with pytest.raises(DesignError, match="benchmark"):
        fay_herriot(y, d, z, benchmark=(population, 1.5))
    with pytest.raises(DesignError, match="benchmark weights"):
        fay_herriot(y, d, z, benchmark=(population[:-1], 0.1))


@pytest.mark.parametrize("method", FH_METHODS)
def test_intervals_stay_within_bounds(method: str) -> None:
    y, v, n, z = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    fit = fay_herriot(y, d, z, method=method, level=0.9)
    assert np.all((fit.lower >= 0) & (fit.upper <= 1))
    assert np.all((fit.lower <= fit.estimate) & (fit.estimate <= fit.upper))
    assert fit.lower.min() == 0.0
    frame = fit.to_frame()
    assert list(frame["area"]) == [str(i + 1) for i in range(12)]
    assert list(frame.columns[:5]) == ["area", "direct", "direct_se", "estimate", "se"]
    np.testing.assert_allclose(frame["se"] ** 2, fit.mse)


def test_intercept_only_model() -> None:
    y, v, n, z = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    fit = fay_herriot(y, d, None, method="reml")
    assert fay_herriot(y, d, np.empty((12, 0)), method="reml").estimate == pytest.approx(
        fit.estimate, rel=1e-12
    )
    w = 1 / (fit.model_variance + d)
    assert fit.coefficients == pytest.approx([np.sum(w * y) / w.sum()], rel=1e-12)
    constant = fay_herriot(y, d, np.column_stack([z[:, 0] * 0 + 3.0]), method="reml")
    assert constant.coefficients.shape == (2,) and constant.coefficients[1] == 0
    assert constant.estimate == pytest.approx(fit.estimate, rel=1e-12)
    assert any("constant" in note for note in constant.notes)


def test_results_do_not_depend_on_area_order() -> None:
    y, v, n, z = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    order = np.random.default_rng(7).permutation(12)
    names = [f"t{i}" for i in range(12)]
    for method in FH_METHODS:
        fit = fay_herriot(y, d, z, areas=names, method=method).to_frame()
        moved = fay_herriot(
            y[order], d[order], z[order], areas=[names[i] for i in order], method=method
        ).to_frame()
        moved = moved.set_index("area").loc[names].reset_index()
        pd.testing.assert_frame_equal(fit, moved, rtol=1e-9, atol=1e-14)


def test_bad_input_is_a_design_error_naming_it() -> None:
    y, v, n, z = _proportions()
    d = smoothed_sampling_variances(y, v, n)
    cases = [
        ((y, d[:-1], z), {}, "sampling_variance has 11 values"),
        ((np.where(y == 0.25, np.nan, y), d, z), {}, "direct has non-finite"),
        ((y, np.where(y == 0.25, -0.01, d), z), {}, "sampling_variance must be > 0"),
        ((y, np.where(y == 0.0, 0.0, d), z), {}, "smoothed_sampling_variances"),
        ((y, d, np.where(z > 0.2, np.inf, z)), {}, "auxiliaries have non-finite"),
        ((y, d, z[:5]), {}, "auxiliaries must be an"),
        ((y, d, z[:5, 0]), {}, "auxiliaries must be an"),
        ((y[:4], d[:4], z[:4]), {}, "at least 5 areas"),
        ((y, d, np.column_stack([z, 2 * z[:, 0]])), {}, "collinear"),
        ((y, d, z), {"method": "bayes"}, "method must be one of"),
        ((y, d, z), {"level": 95}, "level"),
        ((y, d, z), {"areas": ["a"] * 12}, "distinct"),
        ((y, d, z), {"bounds": (1.0, 0.0)}, "bounds"),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(DesignError, match=message):
            fay_herriot(*args, **kwargs)
