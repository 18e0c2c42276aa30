import tensorflow as tf


def _all_reduce_sum(value):
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        return context.all_reduce(tf.distribute.ReduceOp.SUM, value)
    return value


def global_batch_moments(x):
    """Mean, biased variance and size of x [B, n] over the GLOBAL batch.

    Under a tf.distribute strategy the sums are all-reduced across replicas,
    so every replica gets the statistics of the whole batch. Two passes (mean,
    then centred squares) for precision.
    """
    x = tf.convert_to_tensor(x)
    count = _all_reduce_sum(tf.cast(tf.shape(x)[0], x.dtype))
    mean = _all_reduce_sum(tf.reduce_sum(x, axis=0)) / tf.maximum(count, 1.0)
    squares = _all_reduce_sum(tf.reduce_sum(tf.square(x - mean), axis=0))
    return mean, squares / tf.maximum(count, 1.0), count
