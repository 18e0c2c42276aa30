import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import VOCAB, token_data

import keras_vae_collapse as kvc


def text_agg(encoder_lr=0.5, decoder_lr=0.5, **kwargs):
    # XLA compiles the sub-steps of every new model (seconds each): only the
    # bit-exact resumption test keeps it, the default of the registry.
    kwargs.setdefault("jit_steps", False)
    model = kvc.models.AggressiveVAE(
        kvc.networks.TextLSTMEncoder(VOCAB, 2, 8, 8),
        kvc.networks.TextLSTMDecoder(VOCAB, 2, 8, 8),
        kvc.likelihoods.TokenCategorical(VOCAB),
        2,
        seed=0,
        **kwargs,
    )
    model.build((None, 9))
    model.compile(
        encoder_optimizer=keras.optimizers.SGD(encoder_lr),
        decoder_optimizer=keras.optimizers.SGD(decoder_lr),
    )
    model.set_inner_data(token_data(64, seed=5), batch_size=16, seed=0)
    return model


def snapshot(variables):
    return [v.numpy().copy() for v in variables]


def changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]


def test_inner_loop_changes_only_the_encoder():
    model = text_agg(max_inner_steps=5, window=100)
    enc, dec = model.encoder_variables(), model.decoder_variables()
    enc0, dec0 = snapshot(enc), snapshot(dec)
    steps = tf.function(model._inner_loop)(token_data(16), tf.constant(1.0))
    assert float(steps) == 5
    assert all(changed(enc0, enc))
    assert not any(changed(dec0, dec))
    assert int(model.encoder_optimizer.iterations.numpy()) == 5
    assert int(model.optimizer.iterations.numpy()) == 0


@pytest.mark.parametrize("encoder_lr,decoder_lr", [(0.0, 0.5), (0.5, 0.0)])
def test_aggressive_step_updates_each_group_with_its_own_optimizer(
    encoder_lr, decoder_lr
):
    model = text_agg(encoder_lr, decoder_lr, max_inner_steps=4, window=100)
    enc, dec = model.encoder_variables(), model.decoder_variables()
    enc0, dec0 = snapshot(enc), snapshot(dec)
    logs = model.train_on_batch(token_data(16), return_dict=True)
    assert logs["inner_steps"] == 4 and logs["aggressive"] == 1
    # the outer step is decoder-only: with the decoder's lr at 0 nothing of
    # the decoder moves, with the encoder's lr at 0 nothing of the encoder does
    assert all(changed(enc0, enc)) == (encoder_lr > 0)
    assert not any(changed(enc0, enc)) == (encoder_lr == 0)
    assert all(changed(dec0, dec)) == (decoder_lr > 0)
    assert not any(changed(dec0, dec)) == (decoder_lr == 0)
    assert int(model.encoder_optimizer.iterations.numpy()) == 4
    assert int(model.optimizer.iterations.numpy()) == 1


def test_joint_step_when_not_aggressive():
    model = text_agg()
    model.aggressive.assign(0)
    enc, dec = model.encoder_variables(), model.decoder_variables()
    enc0, dec0 = snapshot(enc), snapshot(dec)
    logs = model.train_on_batch(token_data(16), return_dict=True)
    assert logs["inner_steps"] == 0 and logs["aggressive"] == 0
    assert all(changed(enc0, enc)) and all(changed(dec0, dec))
    assert int(model.encoder_optimizer.iterations.numpy()) == 1
    assert int(model.optimizer.iterations.numpy()) == 1


class ScriptedLosses(kvc.models.AggressiveVAE):
    """Inner steps return a scripted loss sequence (one unit each)."""

    def set_script(self, losses):
        self.script = tf.constant(losses, tf.float32)
        self.position = tf.Variable(0)

    def _encoder_step(self, data, beta):
        loss = self.script[self.position]
        self.position.assign_add(1)
        return loss, tf.constant(1.0)


def scripted(losses, **kwargs):
    model = ScriptedLosses(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Gaussian((2,)),
        1,
        **kwargs,
    )
    model.set_inner_data(np.zeros((8, 2), np.float32), batch_size=2)
    model.set_script(losses)
    return int(tf.function(model._inner_loop)(np.zeros((2, 2), np.float32), 1.0))


def test_inner_loop_stops_when_the_window_loss_rises():
    losses = [5, 5, 5, 4, 4, 4, 4.5, 4.5, 4.5] + [1] * 30
    assert scripted(losses, window=3) == 9
    # equal windows do not count as a rise (the reference uses a strict test)
    assert scripted([5, 5, 5, 5, 5, 5, 6, 6, 6] + [1] * 30, window=3) == 9
    assert scripted([3, 2, 2.5] + [0] * 30, window=1) == 3


def test_inner_loop_stops_at_the_cap():
    falling = list(np.linspace(10, 1, 120))
    assert scripted(falling, window=10) == 99  # default cap
    assert scripted(falling, window=10, max_inner_steps=25) == 25


def test_text_rule_switches_off_at_the_first_drop_and_never_back_on():
    model = text_agg()
    assert model.record_validation_mi(0.3) is True
    assert model.record_validation_mi(0.5) is True
    assert model.record_validation_mi(0.4) is False
    assert model.record_validation_mi(2.0) is False
    assert int(model.aggressive.numpy()) == 0


def test_text_rule_starts_from_zero():
    model = text_agg()
    assert model.record_validation_mi(-0.01) is False


def test_image_rule_uses_best_and_patience():
    model = kvc.models.AggressiveVAE(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Bernoulli((2,)),
        1,
        window=10,
        patience=3,
    )
    assert model.window == 10
    for mi in [1.0, 0.9, 1.2, 1.1]:  # 0.9 and 1.1: two epochs without a new best
        assert model.record_validation_mi(mi) is True
    assert float(model.mi_reference.numpy()) == pytest.approx(1.2)
    assert model.record_validation_mi(1.19) is False  # third, cumulative
    assert model.record_validation_mi(5.0) is False


class ScriptedSwitch(keras.callbacks.Callback):
    """Makes the model's switch read scripted MI values (epoch e: values[e])
    through its own end-of-epoch hook."""

    def __init__(self, values):
        super().__init__()
        self.values = list(values)

    def on_train_begin(self, logs=None):
        self.model.set_switch_data(np.zeros((2, 2), np.int32))
        self.model.validation_mi = lambda seed=0: self.values[seed]


class Interrupt(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("interrupted")


def test_switch_callback_turns_the_flag_off_and_logs_it():
    model = text_agg(max_inner_steps=3)
    history = model.fit(
        token_data(32),
        batch_size=16,
        epochs=3,
        verbose=0,
        callbacks=[ScriptedSwitch([0.2, 0.1, 0.3])],
    )
    assert history.history["aggressive"] == [1.0, 0.0, 0.0]
    assert history.history["inner_steps"][0] == 3
    assert history.history["inner_steps"][2] == 0


def test_the_hook_works_without_fit():
    # A custom loop calls on_epoch_end itself: the same switch rule runs.
    model = text_agg(max_inner_steps=2)
    model.set_switch_data(token_data(20, seed=3))
    model.train_on_batch(token_data(16))
    logs = {}
    model.mi_reference.assign(100.0)  # any real MI is below it
    model.on_epoch_end(0, logs)
    assert logs["aggressive"] == 0.0 and "val_mi" in logs


def test_fit_arguments_declare_validation_and_inner_data():
    model = text_agg()
    train, validation = token_data(32), (token_data(20, seed=3),)
    arguments = model.fit_arguments(train=train, validation=validation)
    assert arguments["validation_data"] is validation
    assert arguments["inner_data"] is train
    plain = kvc.models.VAE(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Gaussian((2,)),
        1,
    )
    assert plain.fit_arguments(train=train, validation=validation) == {}


def test_fit_adds_the_switch_with_validation_data():
    model = text_agg(max_inner_steps=2)
    history = model.fit(
        token_data(32),
        batch_size=16,
        epochs=1,
        verbose=0,
        validation_data=(token_data(20, seed=3),),
    )
    assert "val_mi" in history.history and "aggressive" in history.history


def test_flag_and_optimizers_survive_save_and_load(tmp_path):
    model = text_agg(max_inner_steps=3)
    model.fit(
        token_data(32),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[ScriptedSwitch([0.2, 0.1])],
    )
    path = str(tmp_path / "agg.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert int(loaded.aggressive.numpy()) == 0
    assert float(loaded.mi_reference.numpy()) == pytest.approx(0.2)  # the best
    assert loaded.max_inner_steps == 3 and loaded.window == 15
    for a, b in [
        (loaded.encoder_optimizer, model.encoder_optimizer),
        (loaded.optimizer, model.optimizer),
    ]:
        assert int(a.iterations.numpy()) == int(b.iterations.numpy())
        assert a.get_config()["learning_rate"] == b.get_config()["learning_rate"]
    np.testing.assert_array_equal(
        loaded.encode(token_data(8))[0], model.encode(token_data(8))[0]
    )


def test_flag_survives_backup_and_restore(tmp_path):
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    model = text_agg(max_inner_steps=3)
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(
            token_data(32),
            batch_size=16,
            epochs=4,
            verbose=0,
            callbacks=[ScriptedSwitch([0.2, 0.1, 0, 0]), backup, Interrupt(1)],
        )
    assert int(model.aggressive.numpy()) == 0
    resumed = text_agg(max_inner_steps=3)
    assert int(resumed.aggressive.numpy()) == 1
    history = resumed.fit(
        token_data(32),
        batch_size=16,
        epochs=4,
        verbose=0,
        callbacks=[ScriptedSwitch([0.2, 0.1, 0, 0]), backup],
    )
    assert len(history.history["aggressive"]) == 2  # epochs 3 and 4 only
    assert history.history["aggressive"] == [0.0, 0.0]
    assert history.history["inner_steps"] == [0.0, 0.0]
    # restored from the backup, frozen once off
    assert float(resumed.mi_reference.numpy()) == pytest.approx(0.2)


def test_compile_with_one_optimizer_copies_it_for_the_encoder():
    model = kvc.models.AggressiveVAE(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Gaussian((2,)),
        1,
    )
    model.compile(optimizer=keras.optimizers.Adam(0.003))
    assert isinstance(model.encoder_optimizer, keras.optimizers.Adam)
    assert model.encoder_optimizer is not model.optimizer
    assert model.encoder_optimizer.get_config() == model.optimizer.get_config()
    with pytest.raises(ValueError, match="not both"):
        model.compile(optimizer="adam", encoder_optimizer="sgd")
    model.compile()
    assert isinstance(model.encoder_optimizer, keras.optimizers.SGD)
    assert model.encoder_optimizer is not model.optimizer


def test_training_without_inner_data_is_a_clear_error():
    model = kvc.models.AggressiveVAE(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Gaussian((2,)),
        1,
    )
    model.build((None, 2))
    model.compile()
    with pytest.raises(ValueError, match="inner loop's data"):
        model.train_on_batch(np.zeros((4, 2), np.float32))


def test_resumed_training_is_bit_exact(tmp_path):
    # The inner loop's random batches continue where they stopped: fit for two
    # epochs == fit one, save, load, fit one more; with the XLA sub-steps
    # (the registry's default), on a small MLP model so XLA compiles quickly.
    x = np.random.default_rng(2).normal(size=(48, 2)).astype("float32")

    def fit(model, values):
        model.fit(
            x,
            batch_size=16,
            epochs=len(values),
            shuffle=False,
            verbose=0,
            callbacks=[ScriptedSwitch(values)],
        )

    def mlp_agg():
        model = kvc.models.AggressiveVAE(
            kvc.networks.MLPEncoder(1, hidden_dims=(8,)),
            kvc.networks.MLPDecoder((2,), hidden_dims=(8,)),
            kvc.likelihoods.Gaussian((2,)),
            1,
            max_inner_steps=7,
            window=3,
            jit_steps=True,
            seed=0,
        )
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        return model

    keras.utils.set_random_seed(1)
    straight = mlp_agg()
    fit(straight, [0.1, 0.2])
    keras.utils.set_random_seed(1)
    first = mlp_agg()
    fit(first, [0.1])
    draws = int(first.inner_draws.numpy())
    assert draws > 0
    path = str(tmp_path / "agg.keras")
    first.save(path)
    loaded = keras.saving.load_model(path)
    assert int(loaded.inner_draws.numpy()) == draws
    fit(loaded, [0.2])
    assert int(loaded.inner_draws.numpy()) == int(straight.inner_draws.numpy())
    assert int(straight.aggressive.numpy()) == 1  # both epochs were aggressive
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- the cost-bounded phase and the annealing-safe switch (issue: Agg-VAE at
# scale) ---------------------------------------------------------------------
def test_reference_setting_is_one_call_away_and_options_round_trip():
    reference = kvc.models.AggressiveVAE.reference(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((2,)),
        kvc.likelihoods.Gaussian((2,)),
        1,
        window=15,
    )
    for key, value in kvc.models.AggressiveVAE.REFERENCE.items():
        assert getattr(reference, key) == value
    assert reference.window == 15
    # the registry's agg-vae-ref is the reference loop with He et al.'s windows
    entry = kvc.models.registry.METHODS["agg-vae-ref"].hyperparameters
    assert {k: entry[k] for k in kvc.models.AggressiveVAE.REFERENCE} == (
        kvc.models.AggressiveVAE.REFERENCE
    )
    assert entry["window"] == {"text": 15, "images": 10}
    assert entry["patience"] == {"text": 1, "images": 5}
    model = text_agg(
        inner_budget=10,
        inner_clip="encoder",
        check_every=50,
        switch_examples=200,
        hold_while_annealing=True,
        max_aggressive_steps=300,
    )
    config = model.get_config()
    clone = kvc.models.AggressiveVAE.from_config(config)
    for key in kvc.models.AggressiveVAE.REFERENCE:
        assert getattr(clone, key) == getattr(model, key)
    with pytest.raises(ValueError, match="inner_clip"):
        text_agg(inner_clip="decoder")
    with pytest.raises(ValueError, match="check_every"):
        text_agg(check_every=0)
    with pytest.raises(ValueError, match="max_aggressive_steps"):
        text_agg(max_aggressive_steps=0)


def test_inner_budget_runs_exactly_that_many_steps():
    rising = [3, 4, 5, 6] + [7] * 30
    assert scripted(rising, window=1) == 2  # the window rule stops at once
    assert scripted(rising, window=1, inner_budget=7) == 7
    assert scripted(list(np.linspace(9, 1, 50)), inner_budget=30) == 30


@pytest.mark.parametrize("inner_clip", ["encoder", "joint"])
def test_inner_clip_norm_is_over_the_encoder_or_all_gradients(inner_clip):
    # With a tiny clip norm every step is clipped: the encoder's update has
    # norm lr * clip when clipped over its own gradients, less when the
    # decoder's gradients share the norm (the reference).
    model = text_agg(
        encoder_lr=1e5, max_inner_steps=1, inner_clip=inner_clip, clip_norm=1e-8
    )
    enc = model.encoder_variables()
    before = snapshot(enc)
    tf.function(model._inner_loop)(token_data(16), tf.constant(1.0))
    step = np.sqrt(sum(np.sum((v.numpy() - b) ** 2) for b, v in zip(before, enc)))
    if inner_clip == "encoder":
        assert step == pytest.approx(1e-3, rel=1e-3)
    else:
        assert step < 0.99e-3


def test_switch_holds_while_the_kl_weight_rises():
    model = text_agg(
        hold_while_annealing=True,
        kl_schedule=kvc.schedules.LinearAnnealing(1, kl_start=0.1, warm_up_epochs=10),
    )
    assert model.kl_weight_rising()
    assert model.record_validation_mi(0.5, rising=True)
    assert model.record_validation_mi(0.1, rising=True)  # held
    assert float(model.mi_reference.numpy()) == 0.0  # the best is forgotten
    model.kl_step.assign(10)
    assert not model.kl_weight_rising()
    assert model.record_validation_mi(0.05, rising=False)  # a new best
    assert not model.record_validation_mi(0.04, rising=False)
    reference = text_agg(
        kl_schedule=kvc.schedules.LinearAnnealing(1, kl_start=0.1, warm_up_epochs=10)
    )
    assert reference.record_validation_mi(0.5, rising=True)
    assert not reference.record_validation_mi(0.1, rising=True)
    assert not text_agg().kl_weight_rising()  # constant weight


def test_check_every_switches_off_within_an_epoch():
    model = text_agg(max_inner_steps=2, window=100, check_every=1)
    values = iter([0.5, 0.3, 9.0, 9.0])
    model.validation_mi = lambda seed=0: next(values)
    history = model.fit(
        token_data(32),
        batch_size=8,
        epochs=2,
        verbose=0,
        validation_data=(token_data(16, seed=3),),
    )
    # checks after steps 1 and 2: off after the second; steps 3-4 are joint
    assert history.history["aggressive"] == [0.0, 0.0]
    assert history.history["inner_steps"] == [1.0, 0.0]
    assert history.history["val_mi"] == [0.3]  # epoch 2 had no check
    assert float(model.mi_reference.numpy()) == 0.5
    assert int(model.encoder_optimizer.iterations.numpy()) == 2 * 2 + 2 + 4
    assert model.training_report() == {
        "aggressive": 0,
        "aggressive_steps": 2,
        "inner_steps": 4,
    }


def test_check_every_reports_progress_while_aggressive(capsys):
    model = text_agg(max_inner_steps=2, window=100, check_every=2)
    values = iter([0.5, 0.3])
    model.validation_mi = lambda seed=0: next(values)
    model.fit(
        token_data(32),
        batch_size=8,
        epochs=1,
        verbose=2,
        validation_data=(token_data(16, seed=3),),
    )
    out = capsys.readouterr().out
    # the check after step 2 keeps the phase on and says so; the one after
    # step 4 (patience 1) switches it off and says that instead
    assert (
        "[kvc] step 2: validation MI 0.5000 (best 0.5000), aggressive; "
        "2.0 inner steps per outer step so far" in out
    )
    assert "[kvc] step 4: validation MI 0.3000, aggressive training switched off" in out
    assert "[kvc] step 4: validation MI 0.3000 (best" not in out


def test_max_aggressive_steps_ends_the_phase_in_the_step(capsys):
    # no switch data and no checks: only the budget can end the phase
    model = text_agg(max_inner_steps=2, window=100, max_aggressive_steps=3)
    history = model.fit(token_data(40), batch_size=8, epochs=1, verbose=0)
    assert model.training_report() == {
        "aggressive": 0,
        "aggressive_steps": 3,
        "inner_steps": 6,
    }
    assert history.history["aggressive"] == [0.0]
    assert "[kvc] step 3: max_aggressive_steps (3) reached" in capsys.readouterr().out
    # a custom loop obeys it too: the budget lives in the compiled step
    loop = text_agg(max_inner_steps=2, window=100, max_aggressive_steps=2)
    loop.set_inner_data(token_data(40), batch_size=8)
    for _ in range(4):
        loop.train_on_batch(token_data(8))
    assert int(loop.aggressive_steps.numpy()) == 2
    assert int(loop.aggressive.numpy()) == 0
    # switched off by the epoch-end rule, budget unspent: no budget message
    ruled = text_agg(max_inner_steps=2, window=100, max_aggressive_steps=100)
    ruled.validation_mi = lambda seed=0: -1.0  # below the start (0): off
    ruled.fit(
        token_data(16),
        batch_size=8,
        epochs=2,
        verbose=0,
        validation_data=(token_data(8, seed=3),),
    )
    assert ruled.training_report()["aggressive_steps"] == 2
    assert "max_aggressive_steps" not in capsys.readouterr().out


def test_check_every_uses_a_fixed_subset_with_fixed_samples():
    model = text_agg(check_every=3, switch_examples=24)
    model.set_switch_data(token_data(40, seed=3), batch_size=8)
    seen = []
    original = kvc.models.aggressive_vae.posterior_parameters

    def spy(m, data, batch_size, num_examples=None, **kwargs):
        seen.append(num_examples)
        return original(m, data, batch_size, num_examples=num_examples, **kwargs)

    kvc.models.aggressive_vae.posterior_parameters = spy
    try:
        first = model.check_switch(0, "test")
        assert model.check_switch(0, "test") == first  # same weights, samples
    finally:
        kvc.models.aggressive_vae.posterior_parameters = original
    assert seen == [24, 24]


def test_resumed_training_with_the_new_options_is_bit_exact(tmp_path):
    x, validation = token_data(48, seed=2), (token_data(24, seed=4),)
    options = dict(
        max_inner_steps=7,
        window=3,
        inner_budget=3,
        inner_clip="encoder",
        check_every=2,
        switch_examples=16,
        hold_while_annealing=True,
        max_aggressive_steps=5,  # ends the phase (and the hold) in epoch 2
        kl_schedule=kvc.schedules.LinearAnnealing(1, kl_start=0.1, warm_up_epochs=4),
    )

    def fit(model, epochs):
        return model.fit(
            x,
            batch_size=16,
            epochs=epochs,
            shuffle=False,
            verbose=0,
            validation_data=validation,
        )

    keras.utils.set_random_seed(1)
    straight = text_agg(**options)
    fit(straight, 3)
    keras.utils.set_random_seed(1)
    first = text_agg(**options)
    fit(first, 1)
    path = str(tmp_path / "agg.keras")
    first.save(path)
    loaded = keras.saving.load_model(path)
    fit(loaded, 2)
    assert straight.training_report()["aggressive_steps"] == 5
    assert int(straight.aggressive.numpy()) == 0
    for name in (
        "aggressive",
        "aggressive_steps",
        "mi_reference",
        "epochs_without_improvement",
    ):
        assert getattr(loaded, name).numpy() == getattr(straight, name).numpy()
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
