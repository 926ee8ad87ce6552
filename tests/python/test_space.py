"""The space, architectures, costs and the zoo from Python, against what the CLI and the
published figures say."""
import json

import pytest

import mnas


def test_the_default_space_samples_decodes_and_encodes():
    space = mnas.default_space()
    assert space.input == "28x28x1" and space.classes == 10
    assert int(space.size) > 10**10
    tokens = space.sample_tokens(seed=3)
    arch = space.decode(tokens)
    assert space.encode(arch) == tokens
    assert space.sample(seed=3) == space.sample(seed=3)
    assert len(space.decisions()) == len(tokens)
    assert {"name", "block", "vocab", "choices"} <= set(space.decisions()[0])


def test_a_canonical_string_and_json_read_back_to_the_same_architecture():
    arch = mnas.default_space().sample(seed=5)
    assert mnas.architecture(arch.canonical) == arch
    assert mnas.architecture(arch.to_json()) == arch
    assert str(arch) == arch.canonical
    assert len({arch, mnas.architecture(arch.canonical)}) == 1


def test_the_zoo_matches_its_published_counts():
    # ../shared/reference-models.md: MobileNetV2 3.50M params / 300M MACs, MnasNet-A1 3.9M / 312M
    v2 = mnas.architecture("mobilenetv2").describe()
    assert v2["params"] == 3504872
    assert 299e6 < v2["macs"] < 302e6
    a1 = mnas.architecture("mnasnet-a1").describe()
    assert 3.8e6 < a1["params"] < 3.95e6
    assert 310e6 < a1["macs"] < 316e6
    assert "mnasnet-small" in mnas.zoo_names()
    row = a1["layers"][0]
    assert set(row) == {"name", "description", "input", "output", "params", "macs"}
    assert sum(layer["macs"] for layer in a1["layers"]) == a1["macs"]


def test_zoo_models_take_an_input_classes_and_a_multiplier():
    small = mnas.architecture("mobilenetv2@0.35", input="28x28x1", classes=10)
    assert small.input == "28x28x1" and small.classes == 10
    assert small.describe()["params"] < mnas.architecture("mobilenetv2", input="28x28x1",
                                                          classes=10).describe()["params"]


def test_a_space_file_loads(tmp_path):
    path = tmp_path / "space.json"
    path.write_text(mnas.default_space(input="32x32x3").to_json())
    space = mnas.load_space(str(path), classes=100)
    assert space.input == "32x32x3" and space.classes == 100


@pytest.mark.parametrize("call, field", [
    (lambda: mnas.architecture("input=28x28x1:stem=s99"), None),
    (lambda: mnas.architecture("mobilenetv2", input="0x0x0"), None),
    (lambda: mnas.architecture("mobilenetv2@x"), None),
    (lambda: mnas.default_space(classes=0), None),
    (lambda: mnas.architecture("mnasnet-a1", classes=-3), None),
    (lambda: mnas.architecture("mnasnet-a1", multiplier=0), None),
    (lambda: mnas.default_space(multiplier=9), None),
    (lambda: mnas.default_space().decode([999]), None),
])
def test_bad_input_is_an_mnas_error_never_a_crash(call, field):
    with pytest.raises(mnas.Error) as raised:
        call()
    assert isinstance(raised.value, ValueError)
    assert str(raised.value)


def test_an_unreadable_file_is_an_io_error():
    with pytest.raises(mnas.IOError) as raised:
        mnas.load_space("/nonexistent/space.json")
    assert isinstance(raised.value, OSError)
    assert "/nonexistent/space.json" in str(raised.value)
