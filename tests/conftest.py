import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # the table reproductions in reproduce/

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# Two logical CPU devices for the tf.distribute tests; must happen before TF
# initialises its devices, i.e. before any test runs an op.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    _cpus[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)

import keras_vae_collapse as kvc  # noqa: E402

VOCAB = 40


@pytest.fixture(scope="session")
def mirrored_strategy():
    """One MirroredStrategy over the two logical CPUs for the whole session:
    separate strategies in one process collide on collective-op keys."""
    devices = tf.config.list_logical_devices("CPU")
    assert len(devices) >= 2, "two logical CPUs are configured above"
    return tf.distribute.MirroredStrategy([d.name for d in devices[:2]])


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield


def token_data(n=64, length=9, vocab=VOCAB, seed=0):
    """Random token sequences <s> w1 .. wk </s> <pad>... of varying length."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, length), np.int32)
    for i in range(n):
        k = rng.integers(2, length - 1)
        x[i, 0] = kvc.likelihoods.BOS_ID
        x[i, 1 : k + 1] = rng.integers(4, vocab, size=k)
        x[i, k + 1] = kvc.likelihoods.EOS_ID
    return x


def text_vae(vocab=VOCAB, latent_dim=2, size=8, **kwargs):
    return kvc.models.VAE(
        kvc.networks.TextLSTMEncoder(vocab, latent_dim, size, size),
        kvc.networks.TextLSTMDecoder(vocab, latent_dim, size, size),
        kvc.likelihoods.TokenCategorical(vocab),
        latent_dim,
        **kwargs,
    )


def shared_data_root():
    """`$KVC_DATA_DIR`, else `../shared/data` beside the checkout (the
    development copy of the real corpora), or None."""
    shared = os.path.join(ROOT, "..", "shared", "data")
    return kvc.datasets.default_data_root() or (
        shared if os.path.isdir(shared) else None
    )


@pytest.fixture(scope="session")
def real_data(tmp_path_factory):
    """(data_root, tfds cache dir) of the real corpora; skips without them."""
    root = shared_data_root()
    if root is None or not os.path.isdir(root):
        pytest.skip(
            "real data not found: set KVC_DATA_DIR or put the corpora in "
            "../shared/data (see the README's data section)"
        )
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # one cache for every worker of the run (the builders prepare a
        # dataset once even when two processes ask for it at the same time)
        cache = tmp_path_factory.getbasetemp().parent / "kvc_tfds"
        cache.mkdir(exist_ok=True)
        return root, str(cache)
    return root, str(tmp_path_factory.mktemp("kvc_tfds"))
