"""Contrastive losses that are right for any number of views.

Every loss takes its inputs through one gate (:func:`checked_forward`):

- numpy arrays become tensors; an embedding must then be a float tensor ``[batch, dim]``
  (float16, bfloat16, float32 or float64) with at least one row and one feature. Anything else —
  a list, ``None``, an integer, bool or complex tensor, an empty batch — raises one
  :class:`augkit.AugkitError` (``WrongInputType`` or ``InvalidInput``) naming the argument and
  what to pass. Integer tensors are refused, not converted: in an embedding's place they are
  nearly always labels or token ids passed by mistake, and they carry no gradient
  (``z.float()`` converts embeddings that really are integers).
- The loss is computed with autocast off, in float64 when any embedding is float64 and in
  float32 otherwise (float16 and bfloat16 embeddings included), with ``logsumexp``, and comes
  back in that dtype, as autocast's own losses do. A float32 loss whose value is past float32's
  range raises ``InvalidInput`` rather than coming back as ``inf``.
- Losses that L2-normalize do it in that precision, at any scale (a float32 row of 1e20s is a
  direction, not a zero), with an ``eps`` that keeps the gradient of an all-zero row inside the
  range of the embedding's own dtype: float16 gradients stay finite.

Constructor arguments are checked where they are given: temperatures and margins that cannot
give a finite loss raise ``InvalidArgument``, values of the wrong type ``WrongArgumentType``.

Example:
    >>> loss = NTXentLoss(temperature=0.5)([z1, z2, z3])      # three views of a batch
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

__all__ = ["MAX_MARGIN", "MIN_TEMPERATURE", "UNIT_EPS", "Loss", "check_margin", "check_n_views", "check_temperature",
           "checked_forward", "in_dtype", "real_number", "shown", "stack_views", "unit_rows", "widened"]


#: Rows shorter than this are scaled by 1/UNIT_EPS instead of normalized: the gradient of
#: x / max(|x|, eps) is at most 1/eps times the loss's gradient with respect to the unit vector,
#: so an all-zero embedding row cannot blow up training. Float16 embeddings get a larger eps
#: where the loss's gradient bound asks for it (:meth:`Loss._unit_gradient`), so that their
#: gradients fit float16 (whose maximum is 65504).
UNIT_EPS = 1e-4


#: The smallest temperature accepted: 1/t must stay far inside float32 (similarities / t are exponentiated).
MIN_TEMPERATURE = 1e-4


#: The largest margin accepted. A margin is a distance between embeddings (FaceNet's 0.2 on unit
#: vectors; Hadsell's 1-2 on raw ones); a million is past any embedding scale, and ContrastiveLoss's
#: largest term, ½·margin², stays far inside float32 (a margin of 1e20 would make it ``inf``).
MAX_MARGIN = 1e6


#: What an argument of a loss's ``forward`` holds: one embedding tensor, NT-Xent's views (a list
#: of embedding tensors or one stacked tensor), an optional queue of negative embeddings, labels.
Role = Literal["embeddings", "views", "queue", "labels"]


_Forward = TypeVar("_Forward", bound=Callable[..., torch.Tensor])


def _as_tensor(value: Any) -> Any:
    """A numpy array of numbers as a tensor (native byte order, contiguous); anything else as given."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return torch.from_numpy(np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("=")))
    return value


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"a numpy array of dtype {value.dtype}"
    return "None" if value is None else f"a {type(value).__name__}"


def _embedding(loss: str, name: str, value: Any, role: Role = "embeddings") -> torch.Tensor:
    """``value`` as a float tensor ``[rows, dim]`` with rows and features, or one error naming ``name``."""
    shape = "[n*batch, dim] (with n_views)" if role == "views" else "[K, dim]" if role == "queue" else "[batch, dim]"
    value = _as_tensor(value)
    if not isinstance(value, torch.Tensor):
        raise WrongInputType(
            f"{loss}: {name} is {_kind(value)}; pass a float tensor {shape} (torch.tensor(values, "
            "dtype=torch.float32) makes one from a list)"
        )
    if not value.is_floating_point():
        raise WrongInputType(
            f"{loss}: {name} has dtype {value.dtype}; embeddings are float tensors {shape} (float16, "
            "bfloat16, float32 or float64). Integer, bool and complex tensors are refused rather than "
            "converted: in an embedding's place they are usually labels or token ids passed by mistake, "
            f"and they carry no gradient; pass {name}.float() if they really are embeddings"
        )
    if value.ndim != 2 or value.shape[1] == 0:
        raise InvalidInput(f"{loss}: {name} has shape {tuple(value.shape)}; pass a float tensor {shape} with dim >= 1")
    if value.shape[0] == 0:
        if role == "queue":
            raise InvalidInput(
                f"{loss}: queue holds no negatives (shape {tuple(value.shape)}); pass queue=None to use the "
                "in-batch negatives only, or a queue of at least one row (MoCo fills its queue with random "
                "unit vectors before the first batch)"
            )
        raise InvalidInput(
            f"{loss}: the embeddings hold an empty batch (B = 0): {name} has shape {tuple(value.shape)}; a loss "
            "needs at least one sample (skip empty batches, e.g. DataLoader(..., drop_last=True))"
        )
    return value


def _views(loss: str, name: str, value: Any) -> torch.Tensor | list[torch.Tensor]:
    """NT-Xent's views: one stacked tensor, or a list of them, each checked by :func:`_embedding`."""
    value = _as_tensor(value)
    if isinstance(value, torch.Tensor):
        return _embedding(loss, name, value, "views")
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping)):
        views = list(value)
        if len(views) < 2:
            raise InvalidInput(f"{loss}: {name} holds {len(views)} view(s); pass at least 2 views of a batch "
                               "(a list of float tensors [batch, dim])")
        return [_embedding(loss, f"{name}[{i}]", v) for i, v in enumerate(views)]
    raise WrongInputType(
        f"{loss}: {name} is {_kind(value)}; pass a list of n float tensors [batch, dim], one per view, or "
        "one [n*batch, dim] tensor with n_views"
    )


def _labels(loss: str, name: str, value: Any) -> torch.Tensor:
    value = _as_tensor(value)
    if not isinstance(value, torch.Tensor):
        raise WrongInputType(f"{loss}: {name} is {_kind(value)}; pass a tensor [batch] of labels, one per row")
    if value.ndim != 1:
        raise InvalidInput(
            f"{loss}: {name} has shape {tuple(value.shape)}; pass a tensor [batch] of labels, one per row"
        )
    return value


def _map(value: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    return [fn(v) for v in value] if isinstance(value, list) else fn(value)


def unit_rows(x: torch.Tensor, eps: float) -> torch.Tensor:
    """The rows of ``x``, L2-normalized with ``eps`` (see :data:`UNIT_EPS`)."""
    # F.normalize squares the row: a float32 row of 1e20s has an infinite norm and would come out
    # as zeros. Dividing first by a power of two near the row's largest magnitude is exact, so the
    # result is F.normalize's bit for bit wherever F.normalize was right; rows whose largest
    # magnitude is below 1 are left as they are, so eps keeps its meaning. The divisor is detached:
    # normalize(x / s) has the gradient of normalize(x) for any constant s > 0.
    biggest = x.detach().abs().amax(dim=1, keepdim=True)
    _, exponent = torch.frexp(biggest.clamp_min(1.0))
    return F.normalize(x / torch.ldexp(torch.ones_like(biggest), exponent - 1), dim=1, eps=eps)


def widened(x: torch.Tensor) -> torch.Tensor:
    """float64 for float32 embeddings whose squared distances could overflow float32 (inf − inf = NaN):
    a squared distance of two rows is at most 4·dim·max|x|²."""
    if x.dtype == torch.float32 and x.numel():
        limit = math.sqrt(torch.finfo(torch.float32).max / (4 * x.shape[1]))
        if float(x.detach().abs().max()) > limit:
            return x.double()
    return x


def checked_forward(fn: _Forward) -> _Forward:
    """Wrap a loss's ``forward``: check and convert its inputs by the roles the loss declares
    (:meth:`Loss._roles`), cast the embeddings to the computing dtype, normalize them when the loss
    does, run it with autocast off and return the loss in the computing dtype."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def forward(self: Loss, *args: Any, **kwargs: Any) -> torch.Tensor:
        loss = type(self).__name__
        bound = signature.bind(self, *args, **kwargs)
        given = bound.arguments
        embeddings: list[torch.Tensor] = []
        for param, (name, role) in self._roles().items():
            value = given.get(param)
            if role == "labels":
                given[param] = _labels(loss, name, value)
            elif role == "queue" and value is None:
                continue
            else:
                given[param] = _views(loss, name, value) if role == "views" else _embedding(loss, name, value, role)
                embeddings += given[param] if isinstance(given[param], list) else [given[param]]
        dtype = torch.float64 if any(z.dtype == torch.float64 for z in embeddings) else torch.float32
        gradient = self._unit_gradient()
        # a row's gradient is at most (the loss's gradient with respect to its unit row) / eps: an eps
        # of at least 2·bound / (the largest value of the narrowest input dtype) keeps it in that dtype
        eps = None if gradient is None else max(UNIT_EPS, 2 * gradient / min(torch.finfo(z.dtype).max
                                                                             for z in embeddings))

        def prepare(z: torch.Tensor) -> torch.Tensor:
            z = z.to(dtype)
            return z if eps is None else unit_rows(z, eps)

        with torch.autocast(device_type=embeddings[0].device.type, enabled=False):
            for param, (_, role) in self._roles().items():
                if role != "labels" and given.get(param) is not None:
                    given[param] = _map(given[param], prepare)
            out = fn(*bound.args, **bound.kwargs)
        return in_dtype(loss, out, dtype, embeddings)

    return cast(_Forward, forward)


def in_dtype(loss: str, out: torch.Tensor, dtype: torch.dtype, embeddings: list[torch.Tensor]) -> torch.Tensor:
    """The loss in the computing dtype; a value that float32 cannot hold is named, not returned as inf."""
    if out.dtype == dtype:
        return out
    narrow = out.to(dtype)
    if not bool(torch.isfinite(narrow)) and bool(torch.isfinite(out)):
        largest = max(float(z.detach().abs().max()) for z in embeddings)
        raise InvalidInput(
            f"{loss}: the loss, {float(out):.3g}, overflows {str(dtype).removeprefix('torch.')}, the dtype of the "
            f"embeddings (their largest magnitude is {largest:.3g}); scale them down, normalize them, or pass "
            "float64 embeddings"
        )
    return narrow


def real_number(x: Any) -> float:
    """``float(x)``, with inf for an int too large for a float (float(10**400) raises OverflowError)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def check_temperature(t: Any) -> float:
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise WrongArgumentType(f"temperature={shown(t)} ({_kind(t)}) must be a number >= {MIN_TEMPERATURE} (0.07-0.5 "
                                "are usual)")
    if not MIN_TEMPERATURE <= real_number(t) < math.inf:
        raise InvalidArgument(
            f"temperature={shown(t)} must be a finite number >= {MIN_TEMPERATURE} (0.07-0.5 are usual)"
        )
    return float(t)


def check_margin(margin: Any, positive: bool) -> float:
    kind = "positive" if positive else "non-negative"
    if isinstance(margin, bool) or not isinstance(margin, numbers.Real):
        raise WrongArgumentType(f"margin={shown(margin)} ({_kind(margin)}) must be a {kind} number <= {MAX_MARGIN:g}")
    value = real_number(margin)
    if not (math.isfinite(value) and (value > 0 if positive else value >= 0) and value <= MAX_MARGIN):
        raise InvalidArgument(
            f"margin={shown(margin)} must be a finite {kind} number <= {MAX_MARGIN:g}: a distance between embeddings "
            "(0.2 on unit vectors, 1-2 on raw ones are usual); larger margins cannot give a finite float32 loss"
        )
    return value


def check_n_views(n_views: Any) -> None:
    if n_views is not None and (isinstance(n_views, bool) or not isinstance(n_views, numbers.Integral)):
        raise WrongArgumentType(
            f"NTXentLoss: n_views={shown(n_views)} ({_kind(n_views)}) must be an int: how many views one "
            "[n*B, D] tensor stacks (or None with a list of views)"
        )


def stack_views(views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None) -> tuple[torch.Tensor, int]:
    """Return the view-major ``[n·B, D]`` matrix and ``n`` (views checked by :func:`_views`)."""
    check_n_views(n_views)
    if isinstance(views, torch.Tensor):
        if n_views is None or n_views < 2:
            raise InvalidArgument(
                f"NTXentLoss: n_views={shown(n_views)}: a single [n*B, D] tensor needs n_views >= 2 (view-major: "
                "all of view 0, then view 1, ...), or pass a list of views"
            )
        if views.shape[0] % n_views:
            raise InvalidInput(f"NTXentLoss: views has {views.shape[0]} rows, which do not split into "
                               f"n_views={n_views} equal views")
        return views, int(n_views)
    shapes = {tuple(v.shape) for v in views}
    if len(shapes) != 1:
        raise InvalidInput(
            f"NTXentLoss: every view must be one [B, D] tensor of the same shape, got shapes {sorted(shapes)}"
        )
    if n_views is not None and n_views != len(views):
        raise InvalidArgument(f"NTXentLoss: n_views={n_views} but {len(views)} views were given")
    return torch.cat(list(views)), len(views)


class Loss(nn.Module):
    """What :func:`checked_forward` asks of a loss."""

    def _roles(self) -> dict[str, tuple[str, Role]]:
        """``forward``'s tensor arguments: parameter -> (its name in messages, what it holds)."""
        raise NotImplementedError

    def _unit_gradient(self) -> float | None:
        """None when the loss does not normalize its embeddings; else a bound on the norm of the
        gradient of the loss with respect to one unit-normalized embedding row."""
        return None
