"""Datasets: offline tfds builders, text and image pipelines, vocabulary."""

from keras_vae_collapse.datasets.batching import MODALITIES, batches, split_examples
from keras_vae_collapse.datasets.files import MalformedFileError
from keras_vae_collapse.datasets.image_pipeline import image_batches
from keras_vae_collapse.datasets.kvc_omniglot import KvcOmniglot
from keras_vae_collapse.datasets.kvc_ptb import KvcPtb
from keras_vae_collapse.datasets.kvc_short_yelp import KvcShortYelp
from keras_vae_collapse.datasets.kvc_synthetic import KvcSynthetic
from keras_vae_collapse.datasets.kvc_synthetic_draw import KvcSyntheticDraw
from keras_vae_collapse.datasets.kvc_text import KvcText
from keras_vae_collapse.datasets.kvc_yahoo import KvcYahoo
from keras_vae_collapse.datasets.kvc_yelp import KvcYelp
from keras_vae_collapse.datasets.kvc_yelp_sentiment import KvcYelpSentiment
from keras_vae_collapse.datasets.registry import (
    BUILDERS,
    SOURCE_RECORD,
    builder,
    check_counts,
    default_data_root,
    load,
    source_fingerprint,
)
from keras_vae_collapse.datasets.synthetic_he2019 import (
    generate_synthetic,
    synthetic_datasets,
    synthetic_splits,
    to_model_ids,
)
from keras_vae_collapse.datasets.text_pipeline import text_batches
from keras_vae_collapse.datasets.vocabulary import SPECIAL_TOKENS, Vocabulary

__all__ = [
    "BUILDERS",
    "KvcOmniglot",
    "KvcPtb",
    "KvcShortYelp",
    "KvcSynthetic",
    "KvcSyntheticDraw",
    "KvcText",
    "KvcYahoo",
    "KvcYelp",
    "KvcYelpSentiment",
    "MODALITIES",
    "MalformedFileError",
    "SOURCE_RECORD",
    "SPECIAL_TOKENS",
    "Vocabulary",
    "batches",
    "builder",
    "check_counts",
    "default_data_root",
    "generate_synthetic",
    "image_batches",
    "load",
    "source_fingerprint",
    "split_examples",
    "synthetic_datasets",
    "synthetic_splits",
    "text_batches",
    "to_model_ids",
]
