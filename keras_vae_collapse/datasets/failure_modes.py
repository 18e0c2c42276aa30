"""Synthetic data with known generating processes for the failure modes of
Yacoby, Pan and Doshi-Velez 2020, with exact references by quadrature.

Every dataset has a one-dimensional latent z ~ N(0, 1) and x = f(z) + noise,
noise ~ N(0, sigma^2 I) in two dimensions:

- `unimodal` (control): f(z) = (2z, z), sigma 0.5. Linear-Gaussian, so the
  true posterior is Gaussian and the best Gaussian ELBO equals log p(x).
- `bimodal`: f(z) = (2|z|, z^2 / 2), sigma 0.3. f(z) = f(-z), so every
  posterior is symmetric with modes at +-z: a Gaussian q must pick one mode
  or cover both.
- `weak_latent`: f(z) = (0.3z, 0.3z), sigma 1. z explains little of x: a
  decoder that ignores z loses about 0.08 nats per point, so the ELBO can
  prefer to ignore z (collapse) while the true model uses it.

`quadrature_reference` gives, on a fine z grid, the exact log p(x), the true
posterior, and the best ELBO that the true model allows with a Gaussian q.
"""

import numpy as np

#: name -> (mean function, noise standard deviation)
FAILURE_MODES = {
    "unimodal": (lambda z: np.stack([2.0 * z, z], axis=-1), 0.5),
    "bimodal": (lambda z: np.stack([2.0 * np.abs(z), 0.5 * z**2], axis=-1), 0.3),
    "weak_latent": (lambda z: np.stack([0.3 * z, 0.3 * z], axis=-1), 1.0),
}
SPLITS = {"train": 5_000, "validation": 1_000, "test": 1_000}
_LOG_2PI = np.log(2.0 * np.pi)


def _check(name):
    if name not in FAILURE_MODES:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(FAILURE_MODES)}")
    return FAILURE_MODES[name]


def mean_function(name, z):
    """f(z) [..., 2] of dataset `name`."""
    return _check(name)[0](np.asarray(z, np.float64))


def noise_scale(name):
    return _check(name)[1]


def generate(name, num_examples, seed=0):
    """(x float32 [N, 2], z float32 [N]) drawn from the generating process."""
    fn, sigma = _check(name)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(num_examples)
    x = fn(z) + sigma * rng.standard_normal((num_examples, 2))
    return x.astype(np.float32), z.astype(np.float32)


def failure_mode_splits(name, seed=0, splits=None):
    """{split: {"x": [N, 2], "z": [N]}} (5,000 / 1,000 / 1,000 by default)."""
    sizes = dict(SPLITS if splits is None else splits)
    x, z = generate(name, sum(sizes.values()), seed)
    out, start = {}, 0
    for split, size in sizes.items():
        out[split] = {"x": x[start : start + size], "z": z[start : start + size]}
        start += size
    return out


def log_joint(name, x, z):
    """log p(x, z) = log N(z; 0, 1) + log N(x; f(z), sigma^2 I); x [N, 2],
    z [..., G] broadcast against N -> [N, G]."""
    fn, sigma = _check(name)
    x = np.asarray(x, np.float64)[:, None, :]
    mean = fn(np.asarray(z, np.float64))
    if mean.ndim == 2:
        mean = mean[None]
    prior = -0.5 * (np.asarray(z, np.float64) ** 2 + _LOG_2PI)
    lik = -0.5 * np.sum((x - mean) ** 2, axis=-1) / sigma**2 - 2 * (
        np.log(sigma) + 0.5 * _LOG_2PI
    )
    return prior + lik


def _logsumexp(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def quadrature_reference(name, x, grid_size=8001, limit=8.0, elbo=True):
    """Exact references for data points x [N, 2] by quadrature on a z grid.

    Returns {"grid" [G], "log_px" [N], "log_posterior" [N, G] (densities on
    the grid), "posterior_mean" [N]} and, with `elbo`, "best_elbo" [N] and
    "best_q" [N, 2] (mean, log-variance) of the best Gaussian q for the true
    model (found by a coarse-to-fine search; ELBO by 64-point Gauss-Hermite).
    """
    grid = np.linspace(-limit, limit, grid_size)
    dz = grid[1] - grid[0]
    out = {"grid": grid, "log_px": [], "log_posterior": [], "posterior_mean": []}
    for chunk in np.array_split(np.asarray(x), max(1, len(x) // 200)):
        joint = log_joint(name, chunk, grid)
        # Trapezoid weights: the end points count half.
        log_w = np.full(grid_size, np.log(dz))
        log_w[[0, -1]] += np.log(0.5)
        log_px = _logsumexp(joint + log_w, axis=1)
        log_post = joint - log_px[:, None]
        out["log_px"].append(log_px)
        out["log_posterior"].append(log_post)
        out["posterior_mean"].append(np.sum(np.exp(log_post + log_w) * grid, axis=1))
    out = {k: (np.concatenate(v) if k != "grid" else v) for k, v in out.items()}
    if elbo:
        out["best_elbo"], out["best_q"] = best_gaussian_elbo(name, x)
    return out


_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(64)
_WEIGHTS = _WEIGHTS / np.sqrt(2.0 * np.pi)


def gaussian_elbo(name, x, mean, logvar):
    """ELBO of q = N(mean, exp(logvar)) under the true model; x [N, 2],
    mean / logvar [N, K] -> [N, K] (64-point Gauss-Hermite)."""
    std = np.exp(0.5 * logvar)
    z = mean[..., None] + std[..., None] * _NODES  # [N, K, Q]
    n, k, q = z.shape
    joint = log_joint(name, x, z.reshape(n, k * q)).reshape(n, k, q)
    entropy = 0.5 * (logvar + 1.0 + _LOG_2PI)
    return np.sum(joint * _WEIGHTS, axis=-1) + entropy


def best_gaussian_elbo(name, x, rounds=4):
    """max over Gaussian q of the ELBO for each x: (values [N], (mean,
    logvar) [N, 2]). A 41 x 41 grid over (mean, logvar), zoomed in `rounds`
    times around the best point."""
    x = np.asarray(x, np.float64)
    center = np.zeros((len(x), 2))
    center[:, 1] = -2.0
    half = np.array([4.0, 6.0])
    steps = np.linspace(-1.0, 1.0, 41)
    for _ in range(rounds + 1):
        m = center[:, :1, None] + half[0] * steps[None, :, None]
        lv = center[:, 1:, None] + half[1] * steps[None, None, :]
        m, lv = np.broadcast_arrays(m, lv)
        values = gaussian_elbo(name, x, m.reshape(len(x), -1), lv.reshape(len(x), -1))
        best = np.argmax(values, axis=1)
        center = np.stack(
            [
                m.reshape(len(x), -1)[np.arange(len(x)), best],
                lv.reshape(len(x), -1)[np.arange(len(x)), best],
            ],
            axis=1,
        )
        half = half / 8.0
    return values[np.arange(len(x)), best], center


def kl_to_grid_posterior(mean, logvar, grid, log_posterior):
    """KL(N(mean, exp(logvar)) || p) per point, p given by its log-density
    [N, G] on an evenly spaced `grid`; mean / logvar [N]."""
    dz = grid[1] - grid[0]
    mean = np.asarray(mean, np.float64)[:, None]
    logvar = np.asarray(logvar, np.float64)[:, None]
    log_q = -0.5 * ((grid - mean) ** 2 / np.exp(logvar) + logvar + _LOG_2PI)
    return np.sum(np.exp(log_q) * (log_q - log_posterior), axis=1) * dz


def kl_to_true_posterior(name, x, mean, logvar, grid_size=8001, limit=8.0):
    """KL(q(z|x) || p(z|x)) per point by quadrature; mean / logvar [N]."""
    ref = quadrature_reference(name, x, grid_size, limit, elbo=False)
    return kl_to_grid_posterior(mean, logvar, ref["grid"], ref["log_posterior"])
