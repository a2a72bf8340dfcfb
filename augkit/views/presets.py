"""Presets: named view recipes, with the keywords every preset takes declared once here.

A preset is written as a function of its own arguments that returns the pipeline (one augmenter
for every view) or the list of per-view pipelines; :func:`preset` turns it into a callable that
also takes the common keywords and returns a ready :class:`augkit.ViewGenerator`:

- ``n_views``: the total number of views (``min_views`` up to :data:`augkit.core.args.MAX_VIEWS`). A
  recipe whose count is fixed (BYOL's two asymmetric views) refuses any other number by name; a
  multi-crop recipe receives ``n_views`` and splits it itself (``dino(n_views=N)``: 2 global views
  and N - 2 local ones).
- ``seed``: the generator's seed (an int >= 0); ``None`` draws one. Pass it explicitly with
  several processes or DDP ranks so that every process derives the same views.
- the modality's own output keywords (for images ``output``, ``mean``, ``std``), declared by the
  modality's presets module and handed to its ``finish`` function.

Example:
    >>> @preset("text.my_views", modality="text")
    ... def my_views(alpha: float = 0.1) -> Augmenter: return RandomSwap(alpha)
    >>> my_views(0.2, n_views=3, seed=0)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter
from augkit.core.args import MAX_VIEWS, Arg, Integer, Seed
from augkit.core.errors import InvalidArgument, WrongArgumentType
from augkit.views.generator import ViewGenerator

__all__ = ["COMMON_ARGS", "Preset", "multi_crop", "preset"]

_SEED = Arg("seed", Seed(), None, "the generator's seed (an int >= 0); None draws one", keyword_only=True)

#: The keywords every preset takes after its own arguments (``n_views`` is added per preset,
#: with that preset's default).
COMMON_ARGS = (_SEED,)

Finish = Callable[..., ViewGenerator]


def _plain(pipelines: Augmenter[Any] | list[Augmenter[Any]], n_views: int, seed: int | None) -> ViewGenerator:
    if isinstance(pipelines, Augmenter):
        return ViewGenerator(pipelines, n_views=n_views, seed=seed)
    return ViewGenerator(pipelines, seed=seed)


class Preset:
    """A named recipe: call it with its arguments and the common keywords to get a ViewGenerator.

    Attributes:
        name: the registry name (``"image.simclr"``).
        modality: the modality of its inputs.
        default_views: the number of views when ``n_views`` is not given.
        fixed_views: whether that number is the only one the recipe makes.
    """

    def __init__(self, build: Callable[..., Any], name: str, modality: str, default_views: int, min_views: int,
                 fixed_views: bool, options: Sequence[Arg], finish: Finish | None) -> None:
        self.build, self.name, self.modality = build, name, modality
        self.default_views, self.min_views, self.fixed_views = default_views, min_views, fixed_views
        self.options = tuple(options)
        self.finish = finish
        own = inspect.signature(build)
        self._takes_n_views = "n_views" in own.parameters
        params = [p for p in own.parameters.values() if p.name != "n_views"]
        kw = inspect.Parameter.KEYWORD_ONLY
        params.append(inspect.Parameter("n_views", kw, default=default_views))
        params += [inspect.Parameter(a.name, kw, default=a.default) for a in (*COMMON_ARGS, *self.options)]
        self.__signature__ = own.replace(parameters=params, return_annotation="ViewGenerator")
        self.__doc__ = build.__doc__
        self.__name__ = self.__qualname__ = build.__name__
        self.__module__ = build.__module__

    def check_views(self, n_views: Any) -> int:
        """``n_views`` as an int, or an error naming the preset and what it makes."""
        n = Integer(self.min_views, MAX_VIEWS)(n_views, f"{self.__name__}(n_views)")
        if self.fixed_views and n != self.default_views:
            raise InvalidArgument(f"{self.__name__}(n_views={n}) is not possible: {self.name} makes exactly "
                                  f"{self.default_views} views")
        return n

    def __call__(self, *args: Any, **kwargs: Any) -> ViewGenerator:
        try:
            bound = self.__signature__.bind(*args, **kwargs)
        except TypeError as exc:
            raise WrongArgumentType(f"{self.__name__}(): {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        n_views = self.check_views(values.pop("n_views"))
        seed = _SEED.check(values.pop("seed"), "seed")
        options = {a.name: a.check(values.pop(a.name), a.name) for a in self.options}  # the declared checks
        if self._takes_n_views:
            values["n_views"] = n_views
        own = dict(values)
        if self._takes_n_views:
            own.pop("n_views")
        pipelines = self.build(**values)
        if not isinstance(pipelines, Augmenter) and len(pipelines) != n_views:
            raise AssertionError(f"{self.name} built {len(pipelines)} pipelines for n_views={n_views}")
        vg = _plain(pipelines, n_views, seed) if self.finish is None else \
            self.finish(pipelines, n_views, seed, **options)
        vg.origin = {"preset": self.name, "args": {**own, **options}}
        return vg

    def __repr__(self) -> str:
        return f"<preset {self.name}{self.__signature__}>"


def preset(name: str, *, modality: str, views: int = 2, min_views: int = 1, fixed_views: bool = False,
           options: Sequence[Arg] = (), finish: Finish | None = None) -> Callable[[Callable[..., Any]], Preset]:
    """Decorator: turn a recipe function into a :class:`Preset` and register it by ``name``.

    Args:
        name: the registry name, ``"<modality>.<recipe>"``.
        modality: the modality of the inputs.
        views: the default number of views.
        min_views: the smallest ``n_views`` accepted.
        fixed_views: refuse any ``n_views`` other than ``views``.
        options: the modality's output keywords, passed on to ``finish``.
        finish: ``finish(pipelines, n_views, seed, **options) -> ViewGenerator``; by default a
            plain ViewGenerator.
    """

    def wrap(build: Callable[..., Any]) -> Preset:
        from augkit.core import registry

        made = Preset(build, name, modality, views, min_views, fixed_views, options, finish)
        registry.register_preset(made)
        return made

    return wrap


def multi_crop(global_view: Augmenter[Any], local_view: Augmenter[Any], n_global: int = 2,
               n_local: int = 6) -> list[Augmenter[Any]]:
    """Expand a SwAV/DINO multi-crop recipe into one pipeline per view: globals first, then locals.

    Example:
        >>> ViewGenerator(multi_crop(global_224, local_96, n_global=2, n_local=6))  # 8 views
    """
    for name, value, low in (("n_global", n_global, 1), ("n_local", n_local, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise InvalidArgument(f"multi_crop({name}={value!r}) must be an int >= {low}")
    return [global_view] * n_global + [local_view] * n_local
