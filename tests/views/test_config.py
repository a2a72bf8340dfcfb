"""Config specs: every preset and every op written down and read back gives the same views; what a
spec cannot name is refused by field; a bad spec is refused with the place of the fault."""

from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import augkit
from augkit.core import modalities, registry
from augkit.core.errors import AugkitError
from augkit.views import config
from augkit.views.config import InvalidSpec
from augkit.views.generator import ViewGenerator

DATA = Path(__file__).resolve().parents[2] / "data"
# What the presets with a required argument are given (by parameter name).
REQUIRED = {"sample_rate": 16000}
# Ops whose arguments a spec cannot hold, and the field the refusal names.
UNNAMEABLE = {"image.albumentations": "pipeline.transform", "text.back_translation": "pipeline.translate",
              "text.contextual_substitution": "pipeline.model", "text.contextual_insertion": "pipeline.model"}


def make_preset(name: str, **kwargs: Any) -> ViewGenerator:
    made = registry.get_preset(name)
    for p in inspect.signature(made).parameters.values():
        if p.default is inspect.Parameter.empty:
            kwargs.setdefault(p.name, REQUIRED[p.name])
    return made(**kwargs)


def same_views(a: ViewGenerator, b: ViewGenerator, inputs: list[Any]) -> bool:
    for x in inputs:
        for index, epoch in ((0, 0), (5, 0), (2, 3)):
            for u, v in zip(a(x, index=index, epoch=epoch), b(x, index=index, epoch=epoch), strict=True):
                if isinstance(u, torch.Tensor):
                    if not (isinstance(v, torch.Tensor) and torch.equal(u, v)):
                        return False
                elif isinstance(u, np.ndarray):
                    if not (isinstance(v, np.ndarray) and np.array_equal(u, v)):
                        return False
                elif u != v:
                    return False
    return True


def inputs_of(vg: ViewGenerator) -> list[Any]:
    if vg.modality:
        return [modalities.get(vg.modality).example()]
    return [modalities.get(m).example() for m in modalities.names()]


@pytest.mark.parametrize("expand", [False, True], ids=["as preset", "expanded"])
@pytest.mark.parametrize("name", registry.presets())
def test_every_preset_round_trips_through_json_and_yaml(name: str, expand: bool, tmp_path: Path) -> None:
    vg = make_preset(name, seed=7)
    spec = config.dump(vg, expand=expand)
    assert spec["augkit"] == augkit.__version__ and spec["spec_format"] == config.SPEC_FORMAT
    assert ("preset" in spec) is not expand
    if not expand:
        assert spec["preset"] == name
    text = json.dumps(spec)  # plain JSON: no objects, no tags
    assert "!!" not in yaml.safe_dump(spec)
    (tmp_path / "v.json").write_text(text)
    (tmp_path / "v.yaml").write_text(yaml.safe_dump(spec))
    for source in (json.loads(text), tmp_path / "v.json", str(tmp_path / "v.yaml")):
        again = config.load(source)
        assert again.n_views == vg.n_views and again.seed == 7 and again.modality == vg.modality
        if vg.mixes:  # a preset that mixes (spectrogram.byol_a) draws partners from a source
            vg.source = again.source = inputs_of(vg)
        assert same_views(vg, again, inputs_of(vg)), source


def op_example(name: str) -> Any:
    """The op's own example, with background or short noises from a recording (its example holds a waveform)."""
    if name in ("audio.add_background_noise", "audio.add_short_noises"):
        return registry.get(name)(sources=[str(DATA / "audio" / "pink_noise.flac")], sample_rate=16000)
    return registry.get(name).example()


@pytest.mark.parametrize("name", [n for n in registry.names() if n not in UNNAMEABLE])
def test_every_op_round_trips(name: str) -> None:
    op = op_example(name)
    source = inputs_of(ViewGenerator(op)) * 3 if getattr(op, "mixes", False) else None  # a mixing op's partners
    vg = ViewGenerator(op, n_views=3, seed=11, source=source)
    spec = json.loads(json.dumps(config.dump(vg)))
    assert spec["pipeline"]["type"] == name
    again = config.load(spec, source=source)
    assert repr(again.pipelines[0]) == repr(vg.pipelines[0])
    assert same_views(vg, again, inputs_of(vg))


@pytest.mark.parametrize("name", sorted(UNNAMEABLE))
def test_ops_holding_objects_of_your_own_are_refused_by_field(name: str) -> None:
    vg = ViewGenerator(registry.get(name).example(), seed=0)
    with pytest.raises(InvalidSpec, match=rf"^{UNNAMEABLE[name]}: "):
        config.dump(vg)


def test_the_declared_output_step_is_written_and_restored() -> None:
    vg = augkit.image.simclr(32, seed=0, output="normalized", mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    spec = config.dump(vg, expand=True)
    assert spec["output"] == {"type": "normalized", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
    again = config.load(spec)
    x = modalities.get("image").example()
    assert torch.equal(again(x, index=1)[0], vg(x, index=1)[0])
    assert config.dump(augkit.image.simclr(32, seed=0, output="uint8"), expand=True)["output"] == {"type": "uint8"}
    assert "output" not in config.dump(augkit.image.simclr(32, seed=0, output="numpy"), expand=True)


def test_dump_refuses_what_a_spec_cannot_name() -> None:
    flip = augkit.image.HorizontalFlip()
    with pytest.raises(InvalidSpec, match=r"^output: .*function of your own"):
        config.dump(ViewGenerator(flip, output=lambda v: v))
    with pytest.raises(InvalidSpec, match=r"^prepare: "):
        config.dump(ViewGenerator(flip, prepare=np.asarray))
    wave = torch.zeros(1, 16000)
    noise = augkit.audio.AddBackgroundNoise(sources=[str(DATA / "audio" / "pink_noise.flac"), wave],
                                            sample_rate=16000)
    with pytest.raises(InvalidSpec, match=r"^pipeline\.sources\[1\]: an in-memory Tensor.*file path"):
        config.dump(ViewGenerator(noise))
    made = augkit.audio.audio_pairs(16000, seed=0, background_noise=[wave])
    with pytest.raises(InvalidSpec, match=r"^args\.background_noise\[0\]: "):
        config.dump(made)

    class Mine(augkit.image.HorizontalFlip):  # a subclass of a registered op, itself unregistered
        pass

    with pytest.raises(InvalidSpec, match=r"^pipeline\.ops\[0\]: Mine is not in augkit's registry"):
        config.dump(ViewGenerator(augkit.Compose([Mine()])))


def test_background_noise_files_are_named_by_path() -> None:
    path = DATA / "audio" / "pink_noise.flac"
    vg = augkit.audio.audio_pairs(16000, seconds=0.5, seed=2, noise_p=1.0, background_noise=[path])
    spec = json.loads(json.dumps(config.dump(vg)))
    assert spec["args"]["background_noise"] == [str(path)]
    assert same_views(vg, config.load(spec), [modalities.get("audio").example()])


def _byol_spec() -> tuple[dict[str, Any], int]:
    spec = config.dump(augkit.image.byol(32, seed=0), expand=True)
    ops = spec["views"][1]["ops"]
    return spec, next(i for i, op in enumerate(ops) if op["type"] == "image.gaussian_blur")


def test_a_bad_value_is_named_by_its_place_in_the_spec() -> None:
    spec, k = _byol_spec()
    spec["views"][1]["ops"][k]["sigma"] = [-1.0, 2.0]
    with pytest.raises(InvalidSpec, match=rf"^views\[1\]\.ops\[{k}\]\.sigma: "):
        config.load(spec)


def test_unknown_names_are_named_by_their_place() -> None:
    spec, k = _byol_spec()
    bad = copy.deepcopy(spec)
    bad["views"][1]["ops"][k]["sigmaa"] = 1.0
    with pytest.raises(InvalidSpec, match=rf"^views\[1\]\.ops\[{k}\]\.sigmaa: image.gaussian_blur has no argument"):
        config.load(bad)
    bad = copy.deepcopy(spec)
    bad["views"][0]["ops"][0]["type"] = "image.nope"
    with pytest.raises(InvalidSpec, match=r"^views\[0\]\.ops\[0\]\.type: no augmenter named 'image.nope'"):
        config.load(bad)
    with pytest.raises(InvalidSpec, match=r"^preset: no preset named 'image.nope'"):
        config.load({"preset": "image.nope"})
    with pytest.raises(InvalidSpec, match=r"^args\.sizee: image.simclr has no argument 'sizee'"):
        config.load({"preset": "image.simclr", "args": {"sizee": 3}})
    with pytest.raises(InvalidSpec, match=r"^args: .*size"):
        config.load({"preset": "image.simclr", "args": {"size": -3}})
    with pytest.raises(InvalidSpec, match=r"^seed: -1 must be an integer >= 0"):
        config.load({"preset": "image.simclr", "seed": -1})
    with pytest.raises(InvalidSpec, match=r"^modality: no modality named 'smell'"):
        config.load({**spec, "modality": "smell", "output": None})
    with pytest.raises(InvalidSpec, match=r"^pipelines: not a field"):
        config.load({"pipelines": []})
    with pytest.raises(InvalidSpec, match=r"^spec_format: 2 was written by a newer augkit"):
        config.load({**spec, "spec_format": 2})
    with pytest.raises(InvalidSpec, match=r"^output: image output has no field 'scale'"):
        config.load({**spec, "output": {"type": "uint8", "scale": 2}})


def test_files_are_read_by_suffix_and_only_as_plain_yaml(tmp_path: Path) -> None:
    with pytest.raises(InvalidSpec, match=r"ends in \.yaml, \.yml or \.json"):
        config.load(tmp_path / "spec.txt")
    with pytest.raises(FileNotFoundError, match=r"spec\.yaml"):
        config.load(tmp_path / "spec.yaml")
    tagged = tmp_path / "evil.yaml"
    tagged.write_text("preset: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InvalidSpec, match="not a plain YAML spec"):
        config.load(tagged)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(InvalidSpec, match="not valid JSON"):
        config.load(broken)
    written = tmp_path / "eda.yml"
    written.write_text("preset: text.eda\nargs: {alpha: 0.2}\nseed: 4\n")
    vg = config.load(written)
    assert vg.seed == 4 and vg.origin == {"preset": "text.eda", "args": {**vg.origin["args"], "alpha": 0.2}}


def test_seed_and_view_count_can_be_overridden() -> None:
    spec = config.dump(augkit.image.simclr(32, seed=0))
    vg = config.load(spec, seed=9, n_views=4)
    assert vg.seed == 9 and vg.n_views == 4
    expanded = config.dump(augkit.image.byol(32, seed=0), expand=True)
    with pytest.raises(InvalidSpec, match=r"n_views \(given to load\): 3 does not match the 2 pipelines"):
        config.load(expanded, n_views=3)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-3, 3) | st.sampled_from(
        ["image.simclr", "text.eda", "compose", "image.gaussian_blur", "type", "ops", "p", "sigma", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "ops", "op", "p", "sigma", "alpha", "size", "args", "x"]), inner, max_size=3),
    max_leaves=12,
)
_specs = st.fixed_dictionaries({}, optional={
    "preset": _json, "args": _json, "modality": _json, "pipeline": _json, "views": _json, "seed": _json,
    "n_views": _json, "output": _json, "spec_format": _json})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_specs)
def test_any_spec_gives_a_generator_or_one_augkit_error(spec: dict[str, Any]) -> None:
    try:
        vg = config.load(spec)
    except AugkitError as err:
        assert str(err).split(":")[0], "the error starts with the place of the fault"
        return
    assert isinstance(vg, ViewGenerator)
