"""Hugging Face ``datasets.Dataset`` rows as augkit samples, for :class:`augkit.datasets.ViewDataset`.

A row is a dict of columns. Media columns (features with a ``decode`` switch: images, audio) are
read without the library's own decoding (``datasets`` ≥ 4 decodes audio through TorchCodec, which
needs FFmpeg libraries) and decoded by the modality that augments them: from the cell's bytes
(:meth:`augkit.core.modalities.BaseModality.load_bytes`), or, for a cell that holds only a path
(``cast_column("img", datasets.Image())`` over a column of file paths), from that file
(:meth:`augkit.core.modalities.BaseModality.load`), with the same options either way: the
generator's context (an audio generator's sample rate) and the readers' defaults (RGB images, mono
clips). The augmented column is the generator's field (dict samples: every
field of the generator, by column name), or ``column=``, or the one column the generator's
modality takes; the other columns pass through.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from augkit.core import modalities
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, MissingFile, WrongInputType
from augkit.datasets.readers import load_file

__all__ = ["HFRows", "is_hf_dataset"]


def is_hf_dataset(data: Any) -> bool:
    """Whether ``data`` is a Hugging Face ``datasets.Dataset`` (map-style, with typed columns)."""
    return type(data).__module__.split(".")[0] == "datasets" and hasattr(data, "features") and \
        hasattr(data, "column_names") and hasattr(data, "__getitem__")


class HFRows(Sequence[Any]):
    """The rows of a Hugging Face dataset as ``(sample, rest)`` pairs, media decoded by augkit.

    Args:
        data: a ``datasets.Dataset``.
        views: the ViewGenerator whose samples the rows become.
        column: the augmented column, for a generator of plain samples (None: the one column its
            modality takes); dict-sample generators augment the columns named by their fields.

    Raises:
        InvalidArgument: naming the columns, when the augmented column is not one of them or
            cannot be told apart from the others.
    """

    def __init__(self, data: Any, views: Any, column: str | None = None) -> None:
        features = dict(data.features)
        media = {c for c, f in features.items() if hasattr(f, "decode")}
        for c in media:  # undecoded cells: {"bytes": ..., "path": ...}
            data = data.cast_column(c, type(features[c])(decode=False))
        self.data, self.media, self.views = data, media, views
        names = list(features)
        if views.fields is not None:
            missing = [f for f in views.fields if f not in features]
            if missing and views.missing == "raise":
                raise InvalidArgument(f"the generator augments fields {missing} the dataset has no columns for; "
                                      f"its columns: {names}")
            self.columns = {f: views.field_modalities.get(f, "") for f in views.fields if f in features}
        else:
            if column is None:
                column = self._pick(names, features)
            if column not in features:
                raise InvalidArgument(f"column={column!r} is not a column of the dataset; its columns: {names}")
            self.columns = {column: views.modality}
        self.column = column

    def _pick(self, names: list[str], features: dict[str, Any]) -> str:
        form = modalities.get(self.views.modality) if self.views.modality else None
        media = [c for c in names if c in self.media]
        claimed = [c for c in names if c not in self.media and form is not None and
                   getattr(features[c], "dtype", None) == "string" and str in getattr(form, "claims", ())]
        found = media if len(media) == 1 else claimed
        if len(found) != 1:
            raise InvalidArgument(f"ViewDataset cannot tell which column of {names} the generator augments: pass "
                                  "column='name'")
        return found[0]

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.split(self.data[int(index)], int(index))

    def split(self, row: dict[str, Any], index: int) -> tuple[Any, Any]:
        """``(sample, rest)``: the augmented column(s) decoded, the other columns as they are (one
        value when a single column is left, a dict otherwise, None when none is)."""
        decoded = {c: self._decode(row[c], c, m, index) for c, m in self.columns.items()}
        if self.views.fields is not None:
            return {**row, **decoded}, None
        rest = {c: v for c, v in row.items() if c not in self.columns}
        sample = decoded[self.column]
        return sample, (next(iter(rest.values())) if len(rest) == 1 else rest or None)

    def _decode(self, cell: Any, column: str, modality: str, index: int) -> Any:
        """A media cell ``{"bytes": ..., "path": ...}`` as a sample: decoded from its bytes, or
        loaded from its path when it holds none (a column of file paths cast to an Image or Audio
        feature), with the same options; other cells as they are.

        Raises:
            MissingFile: (a FileNotFoundError) for a cell without bytes whose path names no file.
            InvalidInput: for a cell with neither bytes nor a path, or bytes or a file that cannot
                be decoded; each naming the row, the column and the path.
        """
        if column not in self.media or not (cell is None or isinstance(cell, dict)):
            return cell
        form = modalities.get(modality) if modality else None
        if form is None:
            return cell
        where = f"row {index}, column {column!r}"
        data, path = (cell.get("bytes"), cell.get("path")) if cell is not None else (None, None)
        options = form.context(self.views)
        try:
            if data is not None:
                return form.load_bytes(data, str(path or where), **options)
            if not path:
                raise InvalidInput(f"the cell holds neither bytes nor a path ({cell!r:.60}): give every row a file, "
                                   f"or drop the empty rows (ds.filter(lambda r: r[{column!r}] is not None))")
            return load_file(form.load, Path(path), **options)
        except FileNotFoundError as err:
            raise MissingFile(f"{where}: the cell holds no bytes and its path {path!r} names no file here ({err}); "
                              "run where the files are, or build the dataset from paths that exist "
                              "on this machine") from None
        except (AugkitError, OSError, ValueError, TypeError) as err:
            kind = WrongInputType if isinstance(err, TypeError) else InvalidInput
            shown = f" ({path})" if path and str(path) not in str(err) else ""
            raise kind(f"{where}{shown}: {err}") from err
