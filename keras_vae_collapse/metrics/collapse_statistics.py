import tensorflow as tf

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
    batch_size=None,
    num_examples=None,
    aggregate_kl=False,
    au_threshold=0.01,
    seed=0,
):
    """KL, MI and AU of a model over a dataset (and optionally KL(q(z)||p(z))).

    Posterior parameters are streamed batch by batch (memory O(N n)). Both MI
    estimators are reported (`metrics.mutual_information`): `mi_batch`, He
    et al.'s, over the data's own batches (give a batched dataset, or arrays
    with `batch_size` = the training batch size, as the reference code
    evaluates; it is capped by log(batch size)), comparable with the Agg-VAE
    paper's MI column; and `mi_dataset`, over the whole split, comparable with
    the BN-VAE, DU-VAE and Scale-VAE papers' MI. MI and AU describe
    `model.encode` (for Scale-VAE the scaled posterior the decoder reads);
    `kl` and `aggregate_kl` describe the posterior of the objective's KL term
    (`model.posterior`), which is the same for every other method.

    Returns a dict: `kl`, `mi_batch`, `mi_dataset`, `au`, (`aggregate_kl`),
    `mi_batch_size` (the largest batch), `num_examples`, `seed`.
    """
    if batch_size is None and not isinstance(data, tf.data.Dataset):
        raise ValueError(
            "collapse_statistics on arrays needs batch_size (the training batch "
            "size: He et al.'s MI estimate depends on it)"
        )
    mu, logvar, sizes = posterior_parameters(model, data, batch_size, num_examples)
    kl_mu, kl_logvar = mu, logvar
    if not getattr(model, "encodes_posterior", True):
        kl_mu, kl_logvar, _ = posterior_parameters(
            model, data, batch_size, num_examples, objective=True
        )
    result = {
        "kl": mean_kl(kl_mu, kl_logvar),
        "mi_batch": mutual_information(mu, logvar, "batch", sizes, seed=seed),
        "mi_dataset": mutual_information(mu, logvar, "dataset", seed=seed),
        "mi_batch_size": int(max(sizes)),
        "au": active_units(mu, au_threshold) if len(mu) > 1 else 0,
        "num_examples": int(len(mu)),
        "seed": seed,
    }
    if aggregate_kl:
        result["aggregate_kl"] = aggregate_posterior_kl(kl_mu, kl_logvar, seed=seed)
    return result
