import numpy as np
import tensorflow as tf

from keras_vae_collapse import distributions


def model_posterior_mean(model, x, grid=None, chunk_size=16):
    """E_p(z|x)[z] of a model with a one-dimensional latent, by quadrature.

    p(z|x) is proportional to p(z) p(x|z); on a uniform `grid` of z (default
    481 points on [-6, 6]) the mean is sum_g z_g w_g with w = softmax over the
    grid of log p(z_g) + log p(x|z_g). Decodes `chunk_size` grid points of all
    of x at once.
    """
    if model.latent_dim != 1:
        raise ValueError(
            "the posterior-mean space needs a 1-D latent; "
            f"latent_dim = {model.latent_dim}"
        )
    grid = np.linspace(-6.0, 6.0, 481) if grid is None else np.asarray(grid)
    x = model.likelihood.validate(x)
    step = tf.function(model.conditional_log_prob, reduce_retracing=True)
    rows = []
    for start in range(0, len(grid), chunk_size):
        g = tf.constant(grid[start : start + chunk_size], tf.float32)
        z = tf.tile(g[:, None, None], [1, int(x.shape[0]), 1])
        rows.append(step(x, z).numpy())
    log_w = np.concatenate(rows, axis=0)  # [G, B]
    log_w += (
        distributions.prior(1)
        .log_prob(grid[:, None].astype(np.float32))
        .numpy()[:, None]
    )
    log_w -= log_w.max(axis=0, keepdims=True)
    w = np.exp(log_w)
    return (w * grid[:, None]).sum(0) / w.sum(0)


def posterior_mean_space(model, x, grid=None):
    """(model posterior means E_p(z|x)[z], approximate means E_q(z|x)[z]).

    The two coordinates of He et al. 2019's figures 2 and 3: inference collapse
    puts the points on the horizontal axis (approximate mean ~ 0), a good
    inference network on the diagonal.
    """
    mu, _ = model.encode(x)
    return model_posterior_mean(model, x, grid), mu[:, 0]


def plot_posterior_mean_space(model_means, approx_means, path=None, title=None):
    """Scatter plot of the posterior-mean space; writes a PNG if `path` is given.

    Returns the PNG bytes.
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    ax.scatter(model_means, approx_means, s=4, alpha=0.6)
    lim = max(1.0, float(np.max(np.abs(np.concatenate([model_means, approx_means])))))
    ax.plot([-lim, lim], [-lim, lim], "k--", lw=0.8)
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("model posterior mean  E_p(z|x)[z]")
    ax.set_ylabel("approximate posterior mean  E_q(z|x)[z]")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = buffer.getvalue()
    if path:
        with open(path, "wb") as f:
            f.write(data)
    return data
