"""Network and training configurations per dataset ("configs"): `paper` (the
reference sizes, for a GPU) and `cpu` (sized so that one model trains to a
useful point in about 90 minutes on 2 CPU cores). (A *preset* is a saved,
pretrained model: see `VAE.from_preset`.)

`architecture` names the networks: "text_lstm" (He et al.'s LSTM encoder and
decoder) or "resnet_pixelcnn" (the Omniglot ResNet encoder and PixelCNN).

Each `cpu` config's `notes` give its sizes and its measured step time: plain
VAE training step on the first 20 real (length-bucketed) training batches
after 3 warm-up steps, 2-core CPU with nothing else running, TF 2.21,
measured with
`python benchmarks/config_step_time.py --data_root=DATA --sizes=cpu`
(2026-12-03, commit f34ffa0; "before" is the same benchmark on 2026-11-21,
partly under load). The reference schedule adds one validation pass per
epoch to these times ("steps" is steps per epoch; "min" the minutes of
training alone), and a run at --threads=1 beside another is slower
(yelp_sentiment: 0.085 s/step with validation, against 0.067 here):

    dataset         sizes (emb / LSTM or channels)  s/step (before)  steps  epochs, min
    yahoo           128 / 256, <= 100 words, B 32    0.393 (0.887)     286  20, 37 (85)
    yelp_sentiment  128 / 256, B 32                  0.067 (0.127)   4,577  10, 51
    ptb             128 / 256, B 32                  0.137 (0.254)   1,320  15, 45 (84)
    omniglot        ResNet 32 / PixelCNN v2 32 x 4   0.256 (0.256)     460  40, 78
    synthetic       50 / 50, latent 2, B 16          0.007 (0.015)   1,000  50,  6 (13)
    yelp            as yahoo (no copy here to measure; expect about Yahoo's
                    step, 3,125 steps/epoch: 2 epochs in ~45 min)

What the faster text step buys: the Yahoo and PTB presets keep their sizes
and epoch budgets, and two such runs should now fit side by side at one
thread each within the ~90 minutes a preset is sized for (the zoo trains in
pairs; estimated with yelp_sentiment's 1.27x for pairing and validation:
about 50 - 60 minutes of training each), where one run alone filled it
before. Omniglot's step did not change.

Agg-VAE's aggressive epochs cost several times a plain epoch (3x over a whole
run in `benchmarks/agg_vae_cost.py`).
"""

import copy

#: He et al.'s text.py schedule (`callbacks.LearningRateDecay`): halve the
#: rate and reload the best weights after 2 epochs whose validation -ELBO is
#: above the last recorded one, from the 16th epoch on; stop after 5 halvings.
TEXT_SCHEDULE = {
    "patience": 2,
    "min_epoch": 15,
    "decay": 0.5,
    "max_decays": 5,
    "compare": "last",
}
#: He et al.'s image.py schedule: patience 20 against the best, from epoch 1.
IMAGE_SCHEDULE = {
    "patience": 20,
    "min_epoch": 0,
    "decay": 0.5,
    "max_decays": 5,
    "compare": "best",
}
#: The text schedule shrunk for the CPU configs' few epochs: same rule, the
#: first decay allowed from the 5th epoch, 3 halvings at most.
CPU_TEXT_SCHEDULE = dict(TEXT_SCHEDULE, min_epoch=4, max_decays=3)
#: BN-VAE's and DU-VAE's text.py: the text rule with patience 5.
BN_DU_TEXT_SCHEDULE = dict(TEXT_SCHEDULE, patience=5)

_TEXT_PAPER = {
    # He et al. 2019 / Zhu et al. 2020 text configuration (config_yahoo.py).
    "architecture": "text_lstm",
    "latent_dim": 32,
    "embedding_dim": 512,
    "hidden_dim": 1024,
    "dropout": 0.5,
    "batch_size": 32,
    "max_length": None,
    "optimizer": "sgd",
    "learning_rate": 1.0,
    "clip_norm": 5.0,
    "epochs": 100,  # a maximum: the schedule ends training
    "warm_up_epochs": 10,
    "schedule": TEXT_SCHEDULE,
}

CONFIGS = {
    "yahoo": {
        "paper": dict(_TEXT_PAPER),
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            schedule=CPU_TEXT_SCHEDULE,
            max_length=100,
            epochs=20,
            warm_up_epochs=5,
            notes="embeddings 128, LSTMs 256, documents cut at 100 words, batch "
            "32, vocabulary 20,001: 0.393 s/step alone on 2 cores (2026-12-03), "
            "286 steps/epoch (9,000 documents), 20 epochs in about 37 minutes "
            "plus validation",
        ),
    },
    "yelp": {
        "paper": dict(_TEXT_PAPER),
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            schedule=CPU_TEXT_SCHEDULE,
            max_length=100,
            epochs=2,
            warm_up_epochs=1,
            notes="as the yahoo cpu preset; not measured (no Yelp copy on the "
            "development machine): at Yahoo's 0.393 s/step, 3,125 steps/epoch "
            "(100k documents) make 2 epochs about 45 minutes; longer reviews "
            "make it slower, so the epochs stay at 2 until measured",
        ),
    },
    "yelp_sentiment": {
        # The short-Yelp configuration of BN-VAE and DU-VAE
        # (config/config_short_yelp.py): embeddings 128, LSTMs 512.
        "paper": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=512,
            schedule=BN_DU_TEXT_SCHEDULE,
        ),
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            schedule=CPU_TEXT_SCHEDULE,
            epochs=10,
            warm_up_epochs=3,
            notes="embeddings 128, LSTMs 256, batch 32, vocabulary 9,341 "
            "sentences <= 15 words: 4,577 steps/epoch (146,431 sentences); "
            "0.089 s/step with validation at --threads=1 beside a second such "
            "run (2026-12-03), so two models train their 10 epochs in about "
            "70 minutes",
        ),
    },
    "ptb": {
        # BN-VAE's config/config_ptb.py: embeddings and LSTMs 256.
        "paper": dict(
            _TEXT_PAPER,
            embedding_dim=256,
            hidden_dim=256,
            schedule=BN_DU_TEXT_SCHEDULE,
        ),
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            schedule=CPU_TEXT_SCHEDULE,
            epochs=15,
            warm_up_epochs=5,
            notes="embeddings 128, LSTMs 256, batch 32, vocabulary 10,002: "
            "0.137 s/step alone on 2 cores (2026-12-03), 1,320 steps/epoch, 15 "
            "epochs in about 45 minutes plus validation",
        ),
    },
    "text": {
        # Your own text (`datasets.KvcText`): ptb's configs as a starting point.
        "paper": dict(
            _TEXT_PAPER,
            embedding_dim=256,
            hidden_dim=256,
            schedule=BN_DU_TEXT_SCHEDULE,
        ),
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            schedule=CPU_TEXT_SCHEDULE,
            epochs=15,
            warm_up_epochs=5,
            notes="a starting point for your own text, not tuned for it: ptb's "
            "cpu sizes (embeddings 128, LSTMs 256, batch 32, all words of a "
            "line; set max_length for long documents); step time unmeasured, "
            "it grows with the vocabulary (up to 20,000) and the line length",
        ),
    },
    "synthetic": {
        # He et al.'s synthetic configuration.
        "paper": dict(
            _TEXT_PAPER,
            latent_dim=2,
            embedding_dim=50,
            hidden_dim=50,
            batch_size=16,
            epochs=50,
        ),
        "cpu": dict(
            _TEXT_PAPER,
            latent_dim=2,
            embedding_dim=50,
            hidden_dim=50,
            batch_size=16,
            epochs=50,
            notes="the paper configuration (embeddings and LSTMs 50, latent 2, "
            "batch 16): 0.007 s/step alone on 2 cores (2026-12-03), 1,000 "
            "steps/epoch, 50 epochs in about 6 minutes plus validation",
        ),
    },
    "omniglot": {
        # He et al. 2019 Omniglot configuration (config_omniglot.py, image.py).
        "paper": {
            "architecture": "resnet_pixelcnn",
            "latent_dim": 32,
            "encoder_channels": 64,
            "encoder_blocks": 3,
            "encoder_hidden": 512,
            "decoder_channels": 64,
            # He et al.'s dec_pixelcnn_v2: the type-A layer, then 12
            # bottleneck blocks (PixelCNNV2Decoder).
            "kernel_sizes": (7, 7, 7, 7, 7, 5, 5, 5, 5, 3, 3, 3, 3),
            "latent_maps": 4,
            "batch_size": 50,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "clip_norm": 5.0,
            "epochs": 1000,  # He et al. config_omniglot.py; the schedule ends it
            "warm_up_epochs": 10,
            "schedule": IMAGE_SCHEDULE,
        },
        "cpu": {
            "notes": "the reference networks shrunk: ResNet encoder with 32 "
            "channels and 256 hidden units (paper 64, 512), PixelCNN v2 with 32 "
            "channels and 4 bottleneck blocks after the type-A layer (kernels 7, "
            "5, 5, 3, 3; paper 64 channels, 12 blocks), batch 50: 0.256 s/step "
            "alone on 2 cores (2026-12-03), 460 steps/epoch, 40 epochs in about "
            "78 minutes",
            "architecture": "resnet_pixelcnn",
            "latent_dim": 32,
            "encoder_channels": 32,
            "encoder_blocks": 3,
            "encoder_hidden": 256,
            "decoder_channels": 32,
            "kernel_sizes": (7, 5, 5, 3, 3),
            "latent_maps": 4,
            "batch_size": 50,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "clip_norm": 5.0,
            "epochs": 40,
            "warm_up_epochs": 5,
            # The image schedule with patience 5 instead of 20 (40 epochs).
            "schedule": dict(IMAGE_SCHEDULE, patience=5),
        },
    },
}


#: Keys every config has, with the value of a config that does not give one
#: (and of a run recorded before the key existed).
OPTIONAL_DEFAULTS = {
    "precision": "float32",
    "jit_compile": False,
    "steps_per_execution": 1,
}


def get_config(dataset, size="cpu", **overrides):
    """A copy of the config of `dataset` ("paper" or "cpu"), with overrides."""
    if dataset not in CONFIGS:
        known = ", ".join(CONFIGS)
        raise ValueError(f"no config for dataset {dataset!r}; known: {known}")
    if size not in CONFIGS[dataset]:
        raise ValueError(f"config size must be 'paper' or 'cpu', got {size!r}")
    config = copy.deepcopy(CONFIGS[dataset][size])
    for key, value in OPTIONAL_DEFAULTS.items():
        config.setdefault(key, value)
    unknown = [k for k in overrides if k not in config]
    if unknown:
        raise ValueError(f"unknown config keys {unknown}; known: {sorted(config)}")
    config.update(overrides)
    return validate_config(config)


# The reference draw of the synthetic corpus trains like our generator's.
CONFIGS["synthetic_he2019"] = copy.deepcopy(CONFIGS["synthetic"])


# -- validation ----------------------------------------------------------------
def _number(low=None, high=None, integer=False, optional=False, low_open=False):
    def check(key, value):
        if value is None and optional:
            return
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            raise ValueError(f"{key} must be {kind}, got {value!r}")
        if low is not None and (value <= low if low_open else value < low):
            raise ValueError(
                f"{key} must be {'>' if low_open else '>='} {low}, got {value}"
            )
        if high is not None and value >= high:
            raise ValueError(f"{key} must be < {high}, got {value}")

    return check


def _one_of(*choices):
    def check(key, value):
        if value not in choices:
            raise ValueError(
                f"{key} must be one of {', '.join(map(repr, choices))}, got {value!r}"
            )

    return check


def _boolean(key, value):
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be True or False, got {value!r}")


def _kernels(key, value):
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(
            f"{key} must be a non-empty list of odd integers, got {value!r}"
        )
    for k in value:
        _odd(key, k)


def _odd(key, value):
    _number(1, integer=True)(key, value)
    if value % 2 == 0:
        raise ValueError(f"{key} must be odd (a centred mask), got {value}")


def _schedule(key, value):
    if value is None:
        return
    required = set(SCHEDULE_SCHEMA) - set(SCHEDULE_OPTIONAL)
    if (
        not isinstance(value, dict)
        or not required <= set(value)
        or not set(value) <= set(SCHEDULE_SCHEMA)
    ):
        raise ValueError(
            f"{key} must be a dict with keys {sorted(required)} (optional: "
            f"{sorted(SCHEDULE_OPTIONAL)}), got {value!r}"
        )
    for field, check in SCHEDULE_SCHEMA.items():
        if field in value:
            check(f"{key}.{field}", value[field])


def _text(key, value):
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {value!r}")


SCHEDULE_SCHEMA = {
    "patience": _number(1, integer=True),
    "min_epoch": _number(0, integer=True),
    "decay": _number(0, 1, low_open=True),
    "max_decays": _number(1, integer=True),
    "compare": _one_of("last", "best"),
    "best_at_full_weight": _boolean,
}
#: Schedule keys a config may leave out (`LearningRateDecay`'s default).
SCHEDULE_OPTIONAL = ("best_at_full_weight",)
#: The fields a dict-valued config key can have (optional ones included).
NESTED_FIELDS = {"schedule": tuple(SCHEDULE_SCHEMA)}
#: The type and range of every config key.
SCHEMA = {
    "architecture": _one_of("text_lstm", "resnet_pixelcnn"),
    "latent_dim": _number(1, integer=True),
    "embedding_dim": _number(1, integer=True),
    "hidden_dim": _number(1, integer=True),
    "dropout": _number(0, 1),
    "batch_size": _number(1, integer=True),
    "max_length": _number(1, integer=True, optional=True),
    "optimizer": _one_of("sgd", "adam"),
    "learning_rate": _number(0, low_open=True),
    "clip_norm": _number(0, low_open=True, optional=True),
    "epochs": _number(1, integer=True),
    "warm_up_epochs": _number(0, low_open=True),
    "schedule": _schedule,
    "encoder_channels": _number(1, integer=True),
    "encoder_blocks": _number(1, integer=True),
    "encoder_hidden": _number(1, integer=True),
    "decoder_channels": _number(1, integer=True),
    "kernel_sizes": _kernels,
    "latent_maps": _number(1, integer=True),
    "notes": _text,
    # Keras dtype policy of the networks: "mixed_bfloat16" computes in bf16
    # with fp32 weights, the encoder's outputs, the logits, the loss and the
    # KL in fp32 (text networks only).
    "precision": _one_of("float32", "mixed_bfloat16"),
    # XLA-compile the training step (`compile(jit_compile=True)`; Agg-VAE:
    # its numerical sub-steps, which it compiles anyway). Off by default: at
    # the cpu configs' real shapes XLA is slower (benchmarks/step_time.py);
    # at the synthetic shape it is faster. In-graph input checks are skipped
    # under XLA: the builders' data are valid by construction.
    "jit_compile": _boolean,
    # Training steps per call of the compiled train function
    # (`compile(steps_per_execution=N)`): fewer returns to Python, for tiny
    # steps; the largest divisor of the epoch's steps not above it, so calls
    # end with the epoch. Within an epoch the same batches and draws as one
    # step per call, to the bit; after a validation pass the sampling stream
    # shifts by one draw (Keras's one-step calls make one more). Agg-VAE runs
    # one outer step per call whatever this says.
    "steps_per_execution": _number(1, integer=True),
}


def validate_config(config):
    """Raises ValueError naming the first key whose value has the wrong type,
    range or choice (see `SCHEMA`)."""
    for key, value in config.items():
        if key not in SCHEMA:
            raise ValueError(f"unknown config key {key!r}; known: {sorted(SCHEMA)}")
        SCHEMA[key](key, value)
    if (
        config.get("precision", "float32") != "float32"
        and config.get("architecture") != "text_lstm"
    ):
        raise ValueError(
            f"precision {config['precision']!r} is implemented for the text_lstm "
            f"networks only, not {config.get('architecture')!r}"
        )
    return config
