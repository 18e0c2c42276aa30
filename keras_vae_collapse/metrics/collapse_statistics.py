from keras_vae_collapse.metrics.active_units import active_units
from keras_vae_collapse.metrics.aggregate_posterior import (
    aggregate_posterior_kl,
    mean_kl,
)
from keras_vae_collapse.metrics.data import posterior_parameters
from keras_vae_collapse.metrics.mutual_information import mutual_information


def collapse_statistics(
    model,
    data,
    estimator="batch",
    batch_size=50,
    num_examples=None,
    aggregate_kl=False,
    au_threshold=0.01,
    seed=0,
):
    """KL, MI and AU of a model over a dataset (and optionally KL(q(z)||p(z))).

    Posterior parameters are streamed batch by batch (memory O(N n)); the
    "batch" MI estimator uses the data's own batches. MI and AU describe
    `model.encode` (for Scale-VAE the scaled posterior the decoder reads);
    `kl` and `aggregate_kl` describe the posterior of the objective's KL term
    (`model.posterior`), which is the same for every other method.

    Returns a dict: `kl`, `mi`, `au`, (`aggregate_kl`), `mi_estimator`,
    `num_examples`, `seed`.
    """
    mu, logvar, sizes = posterior_parameters(model, data, batch_size, num_examples)
    kl_mu, kl_logvar = mu, logvar
    if not getattr(model, "encodes_posterior", True):
        kl_mu, kl_logvar, _ = posterior_parameters(
            model, data, batch_size, num_examples, objective=True
        )
    result = {
        "kl": mean_kl(kl_mu, kl_logvar),
        "mi": mutual_information(mu, logvar, estimator, batch_size=sizes, seed=seed),
        "au": active_units(mu, au_threshold) if len(mu) > 1 else 0,
        "mi_estimator": estimator,
        "num_examples": int(len(mu)),
        "seed": seed,
    }
    if aggregate_kl:
        result["aggregate_kl"] = aggregate_posterior_kl(kl_mu, kl_logvar, seed=seed)
    return result
