"""KL weight control shared by every method: beta schedules and free bits."""

from keras_vae_collapse.schedules.constant_weight import ConstantWeight
from keras_vae_collapse.schedules.cyclical_annealing import CyclicalAnnealing
from keras_vae_collapse.schedules.free_bits import FreeBits
from keras_vae_collapse.schedules.kl_schedule import KLSchedule, get
from keras_vae_collapse.schedules.linear_annealing import LinearAnnealing
from keras_vae_collapse.schedules.masked_free_bits import MaskedFreeBits

__all__ = [
    "ConstantWeight",
    "CyclicalAnnealing",
    "FreeBits",
    "KLSchedule",
    "LinearAnnealing",
    "MaskedFreeBits",
    "get",
]
