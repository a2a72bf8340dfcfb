"""Coupling rules: a draw on one side of a cross-modal pair constrains the other side.

A rule sees every field of a dict sample (:class:`augkit.CrossModalViews`, or a
:class:`augkit.ViewGenerator` over dict samples) at two moments:

- :meth:`Coupling.before`, once per sample, before any view's fields draw: it may set a scope
  (the protected words of :mod:`augkit.text.protect`) that stays open while every view draws,
  and returns what it saw;
- :meth:`Coupling.after`, once every field of a view is augmented: it may change that view's
  fields (swap words in a caption) and returns what it did.

Both returns are merged into the view's record under ``record["couplings"][rule.name]``, and
:meth:`Coupling.redo` applies the recorded change again on replay, so views stay reproducible
and replayable across every side. Rules are registered by name (:func:`register`, :func:`get`,
:func:`names`), so config specs name them: ``"flip_swaps_left_right"`` or
``{"rule": "protect_words", "words": ["dog"]}``.

Example:
    >>> pairs = augkit.CrossModalViews(image=crop_and_flip, text=eda_op,
    ...                                couplings=["flip_swaps_left_right", "protect_words"], seed=0)
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from augkit.core import modalities, registry
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType
from augkit.core.registries import Registry

__all__ = ["RULES", "Coupling", "FlipSwapsLeftRight", "ProtectWords", "get", "names", "register", "resolve"]

#: Rule classes by name; installed packages add theirs through the ``augkit.couplings`` entry-point group.
RULES: Registry[type[Coupling]] = Registry(
    "coupling", "augkit.couplings", check=lambda obj, where: _rule(obj, where))


class Coupling:
    """A rule between the fields of a dict sample's view (subclass and :func:`register` it).

    Attributes:
        name: the registered name; the key of the rule's entry in a view's record.
        needs: the capabilities the rule asks of descriptors (attributes or methods such as
            ``swap_left_right``); the generator must have a field whose modality provides each.
    """

    name: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()

    def before(self, sample: Mapping[str, Any], fields: Mapping[str, str],
               scope: contextlib.ExitStack) -> dict[str, Any] | None:
        """Called once per sample, before its views draw; may enter contexts into ``scope``.

        Args:
            sample: the (checked) sample.
            fields: field -> modality.
            scope: an exit stack that stays open while every field of every view draws its params.

        Returns:
            JSON-safe facts for the record of each view, or None.
        """
        return None

    def after(self, view: dict[str, Any], steps: Mapping[str, list[tuple[str, dict[str, Any]]]],
              fields: Mapping[str, str]) -> dict[str, Any] | None:
        """Called once every field of one view is augmented; may change ``view`` in place.

        Args:
            view: field -> augmented value (pass-through keys too).
            steps: field -> the ops that fired on it, in order, with their params
                (:func:`augkit.core.composites.fired` of its record).
            fields: field -> modality.

        Returns:
            JSON-safe facts of what it did, or None; :meth:`redo` gets them back on replay.
        """
        return None

    def redo(self, view: dict[str, Any], record: Any, fields: Mapping[str, str]) -> None:
        """Apply to a replayed ``view`` what :meth:`after` recorded (``record``: the rule's entry)."""

    def spec(self) -> str | dict[str, Any]:
        """The rule as a config spec: its name, or ``{"rule": name, **arguments}``."""
        return self.name

    def __repr__(self) -> str:
        spec = self.spec()
        return f"{type(self).__name__}()" if isinstance(spec, str) else \
            f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in spec.items() if k != 'rule')})"


def _rule(obj: Any, where: str) -> type[Coupling]:
    if not (isinstance(obj, type) and issubclass(obj, Coupling)):
        raise WrongArgumentType(f"{where} must name an augkit Coupling subclass")
    return obj


def register(cls: type[Coupling]) -> type[Coupling]:
    """Register a rule class under its ``name`` (a decorator).

    Raises:
        InvalidArgument: for an empty name, or a name another rule holds.
    """
    return RULES.register(cls)


def names() -> list[str]:
    """The registered rule names, sorted."""
    return RULES.names()


def get(spec: str | Mapping[str, Any] | Coupling) -> Coupling:
    """A rule from its name, a ``{"rule": name, **arguments}`` spec, or a rule object.

    Raises:
        ValueError: for an unknown name (naming the known ones) or arguments the rule refuses.
        TypeError: for anything else.
    """
    if isinstance(spec, Coupling):
        return spec
    if isinstance(spec, str):
        name, arguments = spec, {}
    elif isinstance(spec, Mapping):
        arguments = dict(spec)
        name = arguments.pop("rule", None)
        if not isinstance(name, str):
            raise InvalidArgument(f"a coupling spec needs 'rule': a registered name; got {dict(spec)!r:.80}")
    else:
        raise WrongArgumentType(f"a coupling is a rule name, a {{'rule': name, ...}} dict or a Coupling, "
                                f"got {type(spec).__name__}")
    rule = RULES.get(name)
    try:
        signature = inspect.signature(rule)
        signature.bind(**arguments)
    except TypeError as err:
        takes = ", ".join(signature.parameters) or "no arguments"
        raise InvalidArgument(f"coupling {name!r}: {err}; it takes {takes}") from None
    return rule(**arguments)


def resolve(specs: Sequence[Any], fields: Mapping[str, str]) -> list[Coupling]:
    """The rules of ``specs``, checked against the generator's fields (field -> modality).

    Raises:
        ValueError: for a rule that needs a modality no field has, or a rule given twice.
        TypeError: when ``specs`` is a single str or not a sequence.
    """
    if isinstance(specs, (str, bytes, Mapping)) or not isinstance(specs, Iterable):
        raise WrongArgumentType(f"couplings must be a list of rules, got {type(specs).__name__}: "
                                f"pass [{specs!r}]")
    rules = [get(s) for s in specs]
    have = set(fields.values())
    seen: set[str] = set()
    for rule in rules:
        lacking = [need for need in rule.needs if not any(_provider(m, need) for m in have)]
        if lacking:
            wanted = " and ".join(" or ".join(m for m in modalities.names() if _provider(m, need)) or need
                                  for need in rule.needs)
            raise InvalidArgument(f"coupling {rule.name!r} needs {wanted} fields; no field of this generator "
                                  f"provides {', '.join(lacking)} (fields: {dict(fields)})")
        if rule.name in seen:
            raise InvalidArgument(f"coupling {rule.name!r} is given twice")
        seen.add(rule.name)
    return rules


# -- flip_swaps_left_right ----------------------------------------------------------------------

def _mirrored(steps: list[tuple[str, dict[str, Any]]]) -> bool:
    """Whether the ops that fired (name, record) leave the view mirrored: an odd number of them
    answer :meth:`augkit.core.Augmenter.swaps_left_right` with True."""
    n = 0
    for name, params in steps:
        try:
            op = registry.get(name)
        except KeyError:
            continue
        n += bool(op.swaps_left_right(params))
    return n % 2 == 1


def _swap_sides(view: dict[str, Any], fields: Mapping[str, str]) -> dict[str, int]:
    """Swap left and right in every field whose modality can (``swap_left_right``), in place;
    returns the number of swaps per field it changed."""
    swaps = {}
    for f, m in fields.items():
        descriptor = _provider(m, "swap_left_right")
        swapped = None if descriptor is None or f not in view else descriptor.swap_left_right(view[f])
        if swapped is not None:
            view[f], swaps[f] = swapped
    return swaps


def _provider(modality: str | None, capability: str) -> Any:
    """``modality``'s descriptor when it provides ``capability`` (an attribute or method), else None."""
    if not modality:
        return None
    descriptor = modalities.get(modality)
    return descriptor if getattr(descriptor, capability, None) else None


@register
class FlipSwapsLeftRight(Coupling):
    """A horizontal flip of the image swaps left and right in the caption.

    The image field is the first field whose modality ``has_left_right`` (images); it is mirrored
    when an odd number of its fired ops answer ``swaps_left_right(record)`` with True (a
    horizontal flip, ``HorizontalFlip`` inside an Albumentations record). The swap runs on the
    caption's view, after the text ops, in every field whose modality can ``swap_left_right``
    (text: :func:`augkit.text.swap_left_right`).

    Record: ``{"flipped": bool, "swaps": {text_field: count}}`` (``swaps`` only when flipped).
    """

    name = "flip_swaps_left_right"
    needs = ("has_left_right", "swap_left_right")

    def after(self, view: dict[str, Any], steps: Mapping[str, list[tuple[str, dict[str, Any]]]],
              fields: Mapping[str, str]) -> dict[str, Any]:
        sided = next((f for f, m in fields.items() if _provider(m, "has_left_right") and f in steps), None)
        if sided is None or not _mirrored(steps[sided]):
            return {"flipped": False}
        return {"flipped": True, "swaps": _swap_sides(view, fields)}

    def redo(self, view: dict[str, Any], record: Any, fields: Mapping[str, str]) -> None:
        if not isinstance(record, Mapping) or not isinstance(record.get("flipped"), bool):
            raise InvalidParams(f"the {self.name!r} record must hold 'flipped': bool, got {record!r:.80}")
        if record["flipped"]:
            _swap_sides(view, fields)


# -- protect_words --------------------------------------------------------------------------------

@register
class ProtectWords(Coupling):
    """Protect the words a caption needs to keep describing its image from every text op.

    While the text fields draw (every field whose modality can ``protect`` words), the protected
    set (:mod:`augkit.text.protect`) holds ``words``, plus every colour
    (:data:`~augkit.text.protect.COLOURS`) and every number (words such as "three", and digits)
    when ``colours``/``numbers`` are on. Deletion, swap, synonym replacement
    and insertion then never delete, move or replace those words, nor bring new ones in; a
    back-translation that loses one falls back to the original text.

    Args:
        words: more words to protect (e.g. ``["left", "right"]``, or the class names).
        colours: protect colour words.
        numbers: protect number words and digits.

    Record: ``{"protected": [the caption's words that were protected, lower case, sorted]}``.
    """

    name = "protect_words"
    needs = ("protect",)

    def __init__(self, words: Iterable[str] = (), colours: bool = True, numbers: bool = True) -> None:
        if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
            raise WrongArgumentType(f"protect_words(words=...) takes a list of words, got {words!r:.40}")
        listed = list(words)
        bad = [w for w in listed if not isinstance(w, str) or not w.strip()]
        if bad:
            raise WrongArgumentType(f"protect_words(words=...) must hold non-empty str, got {bad[0]!r:.40}")
        for name, value in (("colours", colours), ("numbers", numbers)):
            if not isinstance(value, bool):
                raise WrongArgumentType(f"protect_words({name}={value!r}) must be True or False")
        self.words = sorted({w.lower() for w in listed})
        self.colours, self.numbers = colours, numbers

    def before(self, sample: Mapping[str, Any], fields: Mapping[str, str],
               scope: contextlib.ExitStack) -> dict[str, Any]:
        found: set[str] = set()
        kept: dict[str, Any] = {}
        for f, m in fields.items():
            descriptor = _provider(m, "protect")
            if descriptor is None:
                continue
            if m not in kept:  # one protected scope per modality, open while every view draws
                kept[m] = scope.enter_context(descriptor.protect(self.words, colours=self.colours,
                                                                 numbers=self.numbers))
            if f in sample:
                found |= descriptor.protected_in(sample[f], kept[m])
        return {"protected": sorted(found)}

    def spec(self) -> str | dict[str, Any]:
        if not self.words and self.colours and self.numbers:
            return self.name
        return {"rule": self.name, "words": list(self.words), "colours": self.colours, "numbers": self.numbers}
