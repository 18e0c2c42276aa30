import numpy as np

from keras_vae_collapse.datasets import synthetic_he2019 as syn
from keras_vae_collapse.likelihoods import BOS_ID, EOS_ID


def test_generator_is_deterministic_and_in_range():
    a, za, ca = syn.generate_synthetic(num_examples=300, seed=5)
    b, zb, cb = syn.generate_synthetic(num_examples=300, seed=5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(za, zb)
    assert a.shape == (300, 10) and a.min() >= 0 and a.max() < 1000
    c, _, _ = syn.generate_synthetic(num_examples=300, seed=6)
    assert not np.array_equal(a, c)
    # latents: four unit-variance clusters at (+-2, +-2)
    corners = np.array([[2, 2], [2, -2], [-2, 2], [-2, -2]])
    np.testing.assert_allclose(np.std(za - corners[ca], axis=0), 1.0, atol=0.15)
    assert set(ca.tolist()) == {0, 1, 2, 3}


def test_tokens_depend_on_z():
    tokens, _, component = syn.generate_synthetic(num_examples=2000, seed=1)
    # the last token's distribution differs strongly between opposite corners
    h0 = np.bincount(tokens[component == 0, -1], minlength=1000) / np.sum(
        component == 0
    )
    h3 = np.bincount(tokens[component == 3, -1], minlength=1000) / np.sum(
        component == 3
    )
    assert 0.5 * np.abs(h0 - h3).sum() > 0.5


def test_splits_and_model_ids():
    splits = syn.synthetic_splits(
        seed=2, splits={"train": 80, "validation": 10, "test": 10}
    )
    assert {k: len(v["x"]) for k, v in splits.items()} == {
        "train": 80,
        "validation": 10,
        "test": 10,
    }
    x = splits["train"]["x"]
    assert x.shape == (80, 12)
    assert np.all(x[:, 0] == BOS_ID) and np.all(x[:, -1] == EOS_ID)
    assert x[:, 1:-1].min() >= syn.NUM_SPECIAL
    assert x.max() < syn.vocab_size()


def test_datasets_batch_and_shuffle():
    ds = syn.synthetic_datasets(
        batch_size=16, seed=2, splits={"train": 64, "validation": 16, "test": 16}
    )
    first = next(iter(ds["train"]))
    assert first.shape == (16, 12) and first.dtype.name == "int32"
    assert sum(int(b.shape[0]) for b in ds["test"]) == 16
