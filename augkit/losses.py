"""Contrastive losses that are right for any number of views.

Every loss takes its inputs through one gate (:func:`_checked_forward`):

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

__all__ = [
    "MAX_MARGIN",
    "MIN_TEMPERATURE",
    "ContrastiveLoss",
    "InfoNCELoss",
    "NTXentLoss",
    "ProjectionHead",
    "TripletLoss",
    "gather_with_grad",
]

#: Rows shorter than this are scaled by 1/UNIT_EPS instead of normalized: the gradient of
#: x / max(|x|, eps) is at most 1/eps times the loss's gradient with respect to the unit vector,
#: so an all-zero embedding row cannot blow up training. Float16 embeddings get a larger eps
#: where the loss's gradient bound asks for it (:meth:`_Loss._unit_gradient`), so that their
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


def _shown(value: Any, limit: int = 60) -> str:
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


def _unit(x: torch.Tensor, eps: float) -> torch.Tensor:
    """The rows of ``x``, L2-normalized with ``eps`` (see :data:`UNIT_EPS`)."""
    # F.normalize squares the row: a float32 row of 1e20s has an infinite norm and would come out
    # as zeros. Dividing first by a power of two near the row's largest magnitude is exact, so the
    # result is F.normalize's bit for bit wherever F.normalize was right; rows whose largest
    # magnitude is below 1 are left as they are, so eps keeps its meaning. The divisor is detached:
    # normalize(x / s) has the gradient of normalize(x) for any constant s > 0.
    biggest = x.detach().abs().amax(dim=1, keepdim=True)
    _, exponent = torch.frexp(biggest.clamp_min(1.0))
    return F.normalize(x / torch.ldexp(torch.ones_like(biggest), exponent - 1), dim=1, eps=eps)


def _wide(x: torch.Tensor) -> torch.Tensor:
    """float64 for float32 embeddings whose squared distances could overflow float32 (inf − inf = NaN):
    a squared distance of two rows is at most 4·dim·max|x|²."""
    if x.dtype == torch.float32 and x.numel():
        limit = math.sqrt(torch.finfo(torch.float32).max / (4 * x.shape[1]))
        if float(x.detach().abs().max()) > limit:
            return x.double()
    return x


def _checked_forward(fn: _Forward) -> _Forward:
    """Wrap a loss's ``forward``: check and convert its inputs by the roles the loss declares
    (:meth:`_Loss._roles`), cast the embeddings to the computing dtype, normalize them when the loss
    does, run it with autocast off and return the loss in the computing dtype."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def forward(self: _Loss, *args: Any, **kwargs: Any) -> torch.Tensor:
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
            return z if eps is None else _unit(z, eps)

        with torch.autocast(device_type=embeddings[0].device.type, enabled=False):
            for param, (_, role) in self._roles().items():
                if role != "labels" and given.get(param) is not None:
                    given[param] = _map(given[param], prepare)
            out = fn(*bound.args, **bound.kwargs)
        return _in_dtype(loss, out, dtype, embeddings)

    return cast(_Forward, forward)


def _in_dtype(loss: str, out: torch.Tensor, dtype: torch.dtype, embeddings: list[torch.Tensor]) -> torch.Tensor:
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


def _real(x: Any) -> float:
    """``float(x)``, with inf for an int too large for a float (float(10**400) raises OverflowError)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _check_temperature(t: Any) -> float:
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise WrongArgumentType(f"temperature={_shown(t)} ({_kind(t)}) must be a number >= {MIN_TEMPERATURE} (0.07-0.5 "
                                "are usual)")
    if not MIN_TEMPERATURE <= _real(t) < math.inf:
        raise InvalidArgument(
            f"temperature={_shown(t)} must be a finite number >= {MIN_TEMPERATURE} (0.07-0.5 are usual)"
        )
    return float(t)


def _check_margin(margin: Any, positive: bool) -> float:
    kind = "positive" if positive else "non-negative"
    if isinstance(margin, bool) or not isinstance(margin, numbers.Real):
        raise WrongArgumentType(f"margin={_shown(margin)} ({_kind(margin)}) must be a {kind} number <= {MAX_MARGIN:g}")
    value = _real(margin)
    if not (math.isfinite(value) and (value > 0 if positive else value >= 0) and value <= MAX_MARGIN):
        raise InvalidArgument(
            f"margin={_shown(margin)} must be a finite {kind} number <= {MAX_MARGIN:g}: a distance between embeddings "
            "(0.2 on unit vectors, 1-2 on raw ones are usual); larger margins cannot give a finite float32 loss"
        )
    return value


def _check_n_views(n_views: Any) -> None:
    if n_views is not None and (isinstance(n_views, bool) or not isinstance(n_views, numbers.Integral)):
        raise WrongArgumentType(
            f"NTXentLoss: n_views={_shown(n_views)} ({_kind(n_views)}) must be an int: how many views one "
            "[n*B, D] tensor stacks (or None with a list of views)"
        )


def _stack_views(views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None) -> tuple[torch.Tensor, int]:
    """Return the view-major ``[n·B, D]`` matrix and ``n`` (views checked by :func:`_views`)."""
    _check_n_views(n_views)
    if isinstance(views, torch.Tensor):
        if n_views is None or n_views < 2:
            raise InvalidArgument(
                f"NTXentLoss: n_views={_shown(n_views)}: a single [n*B, D] tensor needs n_views >= 2 (view-major: "
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


class _Loss(nn.Module):
    """What :func:`_checked_forward` asks of a loss."""

    def _roles(self) -> dict[str, tuple[str, Role]]:
        """``forward``'s tensor arguments: parameter -> (its name in messages, what it holds)."""
        raise NotImplementedError

    def _unit_gradient(self) -> float | None:
        """None when the loss does not normalize its embeddings; else a bound on the norm of the
        gradient of the loss with respect to one unit-normalized embedding row."""
        return None


class _GatherWithGrad(torch.autograd.Function):
    """all_gather whose backward sums the gradients from every rank and returns this rank's part."""

    @staticmethod
    def forward(ctx: Any, z: torch.Tensor) -> tuple[torch.Tensor, ...]:
        import torch.distributed as dist

        out = [torch.zeros_like(z) for _ in range(dist.get_world_size())]
        dist.all_gather(out, z.contiguous())
        return tuple(out)

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> torch.Tensor:
        import torch.distributed as dist

        stacked = torch.stack(grads)
        dist.all_reduce(stacked)
        return stacked[dist.get_rank()]


def gather_with_grad(z: torch.Tensor) -> torch.Tensor:
    """Concatenate ``z`` from every DDP rank (rank order), with gradients flowing back to each
    rank's own part. Without an initialized process group it returns ``z``.

    The backward pass all-reduces the gradients, so that after DDP averages the parameter
    gradients they equal the full-batch gradient of the mean loss.
    """
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return z
    return torch.cat(_GatherWithGrad.apply(z))


class NTXentLoss(_Loss):
    """NT-Xent (normalized temperature-scaled cross entropy) for ``n ≥ 2`` views.

    Every other view of the same sample is a positive, the anchor itself (the diagonal) is never
    in the softmax, and every other embedding in the batch is in its denominator. For ``n > 2``
    this is SupCon's L_out (Khosla et al. 2020, eq. 2) with the sample identity as the label: each
    anchor averages the log-probability of its ``n - 1`` positives. At ``n = 2`` it is exactly
    SimCLR's NT-Xent (Chen et al. 2020, eq. 1), averaged over the ``2B`` anchors.

    Args:
        temperature: τ, the softmax temperature (SimCLR uses 0.5 at batch 256, 0.1 at 4096).
        gather_distributed: under DDP, use the embeddings of every rank as negatives (positives
            stay on the anchor's rank); gradients flow back to each rank's own embeddings.

    Call with a list of ``n`` float tensors ``[B, D]``, or one ``[n·B, D]`` tensor in view-major
    order (``torch.cat(views)``) and ``n_views`` (an int). Embeddings are L2-normalized inside. The
    loss is float64 for float64 embeddings, float32 otherwise (see the module's docstring).

    Raises:
        WrongInputType: a view is not a float tensor (a list, an integer tensor: pass ``z.float()``).
        InvalidInput: views of different shapes, fewer than 2 views, an empty batch.
        WrongArgumentType: ``n_views`` is not an int; ``temperature`` is not a number.
        InvalidArgument: ``n_views`` does not match the views; ``temperature`` below ``MIN_TEMPERATURE``.

    Example:
        >>> NTXentLoss(0.5)([z1, z2])
    """

    def __init__(self, temperature: float = 0.5, gather_distributed: bool = False) -> None:
        super().__init__()
        self.temperature = _check_temperature(temperature)
        self.gather_distributed = gather_distributed

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"views": ("views", "views")}

    def _unit_gradient(self) -> float:
        # per anchor, the gradient with respect to its own unit row is at most 2/t, and the other
        # anchors add at most 1/t between them (their softmax weights on it sum to at most the
        # number of anchors, averaged away); gathered, every rank's anchors add theirs
        import torch.distributed as dist

        gathered = self.gather_distributed and dist.is_available() and dist.is_initialized()
        return 3 / self.temperature * (dist.get_world_size() if gathered else 1)

    @_checked_forward
    def forward(self, views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None = None) -> torch.Tensor:
        z, n = _stack_views(views, n_views)
        batch = z.shape[0] // n
        local = z.shape[0]
        offset = 0
        candidates = z
        if self.gather_distributed:
            import torch.distributed as dist

            candidates = gather_with_grad(z)
            if candidates is not z:
                offset = dist.get_rank() * local
        sim = z @ candidates.T / self.temperature  # [local, all]
        rows = torch.arange(local, device=z.device)
        self_mask = torch.zeros_like(sim, dtype=torch.bool)
        self_mask[rows, rows + offset] = True
        # positives: the same sample (row mod B) in the other views, on this rank
        sample = rows % batch
        cols = torch.arange(candidates.shape[0], device=z.device)
        local_cols = (cols >= offset) & (cols < offset + local)
        pos_mask = local_cols[None, :] & (((cols - offset) % batch)[None, :] == sample[:, None]) & ~self_mask
        log_prob = sim - torch.logsumexp(sim.masked_fill(self_mask, float("-inf")), dim=1, keepdim=True)
        loss = -(log_prob * pos_mask).sum(dim=1) / (n - 1)
        return loss.mean()


class InfoNCELoss(_Loss):
    """InfoNCE (van den Oord et al. 2018) between queries and keys, with optional MoCo queue and a
    symmetric, CLIP-style mode.

    ``query[i]`` and ``key[i]`` are a positive pair. Negatives are the other keys in the batch
    (``in_batch_negatives=True``) and/or the rows of ``queue`` (MoCo, He et al. 2020: pass the
    queue and ``in_batch_negatives=False`` for MoCo's exact logits ``[l_pos, l_neg]``).
    ``symmetric=True`` averages the query→key and key→query losses, as CLIP does for
    image-to-text and text-to-image (Radford et al. 2021). Inputs are float tensors, L2-normalized
    inside; the loss is float64 for float64 inputs, float32 otherwise (see the module's docstring).

    Raises:
        WrongInputType: ``query``, ``key`` or ``queue`` is not a float tensor (pass ``z.float()``).
        InvalidInput: shapes that do not match, an empty batch, an empty ``queue`` (pass ``None``).
        InvalidArgument: ``in_batch_negatives=False`` without a queue; ``temperature`` out of range.

    Example:
        >>> InfoNCELoss(0.07)(q, k, queue=bank)
    """

    def __init__(self, temperature: float = 0.07, symmetric: bool = False, in_batch_negatives: bool = True) -> None:
        super().__init__()
        self.temperature = _check_temperature(temperature)
        self.symmetric = symmetric
        self.in_batch_negatives = in_batch_negatives

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"query": ("query", "embeddings"), "key": ("key", "embeddings"), "queue": ("queue", "queue")}

    def _unit_gradient(self) -> float:
        # the cross entropy over logits u·v / t, averaged over the batch, has a gradient of at most
        # 2/t with respect to one unit row (a key: its query's pull and every query's softmax weight
        # on it); the symmetric mode averages two such losses
        return 3 / self.temperature

    @_checked_forward
    def forward(self, query: torch.Tensor, key: torch.Tensor, queue: torch.Tensor | None = None) -> torch.Tensor:
        if query.shape != key.shape:
            raise InvalidInput(f"InfoNCELoss: query and key must both be [B, D], got {tuple(query.shape)} and "
                               f"{tuple(key.shape)}")
        if queue is not None and queue.shape[1] != query.shape[1]:
            raise InvalidInput(f"InfoNCELoss: queue must be [K, {query.shape[1]}], got {tuple(queue.shape)}")
        if not self.in_batch_negatives and queue is None:
            raise InvalidArgument("InfoNCELoss: in_batch_negatives=False needs a queue of negatives (pass queue=)")
        q, k = query, key
        bank = None if queue is None else queue.detach()
        loss = self._direction(q, k, bank)
        if self.symmetric:
            loss = (loss + self._direction(k, q, None if self.in_batch_negatives else bank)) / 2
        return loss

    def _direction(self, q: torch.Tensor, k: torch.Tensor, bank: torch.Tensor | None) -> torch.Tensor:
        if self.in_batch_negatives:
            logits = q @ k.T
            target = torch.arange(q.shape[0], device=q.device)
        else:
            logits = (q * k).sum(dim=1, keepdim=True)
            target = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)
        if bank is not None:
            logits = torch.cat([logits, q @ bank.T], dim=1)
        return F.cross_entropy(logits / self.temperature, target)


def _pairwise_distance(x: torch.Tensor) -> torch.Tensor:
    sq = (x * x).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2 * x @ x.T).clamp_min(0)
    # sqrt has an infinite gradient at 0: keep the exact zeros out of it
    zero = d2 == 0
    return torch.sqrt(d2.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)


class TripletLoss(_Loss):
    """Triplet margin loss ``max(0, d(a, p) - d(a, n) + margin)`` on Euclidean distances.

    Args:
        margin: the margin (FaceNet uses 0.2 on L2-normalized embeddings), at most ``MAX_MARGIN``.
        mining: ``None`` — call with explicit ``(anchor, positive, negative)`` batches;
            ``"hard"`` — batch-hard mining (Hermans et al. 2017): call with ``(embeddings, labels)``;
            each anchor takes its farthest positive and nearest negative;
            ``"semi-hard"`` — FaceNet's semi-hard mining (Schroff et al. 2015): for every
            anchor-positive pair, the nearest negative farther than the positive, or, if none is,
            the farthest negative.
        normalize: L2-normalize embeddings first.

    For views, labels are the sample ids: ``labels = torch.arange(B).repeat(n)`` with
    ``torch.cat(views)``. Embeddings are float tensors; the loss is float64 for float64 embeddings,
    float32 otherwise (see the module's docstring).

    Raises:
        WrongArgumentType: ``margin`` is not a number.
        InvalidArgument: ``margin`` negative, not finite or above ``MAX_MARGIN``; an unknown ``mining``.
        WrongInputType: an embedding is not a float tensor (pass ``z.float()``); labels not a tensor.
        InvalidInput: shapes that do not match, an empty batch, a float32 loss past float32's range.

    Example:
        >>> TripletLoss(0.2, mining="semi-hard")(torch.cat([z1, z2]), torch.arange(B).repeat(2))
    """

    def __init__(self, margin: float = 0.2, mining: str | None = None, normalize: bool = False) -> None:
        super().__init__()
        margin = _check_margin(margin, positive=False)
        if mining not in (None, "hard", "semi-hard"):
            raise InvalidArgument(f"mining={_shown(mining)} must be None, 'hard' or 'semi-hard'")
        self.margin, self.mining, self.normalize = float(margin), mining, normalize

    def _roles(self) -> dict[str, tuple[str, Role]]:
        if self.mining is None:
            return {"anchor": ("anchor", "embeddings"), "positive": ("positive", "embeddings"),
                    "negative": ("negative", "embeddings")}
        # with mining, forward(embeddings, labels): the messages name the parameters a keyword call uses
        return {"anchor": ("anchor", "embeddings"), "positive": ("positive", "labels")}

    def _unit_gradient(self) -> float | None:
        # each term d(a, p) - d(a, n) moves one unit row by at most 2 (distances have unit gradients)
        return 2.0 if self.normalize else None

    @_checked_forward
    def forward(
        self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``(anchor, positive, negative)`` without mining; ``(embeddings, labels)`` with mining."""
        if self.mining is None:
            negative = cast(torch.Tensor, negative)  # checked as an embedding: never None here
            if not anchor.shape == positive.shape == negative.shape:
                raise InvalidInput(
                    "TripletLoss: without mining, call with anchor, positive and negative of one shape [B, D], got "
                    f"{tuple(anchor.shape)}, {tuple(positive.shape)} and {tuple(negative.shape)}"
                )
            a, p, n = (self._prep(t) for t in (anchor, positive, negative))
            return F.relu((a - p).norm(dim=1) - (a - n).norm(dim=1) + self.margin).mean()
        embeddings, labels = anchor, positive
        if labels.shape[0] != embeddings.shape[0]:
            raise InvalidInput(
                f"TripletLoss: with mining, call with embeddings [N, D] and labels [N]; got {tuple(embeddings.shape)} "
                f"and {tuple(labels.shape)}"
            )
        d = _pairwise_distance(self._prep(embeddings))
        same = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        pos, neg = same & ~eye, ~same
        if self.mining == "hard":
            valid = pos.any(1) & neg.any(1)
            hardest_pos = d.masked_fill(~pos, float("-inf")).amax(1)
            hardest_neg = d.masked_fill(~neg, float("inf")).amin(1)
            losses = F.relu(hardest_pos - hardest_neg + self.margin)[valid]
            return losses.mean() if losses.numel() else d.sum() * 0
        # semi-hard: one term per anchor-positive pair
        a_idx, p_idx = pos.nonzero(as_tuple=True)
        if a_idx.numel() == 0 or not neg.any():
            return d.sum() * 0
        d_ap = d[a_idx, p_idx][:, None]
        d_an = d[a_idx]
        neg_rows = neg[a_idx]
        farther = neg_rows & (d_an > d_ap)
        nearest_farther = d_an.masked_fill(~farther, float("inf")).amin(1)
        farthest = d_an.masked_fill(~neg_rows, float("-inf")).amax(1)
        chosen = torch.where(farther.any(1), nearest_farther, farthest)
        keep = neg_rows.any(1)
        return F.relu(d_ap[:, 0] - chosen + self.margin)[keep].mean()

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.normalize else _wide(x)  # normalized ones are unit rows already


class ContrastiveLoss(_Loss):
    """Hadsell, Chopra & LeCun (2006) pairwise contrastive loss.

    ``L = ½·[y·d² + (1 − y)·max(0, margin − d)²]`` averaged over pairs, with ``d`` the Euclidean
    distance between ``x1[i]`` and ``x2[i]`` and ``y = 1`` for similar pairs. ``margin`` is positive
    and at most ``MAX_MARGIN``; ``x1`` and ``x2`` are float tensors ``[B, D]``, ``same`` a tensor
    ``[B]``. The loss is float64 for float64 embeddings, float32 otherwise; a float32 loss past
    float32's range raises ``InvalidInput`` (see the module's docstring).

    Example:
        >>> ContrastiveLoss(1.0)(z1, z2, same=torch.tensor([1, 0, 1]))
    """

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = _check_margin(margin, positive=True)

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"x1": ("x1", "embeddings"), "x2": ("x2", "embeddings"), "same": ("same", "labels")}

    @_checked_forward
    def forward(self, x1: torch.Tensor, x2: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
        if x1.shape != x2.shape or same.shape != x1.shape[:1]:
            raise InvalidInput(
                f"ContrastiveLoss: x1, x2 must be [B, D] and same [B]; got {tuple(x1.shape)}, {tuple(x2.shape)}, "
                f"{tuple(same.shape)}"
            )
        a, b = _wide(x1), _wide(x2)
        d = (a - b).norm(dim=1)
        # where, not y·d² + (1 − y)·…: 0 · inf would give NaN for a far dissimilar pair
        return 0.5 * torch.where(same.bool(), d.pow(2), F.relu(self.margin - d).pow(2)).mean()


class ProjectionHead(nn.Sequential):
    """SimCLR's projection MLP: Linear → BatchNorm → ReLU → Linear (Chen et al. 2020, §2.1;
    batch norm as in SimCLR v2 and its released code).

    Example:
        >>> head = ProjectionHead(512, 2048, 128)
    """

    def __init__(self, in_dim: int, hidden_dim: int = 2048, out_dim: int = 128, batch_norm: bool = True) -> None:
        layers: list[nn.Module] = [nn.Linear(in_dim, hidden_dim, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers += [nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim)]
        super().__init__(*layers)
