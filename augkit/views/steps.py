"""A generator's declared input step: run once per sample before the views, named in specs.

The mirror of the output step. ``ViewGenerator(input=step)`` runs ``step(x)`` on every sample after
``prepare`` and before the modality's check, so it may change what a sample is (a waveform or an
audio file's path into a log-mel). A step is declared when it has a ``spec`` mapping
(``{"type": "log_mel", ...}``): :func:`augkit.views.config.dump` writes it as ``"input"`` and
:func:`augkit.views.config.load` builds it back with the generator's modality's ``input(spec)``.
It must be deterministic: it is not recorded per view, and a replay runs it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from augkit.core.errors import WrongArgumentType

__all__ = ["check_input", "input_spec"]


def check_input(step: Callable[[Any], Any] | None, fields: bool) -> Callable[[Any], Any] | None:
    """``step`` if a generator can run it as its input step.

    Raises:
        WrongArgumentType: for a step that is not callable, or one given to a generator of dict
            samples (convert the field in ``prepare`` instead).
    """
    if step is None:
        return None
    if not callable(step):
        raise WrongArgumentType(f"input={step!r:.60} must be a callable step (one a modality package declares, "
                                "with a spec)")
    if fields:
        raise WrongArgumentType("input= is for generators of one modality; for dict samples convert the field "
                                "in prepare=")
    return step


def input_spec(step: Any) -> dict[str, Any] | None:
    """The spec of a declared step (its ``spec`` mapping), or None for a function of one's own."""
    declared = getattr(step, "spec", None)
    return dict(declared) if isinstance(declared, Mapping) else None
