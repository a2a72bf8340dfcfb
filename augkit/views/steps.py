"""A generator's declared steps: the input step, run once per sample before the views and named in
specs, and the output step's checks (a name such as ``"uint8"`` is the modality's declared step).

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

from augkit.core.errors import AugkitError, InvalidArgument, WrongArgumentType

__all__ = ["check_input", "check_output", "input_spec"]


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


def check_output(output: Any, modality: str, field_modalities: Mapping[str, str] | None = None) -> Any:
    """``output`` as a generator runs it: a callable as it is; a name (``"uint8"``, ``"normalized"``)
    as the modality's declared output step of that type (``descriptor.output({"type": name})``),
    field by field for dict samples.

    Raises:
        WrongArgumentType: for an output that is neither a callable nor a name (nor, for dict
            samples, a dict of them).
        InvalidArgument: for a name the modality declares no output step for.
    """
    if output is None or callable(output):
        return output
    if isinstance(output, Mapping) and field_modalities is not None:
        return {f: check_output(step, field_modalities.get(f, ""), None) for f, step in output.items()}
    if not isinstance(output, str):
        raise WrongArgumentType(f"output={output!r:.60} must be a callable step, the name of the modality's output "
                                f"step (such as 'uint8'), or None, got {type(output).__name__}")
    from augkit.core import modalities

    maker = getattr(modalities.get(modality), "output", None) if modality else None
    if maker is None:
        raise InvalidArgument(f"output={output!r:.40}: the {modality or 'generic'} generator declares no output "
                              "steps by name; pass a callable (a function of the view)")
    try:
        return maker({"type": output})
    except AugkitError as err:
        raise InvalidArgument(f"output={output!r:.40}: {err}") from None
