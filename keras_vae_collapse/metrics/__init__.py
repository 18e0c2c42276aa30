"""Collapse metrics: on arrays, and streamed over a model and a dataset."""

from keras_vae_collapse.metrics.active_units import active_units
from keras_vae_collapse.metrics.aggregate_posterior import (
    aggregate_posterior_kl,
    log_aggregate_density,
    mean_kl,
    sample_posteriors,
)
from keras_vae_collapse.metrics.collapse_statistics import collapse_statistics
from keras_vae_collapse.metrics.data import (
    iterate_batches,
    posterior_parameters,
    select_subset,
)
from keras_vae_collapse.metrics.importance_weighted_nll import iw_nll, perplexity
from keras_vae_collapse.metrics.linear_probe import (
    L2_GRID,
    linear_probe_accuracy,
    probe,
    representation_accuracies,
)
from keras_vae_collapse.metrics.mutual_information import mutual_information
from keras_vae_collapse.metrics.posterior_mean_space import (
    model_posterior_mean,
    plot_posterior_mean_space,
    posterior_mean_space,
)
from keras_vae_collapse.metrics.short_yelp_probe import short_yelp_probe
from keras_vae_collapse.metrics.tfidf_features import TfidfFeatures

__all__ = [
    "L2_GRID",
    "TfidfFeatures",
    "active_units",
    "aggregate_posterior_kl",
    "collapse_statistics",
    "iterate_batches",
    "iw_nll",
    "linear_probe_accuracy",
    "log_aggregate_density",
    "mean_kl",
    "model_posterior_mean",
    "mutual_information",
    "perplexity",
    "plot_posterior_mean_space",
    "posterior_mean_space",
    "posterior_parameters",
    "probe",
    "representation_accuracies",
    "sample_posteriors",
    "select_subset",
    "short_yelp_probe",
]
