"""ViewGenerator: n views per sample, reproducible per (seed, epoch, index, view).

View ``k`` of sample ``index`` in ``epoch`` draws from ``augkit.core.streams.stream(seed, epoch, index, k)``,
so a sample gets the same views whatever the number of DataLoader workers, their order, or the DDP
rank that loads it, while views, samples and epochs all get different streams.

Each view's record is its pipeline's record plus ``"format"`` (:data:`augkit.core.RECORD_FORMAT`);
replay reads 0.1's too. Mixing ops draw partners from the generator's ``source`` (:mod:`augkit.core.mixing`).

Dict samples (``{"image": ..., "text": ..., "label": 3}``) take one pipeline per field: field ``f``
of view ``k`` draws from ``stream(seed, epoch, index, k, f)``, so adding or removing a field never
changes another field's views. Such a view's record is ``{"format", "fields": {f: record}}``,
plus ``"couplings"`` when coupling rules (:mod:`augkit.views.couplings`) tie the fields together.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augkit.core import RECORD_FORMAT, Augmenter, Params, modalities
from augkit.core.composites import Compose, fired
from augkit.core.errors import InvalidArgument, InvalidInput, InvalidParams, WrongArgumentType, WrongInputType
from augkit.core.streams import stream
from augkit.views.fields import check_fields, field_modalities, field_pipelines, view_pipelines
from augkit.views.mixing import check_mixing, check_source, scope
from augkit.views.records import check_extra_fields, check_position, current_record, sample_name, with_fields
from augkit.views.steps import check_input, check_output

__all__ = ["ViewGenerator", "Views"]

#: What a dict sample's missing field does: ``"raise"`` a ValueError, or ``"pass"`` (the view lacks it).
MISSING = ("raise", "pass")

# A string where the epoch stands keeps ad-hoc streams (calls without an index) apart from every
# indexed one: keys of ints and keys with strings never encode alike.
_AD_HOC = "ad-hoc"


@dataclass
class Views:
    """The views of one sample: ``items[k]`` was made with ``params[k]``."""

    items: list[Any]
    params: list[Params]
    index: int | str | None = None
    epoch: int = 0
    #: The sample as the ops saw it, and the generator that made the views (for display).
    source: Any = field(default=None, repr=False, compare=False)
    generator: Any = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __getitem__(self, k: int) -> Any:
        return self.items[k]

    def _repr_html_(self) -> str:
        """The views as a notebook shows them: each rendered by its modality, captioned with its ops."""
        from augkit.views.display import views_html

        return views_html(self)


class ViewGenerator:
    """Emit ``n_views`` augmented views of a sample.

    Args:
        pipeline: one augmenter used for every view (SimCLR), or a list with one augmenter per
            view (BYOL's asymmetric views, SwAV/DINO multi-crop; see :func:`multi_crop`). For dict
            samples, a dict ``{field: augmenter or list of augmenters}``: each named field of a
            sample is augmented by its pipeline (one per view when a list), and the sample's other
            keys (labels, ids, metadata) pass through into every view unchanged.
        n_views: number of views when ``pipeline`` is a single augmenter. With a list it follows
            the list; passing a different number raises ValueError.
        seed: the integer every stream derives from. ``None`` draws one at construction, exposed as
            ``vg.seed``. Multi-process and DDP users should pass an explicit seed so that every
            process derives the same views.
        output: final conversion of each view (a callable, or the name of the modality's declared
            step: ``"uint8"``, ``"normalized"``), after the augmenters, not recorded. For dict samples
            ``{field: conversion}`` converts those fields; a callable converts the whole view dict.
        prepare: conversion of the input, run once per sample before any view (e.g. PIL to numpy).
        input: a declared, deterministic step run once per sample after ``prepare``; it may change the
            modality (:class:`augkit.spectrogram.LogMel`), and a spec names it (:mod:`augkit.views.steps`).
        modality: the modality of the samples (default: the one the ops declare), whose descriptor
            checks each sample once before any view. For dict samples, ``{field: modality}`` for
            fields whose ops do not say (an Identity); a field named after a modality is of it.
        missing: for dict samples, what a sample without one of the pipelines' fields does:
            ``"raise"`` (naming the field and the sample) or ``"pass"`` (its views lack it too).
        couplings: for dict samples, coupling rules (names or :class:`augkit.views.couplings.Coupling`
            objects) that make a draw on one field constrain another; see :class:`augkit.CrossModalViews`.
        source: the samples (a list, a map-style dataset) mixing ops draw partners from by index
            (:mod:`augkit.core.mixing`); datasets pass their own.
        extra_fields: ``{name: reader}``: data held in a view's record (a patch mask), read by
            ``reader(record)`` (None: none); see :func:`augkit.views.records.with_fields`.

    Calls:
        ``vg(x)`` returns a list of views with fresh randomness each call. Inside DataLoader workers
        this ad-hoc stream is mixed with the seed torch gives the worker, so workers never repeat
        each other's views. ``vg(x, index=i, epoch=e)`` is deterministic.

    Example:
        >>> vg = ViewGenerator(Compose([...]), n_views=2, seed=0); v1, v2 = vg(x, index=7, epoch=0)
        >>> vg = ViewGenerator({"image": augkit.image.simclr(size=64).pipelines[0],
        ...                     "text": augkit.text.RandomDeletion(0.2)}, seed=0)
        >>> v1, v2 = vg({"image": photo, "text": "a red kite", "label": 3}, index=0)
    """

    def __init__(
        self,
        pipeline: Augmenter[Any] | Sequence[Augmenter[Any]] | Mapping[str, Augmenter[Any] | Sequence[Augmenter[Any]]],
        n_views: int | None = None,
        seed: int | None = None,
        output: Callable[[Any], Any] | Mapping[str, Callable[[Any], Any]] | None = None,
        prepare: Callable[[Any], Any] | None = None,
        input: Callable[[Any], Any] | None = None,
        modality: str | Mapping[str, str] | None = None,
        missing: str = "raise",
        couplings: Sequence[Any] = (),
        source: Sequence[Any] | None = None,
        extra_fields: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        #: For dict samples: field -> its pipelines, one per view (None for single samples).
        self.fields: dict[str, list[Augmenter[Any]]] | None = None
        #: For dict samples: field -> its modality ("" when neither its ops nor its name say).
        self.field_modalities: dict[str, str] = {}
        if isinstance(pipeline, Mapping):
            self.fields = field_pipelines(pipeline, n_views)
            count = len(next(iter(self.fields.values())))
            self.pipelines: list[Any] = [{f: pipes[k] for f, pipes in self.fields.items()} for k in range(count)]
        else:
            self.pipelines = view_pipelines(pipeline, n_views, "pipeline")
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise WrongArgumentType(f"seed={seed!r} must be a non-negative integer or None")
        if seed < 0:
            raise InvalidArgument(f"seed={seed!r} must be a non-negative integer or None")
        self.seed = int(seed)
        self.prepare, self.input = prepare, check_input(input, self.fields is not None)
        if missing not in MISSING:
            raise InvalidArgument(f"missing={missing!r} must be one of {list(MISSING)}")
        self.missing = missing
        if self.fields is None:
            if isinstance(modality, Mapping) or isinstance(output, Mapping) or couplings:
                name = "modality" if isinstance(modality, Mapping) else "output" if isinstance(output, Mapping) \
                    else "couplings"
                raise WrongArgumentType(f"a dict {name}= is for dict samples: give pipeline as "
                                        "{field: augmenter}")
            self.modality = modalities.of_augmenters(self.pipelines) if modality is None else modality
            self._form = modalities.get(self.modality) if self.modality else modalities.ANY
            self.couplings: list[Any] = []
        else:
            self.field_modalities = field_modalities(self.fields, modality)
            #: "" for dict samples: each field has its own (:attr:`field_modalities`).
            self.modality = ""
            self._form = modalities.ANY
            self._forms = {f: modalities.get(m) if m else modalities.ANY for f, m in self.field_modalities.items()}
            from augkit.views.couplings import resolve

            self.couplings = resolve(couplings, self.field_modalities)
            if isinstance(output, Mapping):
                unknown = sorted(set(output) - set(self.fields))
                if unknown:
                    raise InvalidArgument(f"output= names fields {unknown} that have no pipeline; "
                                          f"fields: {sorted(self.fields)}")
        self.output: Any = check_output(output, self.modality, getattr(self, "field_modalities", None))
        #: The samples mixing ops draw their partners from (:mod:`augkit.core.mixing`), by index.
        self.source = check_source(source)
        self.mixes = check_mixing([p for view in self.pipelines
                                    for p in (view.values() if isinstance(view, Mapping) else [view])])
        self.extra_fields = check_extra_fields(extra_fields, self.fields is not None)
        #: How this generator was made when a preset made it: ``{"preset": name, "args": {...}}``
        #: (:func:`augkit.views.config.dump` writes it).
        self.origin: dict[str, Any] | None = None
        self._ad_hoc: np.random.Generator | None = None
        self._ad_hoc_key: tuple[int, int | None] | None = None

    @property
    def n_views(self) -> int:
        return len(self.pipelines)

    # -- streams -------------------------------------------------------------------------------

    def rng(self, index: int | str, epoch: int = 0, view: int = 0, field: str | None = None) -> np.random.Generator:
        """The stream view ``view`` of sample ``index`` in ``epoch`` draws from (a copy you may keep);
        for dict samples, the stream of ``field`` in that view."""
        check_position(index, epoch)
        key: tuple[int | str, ...] = (self.seed, int(epoch), index if isinstance(index, str) else int(index), int(view))
        return stream(*key, *([] if field is None else [field]), keep=True)

    def _ad_hoc_call(self) -> int:
        # Re-key the stream when the process or DataLoader worker changes: a forked worker inherits
        # the parent's generator state, and albumentations 2.0.8 repeats views there for that reason.
        worker_seed = _torch_worker_seed()
        key = (os.getpid(), worker_seed)
        if self._ad_hoc is None or key != self._ad_hoc_key:
            self._ad_hoc = stream(self.seed, _AD_HOC, *([] if worker_seed is None else [worker_seed]), keep=True)
            self._ad_hoc_key = key
        return int(self._ad_hoc.integers(2**63))

    # -- views -----------------------------------------------------------------------------------

    def generate(self, x: Any, index: int | str | None = None, epoch: int = 0, with_output: bool = True,
                 source: Sequence[Any] | None = None) -> Views:
        """Make the views of ``x`` and return them with their params.

        Args:
            x: one sample in the pipeline's input format (a dict for dict pipelines).
            index: the sample's index in its dataset, or a stable string key (a file name, a
                WebDataset ``__key__``), which goes into the stream key as it is; with it the views
                are deterministic.
            epoch: the training epoch (only used with ``index``).
            with_output: run the output step; False gives the views as the last op left them (in
                the modality's canonical form), which is what storage encodes.
            source: the samples mixing ops draw partners from (default: the generator's ``source``).
        """
        with scope(self, source):
            return self._generate(x, index, epoch, with_output)

    def _generate(self, x: Any, index: int | str | None, epoch: int, with_output: bool) -> Views:
        if index is None:
            key: tuple[int | str, ...] = (self.seed, _AD_HOC, self._ad_hoc_call())
        else:
            check_position(index, epoch)
            key = (self.seed, int(epoch), index if isinstance(index, str) else int(index))
        x = self._check(x, index)
        if self.fields is not None:
            return self._generate_fields(x, key, index, epoch, with_output)
        items, params = [], []
        for k, pipeline in enumerate(self.pipelines):
            # each view's stream is made once the previous view is done with its own; a Compose
            # that always fires only needs its key (its ops' streams derive from it)
            if type(pipeline) is Compose and pipeline.p >= 1.0:
                y, record = pipeline.run_keyed(x, (*key, k))
                p = {"applied": True, **record}
            else:
                y, p = pipeline.augment(x, stream(*key, k))
            params.append({"format": RECORD_FORMAT, **p})
            y = self.output(y) if self.output is not None and with_output else y
            items.append(with_fields(self, y, params[-1]))
        return Views(items=items, params=params, index=index, epoch=epoch, source=x, generator=self)

    def _generate_fields(self, x: dict[str, Any], key: tuple[int | str, ...], index: int | str | None, epoch: int,
                         with_output: bool) -> Views:
        present = [f for f in self.pipelines[0] if f in x]
        items, params = [], []
        with contextlib.ExitStack() as scope:  # the rules' scopes stay open while every view draws
            seen = {c.name: c.before(x, self.field_modalities, scope) for c in self.couplings}
            for k, pipes in enumerate(self.pipelines):
                view = dict(x)
                records: dict[str, Params] = {}
                for f in present:
                    try:
                        view[f], records[f] = pipes[f].augment(x[f], stream(*key, k, f))
                    except (InvalidInput, WrongInputType) as err:
                        raise type(err)(f"{sample_name(index)}, field {f!r}: {err}") from None
                record: Params = {"format": RECORD_FORMAT, "fields": records}
                if self.couplings:
                    steps = {f: fired(r, getattr(pipes[f], "name", "")) for f, r in records.items()}
                    record["couplings"] = {
                        c.name: {**(seen[c.name] or {}), **(c.after(view, steps, self.field_modalities) or {})}
                        for c in self.couplings}
                items.append(self._output_fields(view) if with_output else view)
                params.append(record)
        return Views(items=items, params=params, index=index, epoch=epoch, source=x, generator=self)

    def output_view(self, view: Any) -> Any:
        """The output step applied to one view as the last op left it (what storage decodes): the
        generator's ``output``, per field for dict samples; the view itself without one."""
        if self.fields is not None:
            return self._output_fields(view)
        return view if self.output is None else self.output(view)

    def _output_fields(self, view: dict[str, Any]) -> Any:
        if self.output is None:
            return view
        if isinstance(self.output, Mapping):
            return {f: self.output[f](v) if f in self.output else v for f, v in view.items()}
        return self.output(view)

    def generate_batch(self, samples: Sequence[Any], indices: Sequence[int], epoch: int = 0,
                       device: Any = None, source: Sequence[Any] | None = None) -> Any:
        """The views of many samples at once, with the params :meth:`generate` draws for each.

        Each view position runs through the batch engine (:mod:`augkit.core.engine`): each op draws
        every sample's record from the stream :meth:`generate` uses, then runs its batch kernel once
        on the samples it fired for. Views equal :meth:`generate`'s bit for bit on the host
        (``device=None``); on a torch ``device`` (``"cpu"``, ``"cuda"``) kernels may round
        differently (each op's docstring says by how much). Dict samples run each field's pipeline
        so; with coupling rules or a whole-view output step, each sample's views come from :meth:`generate`.

        Returns:
            :class:`augkit.views.batch.BatchViews`: ``items[k]`` stacks view ``k`` of every sample (an
            array, a tensor, a list of texts; a dict of those for dict samples); ``params[i][k]`` is
            sample ``i``'s record. ``source``: the samples mixing ops draw partners from.

        Raises:
            InvalidInput: when the views of two samples do not stack, naming both.
        """
        from augkit.views.batch import make_batch

        with scope(self, source):
            return make_batch(self, samples, indices, epoch, device)

    def __call__(self, x: Any, index: int | str | None = None, epoch: int = 0) -> list[Any]:
        """The views of ``x`` as a list (see :meth:`generate`)."""
        return self.generate(x, index=index, epoch=epoch).items

    def replay(self, x: Any, params: Sequence[Params], partners: Mapping[int, Any] | None = None,
               source: Sequence[Any] | None = None) -> list[Any]:
        """Rebuild the views recorded in ``params`` (one record per view), bit for bit; a mixed view
        from its partner, given by index in ``partners`` (``{j: sample_j}``) or ``source``.

        Records of augkit 0.1 (without ``"format"``) replay too: they hold values, not streams.

        Raises:
            InvalidParams: for the wrong number of records, a record format newer than this
                augkit reads, or a record that does not fit the pipeline (naming the key).
        """
        if isinstance(params, (str, bytes, Mapping)) or not isinstance(params, Sequence):
            raise InvalidParams(f"replay takes a list with one record per view, got {type(params).__name__}")
        if len(params) != self.n_views:
            raise InvalidParams(f"replay got params for {len(params)} views; this generator makes {self.n_views}")
        with scope(self, source, partners):
            return self._replay(self._check(x, None), params)

    def _replay(self, x: Any, params: Sequence[Params]) -> list[Any]:
        if self.fields is not None:
            return [self._output_fields(self._replay_fields(x, pipeline, p, k))
                    for k, (pipeline, p) in enumerate(zip(self.pipelines, params, strict=True))]
        return [with_fields(self, self.output_view(pipeline.apply(x, current_record(pipeline, p, k))), p)
                for k, (pipeline, p) in enumerate(zip(self.pipelines, params, strict=True))]

    def _replay_fields(self, x: dict[str, Any], pipes: dict[str, Augmenter[Any]], record: Any,
                       k: int) -> dict[str, Any]:
        if not isinstance(record, Mapping) or not isinstance(record.get("fields"), Mapping):
            raise InvalidParams(f"replay params[{k}] must be a dict sample's record, with 'fields': "
                                f"{{field: record}}; got {record!r:.80}")
        fmt = record.get("format", RECORD_FORMAT)
        records = record["fields"]
        view = dict(x)
        for f, pipeline in pipes.items():
            if f not in x:
                continue
            if f not in records:
                raise InvalidParams(f"replay params[{k}]['fields'] has no record for field {f!r}")
            view[f] = pipeline.apply(x[f], current_record(pipeline, {"format": fmt, **records[f]}, k))
        coupled = record.get("couplings", {})
        for c in self.couplings:
            c.redo(view, coupled.get(c.name) if isinstance(coupled, Mapping) else None, self.field_modalities)
        return view

    def fired(self, k: int, record: Any) -> list[tuple[str, dict[str, Any]]]:
        """The ops that fired in view ``k``'s record, in order, with their params
        (:func:`augkit.core.composites.fired`); for dict samples each named ``"field: op"``, followed by
        the coupling rules' entries (``"coupling: name"``)."""
        pipeline = self.pipelines[k]
        if self.fields is None:
            return fired(record, getattr(pipeline, "name", ""))
        if not isinstance(record, Mapping) or not isinstance(record.get("fields"), Mapping):
            return []
        steps = [(f"{f}: {name}", params) for f, rec in record["fields"].items() if f in pipeline
                 for name, params in fired(rec, getattr(pipeline[f], "name", ""))]
        coupled = record.get("couplings")
        if isinstance(coupled, Mapping):
            steps += [(f"coupling: {name}", dict(entry)) for name, entry in coupled.items()
                      if isinstance(entry, Mapping)]
        return steps

    def _check(self, x: Any, index: int | str | None) -> Any:
        if self.prepare is not None:
            x = self.prepare(x)
        if self.fields is not None:
            return check_fields(self, x, index)
        try:
            return self._form.check(x if self.input is None else self.input(x))
        except (InvalidInput, WrongInputType) as err:
            raise type(err)(f"{sample_name(index)}: {err}") from None

    def __repr__(self) -> str:
        if self.fields is not None:
            return f"{type(self).__name__}(n_views={self.n_views}, seed={self.seed}, fields={self.fields!r})"
        return f"ViewGenerator(n_views={self.n_views}, seed={self.seed}, pipelines={self.pipelines!r})"


def _torch_worker_seed() -> int | None:
    # Only look when torch is already imported: a text-only user never pays for importing it.
    data = sys.modules.get("torch.utils.data")
    info = None if data is None else data.get_worker_info()
    return None if info is None else int(info.seed)
