"""pcf.models.ProductModel over a hand-written definition (no Brightway project).

The definition has the shape the engine hands over (``pcf_product_definition``, written by
:meth:`pcf.inventory.loader.Product.to_dict`), modelled on databases/products/aluminium-coil.yaml.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from pcf.errors import InvalidInput, InvalidParameter
from pcf.models import ProductModel, Settings

DEFINITION = {
    "id": "test-coil",
    "name": "Test coil, cast and rolled",
    "declared_unit": "kg",
    "description": "A small product for unit tests.",
    "stages": ["raw-materials", "casting-rolling"],
    "recycled_content_method": "cut-off",
    "parameters": [
        {"name": "recycled_content", "type": "number", "unit": "kg/kg", "default": 0.0,
         "min": 0, "max": 1, "choices": None, "choice_activities": None, "optional": False,
         "description": "share of scrap in the metal input", "source": "pcf-assumption",
         "meta": {"basis": "judgement"}},
        {"name": "renewable_electricity_share", "type": "number", "unit": "kWh/kWh",
         "default": 0.0, "min": 0, "max": 1, "optional": False, "description": "", "source": ""},
        {"name": "smelter_grid", "type": "choice", "default": "cn-coal-captive",
         "choices": ["cn-coal-captive", "cn-yunnan"],
         "choice_activities": {"cn-coal-captive": "electricity-coal",
                               "cn-yunnan": "electricity-cn-yunnan"}},
        {"name": "electric_furnace", "type": "boolean", "default": False},
        {"name": "primary_ingot_footprint", "type": "number", "default": None, "optional": True,
         "unit": "kg CO2e/kg", "min": 0, "max": 40},
        {"name": "yield", "type": "number", "unit": "kg/kg", "default": 0.85, "min": 0.5,
         "max": 1.0},
    ],
    "derived": {"metal_in": "1 + 0.017 / yield_"},
    "variants": {
        "virgin": {"recycled_content": 0},
        "recycled": {"recycled_content": 1, "electric_furnace": "true"},
        "hydro": {"smelter_grid": "cn-yunnan", "renewable_electricity_share": 0.5},
    },
}

DEFAULTS = {"recycled_content": 0.0, "renewable_electricity_share": 0.0,
            "smelter_grid": "cn-coal-captive", "electric_furnace": False,
            "primary_ingot_footprint": None, "yield": 0.85}
PARAMETER_NAMES = sorted(DEFAULTS)


@pytest.fixture
def model() -> ProductModel:
    return ProductModel(copy.deepcopy(DEFINITION))


def test_attributes(model):
    assert model.id == "test-coil"
    assert model.declared_unit == "kg"
    assert model.stages == ["raw-materials", "casting-rolling"]
    assert list(model.specs) == list(DEFAULTS)
    assert sorted(model.variants) == ["hydro", "recycled", "virgin"]


def test_defaults(model):
    settings = model.resolve()
    assert isinstance(settings, Settings)
    assert settings.variant is None
    assert settings.values == DEFAULTS
    assert settings.encoded == {
        "recycled_content": 0.0, "renewable_electricity_share": 0.0,
        "smelter_grid__cn_coal_captive": 1.0, "smelter_grid__cn_yunnan": 0.0,
        "electric_furnace": 0.0,
        "primary_ingot_footprint": 0.0, "primary_ingot_footprint__given": 0.0,
        "yield_": 0.85,
    }


def test_variant_values_are_coerced(model):
    settings = model.resolve("recycled")
    assert settings.variant == "recycled"
    assert settings.values == {**DEFAULTS, "recycled_content": 1.0, "electric_furnace": True}
    assert settings.encoded["electric_furnace"] == 1.0
    assert type(settings.values["recycled_content"]) is float


def test_overrides_beat_the_variant(model):
    settings = model.resolve("hydro", {"renewable_electricity_share": "0.8", "yield": 0.9,
                                       "primary_ingot_footprint": 4.2})
    assert settings.values == {**DEFAULTS, "smelter_grid": "cn-yunnan",
                               "renewable_electricity_share": 0.8, "yield": 0.9,
                               "primary_ingot_footprint": 4.2}
    assert settings.encoded["smelter_grid__cn_yunnan"] == 1.0
    assert settings.encoded["smelter_grid__cn_coal_captive"] == 0.0
    assert settings.encoded["yield_"] == 0.9
    assert settings.encoded["primary_ingot_footprint__given"] == 1.0


def test_override_can_reset_a_variant_value(model):
    settings = model.resolve("hydro", {"smelter_grid": "cn-coal-captive"})
    assert settings.values["smelter_grid"] == "cn-coal-captive"
    assert settings.values["renewable_electricity_share"] == 0.5  # rest of the variant stays


def test_resolving_does_not_leak_between_calls(model):
    model.resolve("recycled", {"yield": 0.6})
    assert model.resolve().values == DEFAULTS
    assert model.variants["recycled"] == {"recycled_content": 1, "electric_furnace": "true"}


def test_unknown_variant_names_field_and_allowed(model):
    with pytest.raises(InvalidParameter) as info:
        model.resolve("bio-based")
    err = info.value
    assert err.field == "variant"
    assert err.allowed == ["hydro", "recycled", "virgin"]
    assert "bio-based" in err.message and "test-coil" in err.message


@pytest.mark.parametrize("variant", [1, ["virgin"], {"v": 1}, True])
def test_variant_must_be_a_string(model, variant):
    with pytest.raises(InvalidParameter) as info:
        model.resolve(variant)
    assert info.value.field == "variant"
    assert info.value.allowed == ["hydro", "recycled", "virgin"]


def test_unknown_parameter_names_field_and_allowed(model):
    with pytest.raises(InvalidParameter) as info:
        model.resolve(None, {"recycled_content": 0.2, "recycled_contnet": 0.3})
    err = info.value
    assert err.field == "parameters.recycled_contnet"
    assert err.allowed == PARAMETER_NAMES


def test_formula_name_is_not_a_parameter_name(model):
    # users write `yield`; `yield_` is only the name inside formulas
    with pytest.raises(InvalidParameter) as info:
        model.resolve(None, {"yield_": 0.9})
    assert info.value.field == "parameters.yield_"


@pytest.mark.parametrize("parameters, field, allowed", [
    ({"recycled_content": 1.2}, "parameters.recycled_content", "0 <= recycled_content <= 1"),
    ({"smelter_grid": "cn-north"}, "parameters.smelter_grid", ["cn-coal-captive", "cn-yunnan"]),
    ({"electric_furnace": "sometimes"}, "parameters.electric_furnace", [True, False]),
    ({"yield": 0.3}, "parameters.yield", "0.5 <= yield <= 1.0"),
])
def test_invalid_values_name_field_and_allowed(model, parameters, field, allowed):
    with pytest.raises(InvalidParameter) as info:
        model.resolve("virgin", parameters)
    assert info.value.field == field
    assert info.value.allowed == allowed


@pytest.mark.parametrize("parameters", [[("yield", 0.9)], "yield=0.9", 0.9])
def test_parameters_must_be_a_mapping(model, parameters):
    with pytest.raises(InvalidInput) as info:
        model.resolve(None, parameters)
    assert info.value.field == "parameters"
    assert info.value.allowed == PARAMETER_NAMES


def test_empty_parameters_equal_none(model):
    assert model.resolve("virgin", {}) == model.resolve("virgin", None)


def test_describe(model):
    out = model.describe()
    assert {k: out[k] for k in ("id", "name", "declared_unit", "description", "stages",
                                "recycled_content_method")} == {
        "id": "test-coil", "name": "Test coil, cast and rolled", "declared_unit": "kg",
        "description": "A small product for unit tests.",
        "stages": ["raw-materials", "casting-rolling"], "recycled_content_method": "cut-off"}
    assert out["variants"] == DEFINITION["variants"]
    params = {p["name"]: p for p in out["parameters"]}
    assert list(params) == list(DEFAULTS)
    for p in params.values():  # internal details stay out of the public description
        assert "choice_activities" not in p and "meta" not in p
        assert set(p) == {"name", "type", "unit", "default", "min", "max", "choices",
                          "optional", "description", "source"}
    assert params["smelter_grid"]["choices"] == ["cn-coal-captive", "cn-yunnan"]
    assert params["recycled_content"]["choices"] is None
    assert params["primary_ingot_footprint"]["optional"] is True
    assert params["primary_ingot_footprint"]["default"] is None
    assert params["yield"] == {"name": "yield", "type": "number", "unit": "kg/kg",
                               "default": 0.85, "min": 0.5, "max": 1.0, "choices": None,
                               "optional": False, "description": "", "source": ""}


def test_describe_is_a_copy(model):
    out = model.describe()
    out["stages"].append("use")
    out["variants"]["new"] = {}
    assert model.stages == ["raw-materials", "casting-rolling"]
    assert "new" not in model.variants


def test_minimal_definition_defaults():
    definition = {k: DEFINITION[k] for k in ("id", "name", "declared_unit", "stages")}
    definition["parameters"] = [DEFINITION["parameters"][0]]
    m = ProductModel(definition)
    assert m.recycled_content_method == "cut-off"
    assert m.variants == {}
    assert m.describe()["description"] == ""
    with pytest.raises(InvalidParameter) as info:
        m.resolve("virgin")
    assert info.value.allowed == []


# --- the real definitions, as the loader writes them (YAML only, no Brightway) ---------------

def _inventory_products():
    from pcf.inventory.loader import load_inventory

    root = Path(__file__).resolve().parents[2] / "databases"
    return load_inventory(root).products


@pytest.fixture(scope="module")
def products():
    return _inventory_products()


def test_every_product_resolves_its_variants(products):
    assert products, "no products in databases/"
    for product in products.values():
        model = ProductModel(product.to_dict())
        assert model.resolve("virgin").values["recycled_content"] == 0.0
        assert model.resolve("recycled").values["recycled_content"] == 1.0
        for variant in model.variants:
            encoded = model.resolve(variant).encoded
            # exactly the independent Brightway parameters the builder writes
            assert list(encoded) == product.brightway_inputs()
        assert model.resolve().encoded == product.default_values()
