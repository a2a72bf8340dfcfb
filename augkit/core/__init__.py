"""The core layer: the augmenter base and its composites, declared arguments, streams, errors, the
registries and the modality protocol. Everything else in augkit imports from here; nothing here
imports a modality or a higher layer.

Plugin authors import from here::

    from augkit.core import Arg, Augmenter, Params, Probability, Range, register, uniform

Example:
    >>> from augkit.core import Compose, registry
    >>> registry.create("audio.gain", gain_db=(-6, 6))
"""

from __future__ import annotations

from augkit.core.args import REQUIRED, Arg, Check, Choice, Flag, Integer, Number, Probability, Range, Value
from augkit.core.augmenter import RECORD_FORMAT, Augmenter, Params, check_json_safe, expect, uniform
from augkit.core.composites import Compose, Identity, OneOf, Pipeline, RandomApply, check_augmenter, fired
from augkit.core.errors import AugkitError
from augkit.core.mixing import Mixing
from augkit.core.registries import UnknownName
from augkit.core.registry import register

__all__ = [
    "RECORD_FORMAT",
    "REQUIRED",
    "Arg",
    "AugkitError",
    "Augmenter",
    "Check",
    "Choice",
    "Compose",
    "Flag",
    "Identity",
    "Integer",
    "Mixing",
    "Number",
    "OneOf",
    "Params",
    "Pipeline",
    "Probability",
    "RandomApply",
    "Range",
    "UnknownName",
    "Value",
    "check_augmenter",
    "check_json_safe",
    "expect",
    "fired",
    "register",
    "uniform",
]
