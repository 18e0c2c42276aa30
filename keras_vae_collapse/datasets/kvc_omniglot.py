"""tfds builder of 28x28 Omniglot derived from the Lake et al. arrays."""

import zipfile

import numpy as np
import tensorflow_datasets as tfds

from keras_vae_collapse.datasets.files import MalformedFileError, find_file

SIZE = 28
TRAIN_PER_CHARACTER = 15
VALIDATION = 1_345
SEED = 0


def area_resize_matrix(source, target):
    """[target, source] matrix of exact area averaging along one axis."""
    scale = source / target
    out = np.zeros((target, source))
    for i in range(target):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(np.floor(lo)), int(np.ceil(hi))):
            out[i, j] = (min(hi, j + 1) - max(lo, j)) / scale
    return out


def ink_images(images):
    """Lake et al. images (True = background) -> ink in [0, 1], 28x28, by
    exact area averaging of the inverted 105x105 drawings."""
    images = np.asarray(images)
    ink = 1.0 - images.astype(np.float32)
    rows = area_resize_matrix(ink.shape[-2], SIZE).astype(np.float32)
    cols = area_resize_matrix(ink.shape[-1], SIZE).astype(np.float32)
    return np.clip(np.matmul(np.matmul(rows, ink), cols.T), 0.0, 1.0)


def read_arrays(path):
    """(images [C, 20, H, W] bool, labels [C, 20]) of one Lake et al. .npz."""
    try:
        with np.load(path) as data:
            images, labels = data["images"], data["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise MalformedFileError(
            path, None, f"not a readable Omniglot array file ({error})"
        ) from error
    if images.ndim != 4 or labels.shape != images.shape[:2]:
        raise MalformedFileError(
            path,
            None,
            f"expected images [characters, drawings, H, W] and labels "
            f"[characters, drawings], got {images.shape} and {labels.shape}",
        )
    if images.dtype != np.bool_:
        raise MalformedFileError(path, None, f"images must be bool, got {images.dtype}")
    return images, labels


def binarize(probabilities, seed):
    """Static binarisation: pixel ~ Bernoulli(ink), seeded."""
    rng = np.random.default_rng(seed)
    return (rng.random(probabilities.shape) < probabilities).astype(np.float32)


class KvcOmniglot(tfds.core.GeneratorBasedBuilder):
    """Omniglot (Lake et al. 2015) as the 28x28 set of the VAE papers.

    Files: `images_background.npz` and `images_evaluation.npz` (arrays
    `images`, bool [characters, 20, 105, 105] with True = background, and
    `labels`), made from the original `images_background.zip` /
    `images_evaluation.zip` of github.com/brendenlake/omniglot (MIT). Both
    sets are used, as in Burda et al.'s split: every drawing is inverted (ink
    = 1) and resized to 28x28 by exact area averaging; of the 20 drawings of
    each of the 1,623 characters the first 15 are for training and the last 5
    for test (24,345 / 8,115 images; Burda et al.'s chardata.mat has
    24,345 / 8,070). 1,345 of the 24,345 training images (seeded, seed 0)
    form the validation split, leaving 23,000 for training (a tenth of the
    training images for inputs with fewer than 13,450).

    `image` is float32 [28, 28, 1]: grey-level ink for `train` (binarise it
    dynamically in the input pipeline, `batching.batches`), statically
    binarised with seed 0 (validation) and seed 1 (test). `label` is the
    character (0..1622, background set first).
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    MODALITY = "images"
    FEATURE = "image"
    LABEL = "label"
    SPLITS = ("train", "validation", "test")
    NEEDS_FILES = True
    EXPECTED_COUNTS = {"train": 23_000, "validation": VALIDATION, "test": 8_115}

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            disable_shuffling=True,  # examples keep the order of the files
            description=(self.__doc__ or "").strip(),
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Tensor(
                        shape=(SIZE, SIZE, 1), dtype=np.float32
                    ),
                    "label": tfds.features.Scalar(dtype=np.int32),
                }
            ),
            supervised_keys=("image", "label"),
            homepage="https://github.com/brendenlake/omniglot",
        )

    def _split_generators(self, dl_manager):
        manual_dir = str(dl_manager.manual_dir)
        train, test, train_labels, test_labels = [], [], [], []
        offset = 0
        for name in ("images_background", "images_evaluation"):
            path = find_file(manual_dir, [f"{name}.npz"], f"{name} arrays")
            images, _ = read_arrays(path)
            ink = ink_images(images)
            characters = np.arange(offset, offset + len(ink), dtype=np.int32)
            offset += len(ink)
            k = TRAIN_PER_CHARACTER
            train.append(ink[:, :k].reshape(-1, SIZE, SIZE))
            test.append(ink[:, k:].reshape(-1, SIZE, SIZE))
            train_labels.append(np.repeat(characters, k))
            test_labels.append(np.repeat(characters, ink.shape[1] - k))
        train, test = np.concatenate(train), np.concatenate(test)
        train_labels = np.concatenate(train_labels)
        test_labels = np.concatenate(test_labels)
        held_out = min(VALIDATION, len(train) // 10)
        order = np.random.default_rng(SEED).permutation(len(train))
        valid_idx, train_idx = np.sort(order[:held_out]), np.sort(order[held_out:])
        return {
            "train": self._generate_examples(train[train_idx], train_labels[train_idx]),
            "validation": self._generate_examples(
                binarize(train[valid_idx], 0), train_labels[valid_idx]
            ),
            "test": self._generate_examples(binarize(test, 1), test_labels),
        }

    def _generate_examples(self, images, labels):
        for i, (image, label) in enumerate(zip(images, labels)):
            yield i, {"image": image[..., None], "label": int(label)}
