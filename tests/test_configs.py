"""The `paper` configs equal the reference code's settings, file by file."""

import pytest

from keras_vae_collapse.configs import CONFIGS, get_config

HE = "jxhe/vae-lagging-encoder"
BN = "valdersoul/bn-vae"
#: (dataset) -> (reference files, the values they set). Read from the
#: repositories' config/*.py and text.py / image.py.
REFERENCE = {
    "yahoo": (
        f"{HE} config/config_yahoo.py, text.py",
        {
            "latent_dim": 32,
            "embedding_dim": 512,
            "hidden_dim": 1024,
            "dropout": 0.5,
            "batch_size": 32,
            "optimizer": "sgd",
            "learning_rate": 1.0,
            "clip_norm": 5.0,
            "epochs": 100,
            "schedule": {
                "patience": 2,
                "min_epoch": 15,
                "decay": 0.5,
                "max_decays": 5,
                "compare": "last",
            },
        },
    ),
    "yelp": (
        f"{HE} config/config_yelp.py, text.py",
        {"latent_dim": 32, "embedding_dim": 512, "hidden_dim": 1024, "epochs": 100},
    ),
    "synthetic": (
        f"{HE} config/config_synthetic.py, text.py",
        {
            "latent_dim": 2,
            "embedding_dim": 50,
            "hidden_dim": 50,
            "dropout": 0.5,
            "batch_size": 16,
            "epochs": 50,
            "learning_rate": 1.0,
        },
    ),
    "yelp_sentiment": (
        f"{BN} config/config_short_yelp.py, text_anneal_fb.py (decay_epoch 5)",
        {
            "latent_dim": 32,
            "embedding_dim": 128,
            "hidden_dim": 512,
            "dropout": 0.5,
            "batch_size": 32,
            "epochs": 100,
            "schedule": {
                "patience": 5,
                "min_epoch": 15,
                "decay": 0.5,
                "max_decays": 5,
                "compare": "last",
            },
        },
    ),
    "ptb": (
        f"{BN} config/config_ptb.py",
        {"latent_dim": 32, "embedding_dim": 256, "hidden_dim": 256, "batch_size": 32},
    ),
    "omniglot": (
        f"{HE} config/config_omniglot.py, image.py, "
        "modules/decoders/dec_pixelcnn_v2.py, modules/encoders/enc_resnet_v2.py",
        {
            "latent_dim": 32,
            "batch_size": 50,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "epochs": 1000,
            "latent_maps": 4,
            "kernel_sizes": (7, 7, 7, 7, 7, 5, 5, 5, 5, 3, 3, 3, 3),
            "decoder_channels": 64,
            "encoder_channels": 64,
            "encoder_hidden": 512,
            "schedule": {
                "patience": 20,
                "min_epoch": 0,
                "decay": 0.5,
                "max_decays": 5,
                "compare": "best",
            },
        },
    ),
}


@pytest.mark.parametrize("dataset", sorted(REFERENCE))
def test_paper_config_equals_the_reference(dataset):
    source, values = REFERENCE[dataset]
    config = get_config(dataset, "paper")
    for key, value in values.items():
        assert config[key] == value, f"{dataset}.{key} differs from {source}"


def test_every_config_has_a_reference_row_or_copies_one():
    assert set(CONFIGS) - set(REFERENCE) == {"synthetic_he2019", "text"}
    assert CONFIGS["synthetic_he2019"] == CONFIGS["synthetic"]


@pytest.mark.parametrize("dataset", sorted(CONFIGS))
def test_cpu_configs_shrink_the_same_networks_and_schedules(dataset):
    paper, cpu = get_config(dataset, "paper"), get_config(dataset, "cpu")
    assert cpu["architecture"] == paper["architecture"]
    assert set(cpu["schedule"]) == set(paper["schedule"])
    assert cpu["schedule"]["compare"] == paper["schedule"]["compare"]
    assert cpu["schedule"]["decay"] == paper["schedule"]["decay"]
    assert cpu["notes"]  # each says what it shrinks and what it costs


def test_jit_compile_is_a_boolean_off_by_default():
    from keras_vae_collapse.configs import get_config

    assert get_config("synthetic_he2019", "paper")["jit_compile"] is False
    assert get_config("yelp_sentiment", "cpu", jit_compile=True)["jit_compile"]
    with pytest.raises(ValueError, match="jit_compile must be True or False"):
        get_config("yelp_sentiment", "cpu", jit_compile=1)


def test_the_schedule_may_name_best_at_full_weight_and_nothing_else():
    from keras_vae_collapse.configs import get_config, validate_config

    config = get_config("synthetic_he2019", "paper")
    assert "best_at_full_weight" not in config["schedule"]  # the reference
    schedule = dict(config["schedule"], best_at_full_weight=True)
    validate_config(dict(config, schedule=schedule))
    with pytest.raises(ValueError, match="best_at_full_weight must be True or False"):
        validate_config(dict(config, schedule=dict(schedule, best_at_full_weight=1)))
    with pytest.raises(ValueError, match="optional"):
        validate_config(dict(config, schedule=dict(schedule, patience_x=1)))


def test_set_reaches_an_optional_schedule_field():
    from keras_vae_collapse.cli.train import split_settings

    _, overrides = split_settings(
        "vae", "synthetic_he2019", "paper", {"schedule.best_at_full_weight": True}
    )
    assert overrides["schedule"]["best_at_full_weight"] is True
    assert overrides["schedule"]["min_epoch"] == 15
    with pytest.raises(Exception, match="schedule.best_at_full_weight"):
        split_settings("vae", "synthetic_he2019", "paper", {"schedule.nope": 1})
