import numpy as np
import pytest
import tensorflow as tf

from keras_vae_collapse import schedules


def test_linear_annealing_formula():
    s = schedules.LinearAnnealing(steps_per_epoch=100, kl_start=0.1, warm_up_epochs=10)
    rate = 0.9 / 1000
    for step in [0, 1, 2, 500, 999]:
        assert float(s(step)) == pytest.approx(0.1 + step * rate, rel=1e-6)
    assert float(s(1000)) == pytest.approx(1.0)
    assert float(s(5000)) == 1.0


def test_linear_annealing_with_kl_start_one_is_off():
    s = schedules.LinearAnnealing(steps_per_epoch=10, kl_start=1.0)
    assert [float(s(t)) for t in (0, 1, 50)] == [1.0, 1.0, 1.0]


def frange_cycle_linear(n_iter, start=0.0, stop=1.0, n_cycle=4, ratio=0.5):
    """Fu et al.'s reference implementation."""
    values = np.ones(n_iter) * stop
    period = n_iter / n_cycle
    step = (stop - start) / (period * ratio)
    for c in range(n_cycle):
        v, i = start, 0
        while v <= stop and (int(i + c * period) < n_iter):
            values[int(i + c * period)] = v
            v += step
            i += 1
    return values


@pytest.mark.parametrize("start", [0.0, 0.1])
def test_cyclical_annealing_matches_reference(start):
    total = 400
    s = schedules.CyclicalAnnealing(total, num_cycles=4, ratio=0.5, start=start)
    reference = frange_cycle_linear(total, start=start)
    got = np.array([float(s(t)) for t in range(1, total + 1)])
    np.testing.assert_allclose(got, reference, atol=1e-5)
    assert float(s(total + 37)) == 1.0


def test_constant_weight():
    assert float(schedules.ConstantWeight(0.4)(123)) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        schedules.ConstantWeight(-1.0)


def test_schedule_arguments_are_checked():
    with pytest.raises(ValueError, match="kl_start"):
        schedules.LinearAnnealing(10, kl_start=1.5)
    with pytest.raises(ValueError, match="ratio"):
        schedules.CyclicalAnnealing(10, ratio=0.0)
    with pytest.raises(ValueError, match="kl_schedule"):
        schedules.get("fast")


def _kl_gradient(free_bits, kl_dims):
    kl_dims = tf.Variable(kl_dims)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(free_bits(kl_dims))
    return loss.numpy(), tape.gradient(loss, kl_dims).numpy()


def test_free_bits_kingma_gradient_only_above_threshold():
    kl = np.array([[0.1, 0.5, 0.3], [0.2, 0.7, 0.1]], np.float32)
    # batch means: 0.15, 0.6, 0.2 -> with lambda 0.25 only dimension 1 is kept
    loss, grad = _kl_gradient(schedules.FreeBits(0.25), kl)
    assert loss == pytest.approx(0.25 + 0.6 + 0.25)
    np.testing.assert_allclose(grad[:, [0, 2]], 0.0)
    np.testing.assert_allclose(grad[:, 1], 0.5)  # d mean / d kl_b1 = 1 / B


def test_masked_free_bits_per_example_mask():
    kl = np.array([[0.1, 0.5, 0.3], [0.2, 0.7, 0.05]], np.float32)
    # target 0.75 over 3 dims -> per-dimension threshold 0.25
    loss, grad = _kl_gradient(schedules.MaskedFreeBits(0.75), kl)
    assert loss == pytest.approx((0.5 + 0.3 + 0.7) / 2)
    np.testing.assert_allclose(grad, [[0, 0.5, 0.5], [0, 0.5, 0]])
