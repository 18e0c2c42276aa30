"""The reference schedule (He et al.'s text.py / image.py) on scripted
validation losses: restore, halve, stop, resume; and the beta = 1 ELBO key."""

import keras
import numpy as np
import pytest

import keras_vae_collapse as kvc
from keras_vae_collapse.callbacks.learning_rate_decay import LearningRateDecay
from keras_vae_collapse.training.epoch_checkpoint import (
    EpochCheckpoint,
    load_schedule_state,
)

X = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")


def mlp_vae(**kwargs):
    keras.utils.set_random_seed(0)
    model = kvc.models.VAE(
        kvc.networks.MLPEncoder(2, (8,)),
        kvc.networks.MLPDecoder((3,), (8,)),
        kvc.likelihoods.Gaussian((3,)),
        2,
        seed=0,
        **kwargs,
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    return model


class Script(keras.callbacks.Callback):
    """Replaces the validation ELBO by scripted -losses and records the
    network weights after every epoch (before the schedule acts)."""

    def __init__(self, losses):
        super().__init__()
        self.losses = list(losses)
        self.weights = {}
        self.start = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.start[epoch] = [v.numpy().copy() for v in self.model.network_variables()]

    def on_epoch_end(self, epoch, logs=None):
        logs["val_elbo"] = -self.losses[epoch]
        self.weights[epoch] = [v.numpy().copy() for v in self.model.network_variables()]


def run(losses, epochs=None, initial_epoch=0, model=None, schedule=None, extra=()):
    model = model or mlp_vae()
    script = Script(losses)
    schedule = schedule or LearningRateDecay(
        patience=2, min_epoch=2, max_decays=2, verbose=0
    )
    history = model.fit(
        X,
        batch_size=16,
        epochs=epochs or len(losses),
        initial_epoch=initial_epoch,
        shuffle=False,
        verbose=0,
        validation_data=(X,),
        callbacks=[script, schedule, *extra],
    )
    return model, script, schedule, history.history


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def network(model):
    return [v.numpy() for v in model.network_variables()]


def test_text_rule_restores_halves_and_stops():
    # epoch: 0     1    2     3 (decay 1)  4     5     6 (decay 2, stop)
    losses = [10.0, 9.0, 9.5, 9.7, 9.6, 9.65, 9.66, 1.0, 1.0]
    model, script, schedule, history = run(losses)
    assert len(history["loss"]) == 7  # stopped after the second decay
    assert history["decays"] == [0, 0, 0, 1, 1, 1, 2]
    np.testing.assert_allclose(history["lr"], [0.01] * 3 + [0.005] * 3 + [0.0025])
    # 9.6 <= 9.7 (the reference reset at the decay) resets the count, so the
    # second decay needs two more bad epochs; the best stays epoch 2 (9.0)
    assert schedule.best_epoch == 1 and history["best_epoch"][-1] == 2  # logged from 1
    # each decay reloads the best weights; training ends at them
    assert same(script.start[4], script.weights[1])
    assert not same(script.start[3], script.weights[1])
    assert same(network(model), script.weights[1])
    # the optimizer is reset with each decay, as the reference builds a new one
    assert int(model.optimizer.iterations.numpy()) == 0


def test_bad_epochs_before_min_epoch_count_but_do_not_fire():
    losses = [5.0, 6.0, 7.0, 8.0, 4.0]
    _, _, schedule, history = run(
        losses, schedule=LearningRateDecay(patience=2, min_epoch=3, verbose=0)
    )
    assert history["decays"] == [0, 0, 0, 1, 1]  # 2 bad epochs by epoch 2
    assert schedule.best_epoch == 4


@pytest.mark.parametrize("compare, decays", [("last", [0, 1, 1]), ("best", [0, 1, 2])])
def test_last_and_best_rules_differ(compare, decays):
    # text.py takes the value at a decay as its new reference, so 7 < 8 is
    # "not worse"; image.py compares with the best (5) and decays again.
    schedule = LearningRateDecay(patience=1, min_epoch=0, compare=compare, verbose=0)
    _, _, _, history = run([5.0, 8.0, 7.0], schedule=schedule)
    assert history["decays"] == decays


def test_resuming_from_a_checkpoint_continues_the_schedule_exactly(tmp_path):
    losses = [10.0, 9.0, 9.5, 9.7, 9.6, 9.65, 9.66, 9.0]

    def schedule():
        return LearningRateDecay(patience=2, min_epoch=2, max_decays=3, verbose=0)

    straight, _, _, full = run(losses, schedule=schedule())
    first_schedule = schedule()
    first, _, _, _ = run(
        losses,
        epochs=4,
        schedule=first_schedule,
        extra=[EpochCheckpoint(str(tmp_path), first_schedule)],
    )
    # a new process: the model from the checkpoint, the schedule from its state
    import json

    with open(tmp_path / "checkpoint.json") as f:
        state = json.load(f)
    resumed_model = keras.saving.load_model(str(tmp_path / "checkpoint.keras"))
    resumed_schedule = schedule()
    load_schedule_state(str(tmp_path), state, resumed_schedule)
    assert resumed_schedule.decays == 1 and resumed_schedule.best_epoch == 1
    _, _, _, rest = run(
        losses, initial_epoch=4, model=resumed_model, schedule=resumed_schedule
    )
    assert full["decays"][4:] == rest["decays"]
    np.testing.assert_array_equal(full["lr"][4:], rest["lr"])
    assert same(network(straight), network(resumed_model))


def test_validation_elbo_is_the_beta_one_elbo_while_annealing():
    model = mlp_vae(kl_schedule=kvc.schedules.LinearAnnealing(4, 0.1, 10))
    logs = model.fit(
        X, batch_size=16, epochs=1, verbose=0, validation_data=(X,)
    ).history
    assert logs["val_kl_weight"][0] < 0.2
    np.testing.assert_allclose(
        logs["val_elbo"][0], -(logs["val_rec"][0] + logs["val_kl"][0]), rtol=1e-5
    )
    assert logs["val_loss"][0] < -logs["val_elbo"][0]  # the annealed loss


def test_missing_validation_is_a_clear_error():
    with pytest.raises(KeyError, match="validation_data"):
        mlp_vae().fit(
            X, batch_size=16, epochs=1, verbose=0, callbacks=[LearningRateDecay()]
        )


@pytest.mark.parametrize("full_weight, reloaded", [(False, 0), (True, 2)])
def test_best_at_full_weight_never_reloads_a_warm_up_checkpoint(full_weight, reloaded):
    # 4 steps per epoch, weight 0.1 -> 1 over 2 epochs: 0.55 after epoch 0,
    # 1.0 from epoch 1 on. Epoch 0 has the best -ELBO (5.0) but was trained
    # at weight 0.55; the reference reloads it at the decay (epoch 3: two bad
    # epochs against epoch 0's 5.0 by epoch 2, min_epoch 3).
    model = mlp_vae(kl_schedule=kvc.schedules.LinearAnnealing(4, 0.1, 2))
    schedule = LearningRateDecay(
        patience=2,
        min_epoch=3,
        max_decays=1,
        best_at_full_weight=full_weight,
        verbose=0,
    )
    _, script, _, history = run(
        [5.0, 9.0, 6.0, 7.0, 8.0], model=model, schedule=schedule
    )
    assert history["decays"] == [0, 0, 0, 1]
    assert schedule.best_epoch == reloaded
    assert same(network(model), script.weights[reloaded])
    if full_weight:  # logged from 1; 0 while no epoch was at weight 1
        assert history["best_epoch"] == [0, 2, 3, 3]


def test_a_decay_before_any_full_weight_epoch_reloads_nothing():
    model = mlp_vae(kl_schedule=kvc.schedules.LinearAnnealing(4, 0.1, 10))
    schedule = LearningRateDecay(
        patience=1, min_epoch=0, max_decays=2, best_at_full_weight=True, verbose=0
    )
    _, script, _, history = run([5.0, 6.0, 7.0], model=model, schedule=schedule)
    assert history["decays"] == [0, 1, 2] and schedule.best_epoch is None
    assert same(script.start[2], script.weights[1])  # not reloaded
    np.testing.assert_allclose(history["lr"], [0.01, 0.005, 0.0025])
