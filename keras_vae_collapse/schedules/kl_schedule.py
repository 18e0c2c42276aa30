import keras


class KLSchedule:
    """Base class of the KL weight beta as a function of the training step.

    `step` is the 1-based index of the training step being taken (the weight is
    updated before the step, as in He et al. 2019); step 0 means "no training
    step yet" and is what evaluation before training sees. Schedules are
    stateless: the step counter is a variable of the model, so it is saved,
    restored and resumed with the model.
    """

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def get(identifier):
    """Returns a schedule from a schedule, a float (constant beta) or a config."""
    from keras_vae_collapse.schedules.constant_weight import ConstantWeight

    if identifier is None:
        return ConstantWeight(1.0)
    if isinstance(identifier, KLSchedule):
        return identifier
    if isinstance(identifier, (int, float)):
        return ConstantWeight(float(identifier))
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    raise ValueError(
        "kl_schedule must be a KLSchedule, a number (constant beta) or a "
        f"serialized schedule; got {identifier!r}"
    )
