"""What pcf writes about each parameter into Brightway (seen in Activity Browser): meaning,
unit and bounds of every encoded parameter; no Brightway needed."""

from __future__ import annotations

from pcf.paramspec import ParameterSpec


def test_number_parameter_has_unit_bounds_and_description():
    spec = ParameterSpec("recycled_content", "number", 0.0, unit="kg/kg", min=0, max=1,
                         description="share of recycled metal", source="src-1")
    data = spec.brightway_data()
    assert list(data) == spec.brightway_names() == ["recycled_content"]
    row = data["recycled_content"]
    assert (row["unit"], row["minimum"], row["maximum"]) == ("kg/kg", 0, 1)
    assert row["description"] == "share of recycled metal"
    assert "kg/kg; 0 to 1; default 0.0" in row["comment"] and "src-1" in row["comment"]


def test_optional_number_explains_its_given_flag():
    spec = ParameterSpec("ingot_footprint", "number", None, unit="kg CO2e/kg", min=0, max=40,
                         optional=True, description="supplier value")
    data = spec.brightway_data()
    assert list(data) == spec.brightway_names()
    assert "default not given" in data["ingot_footprint"]["comment"]
    assert data["ingot_footprint__given"]["maximum"] == 1.0
    assert "1 when ingot_footprint is given" in data["ingot_footprint__given"]["comment"]


def test_choice_indicators_say_which_choice_they_stand_for():
    spec = ParameterSpec("grid", "choice", "cn-north", choices={"cn-north": "a", "eu-27": "b"},
                         description="site grid")
    data = spec.brightway_data()
    assert list(data) == spec.brightway_names() == ["grid__cn_north", "grid__eu_27"]
    assert data["grid__eu_27"]["comment"].startswith("1 when grid = eu-27, else 0")
    assert all((d["minimum"], d["maximum"]) == (0.0, 1.0) for d in data.values())


def test_boolean_and_keyword_names():
    spec = ParameterSpec("yield", "number", 0.85, unit="kg/kg", min=0.5, max=1)
    assert list(spec.brightway_data()) == ["yield_"]
    flag = ParameterSpec("coated", "boolean", True, description="coating applied")
    assert flag.brightway_data()["coated"]["comment"].startswith("1 = true, 0 = false")
