"""definitions_json: the one description of every element shared with the browser."""

import json

import pytest
from scorm_testkit import LENIENT, STRICT

from scorm_runtime import definitions_json
from scorm_runtime.datamodel import model_for

VERSIONS = ["1.2", "2004-2nd", "2004-3rd", "2004-4th"]


@pytest.mark.parametrize("version", VERSIONS)
def test_definitions_json_every_element_described(version):
    data = json.loads(definitions_json(version))
    assert set(data["elements"]) == {e.path for e in model_for(version).elements}
    for spec in data["elements"].values():
        assert spec["access"] in ("RO", "WO", "RW")
        assert "kind" in spec["type"]
    assert data["errors"]["0"] in ("No error", "No Error")
    assert data["conditions"]["undefined"] == 401


def test_definitions_strict_sets_hard_limit_to_spm():
    strict = json.loads(definitions_json("2004-4th", STRICT))
    lenient = json.loads(definitions_json("2004-4th", LENIENT))
    location_strict = strict["elements"]["cmi.location"]["type"]
    location_lenient = lenient["elements"]["cmi.location"]["type"]
    assert location_strict["max"] == location_strict["spm"] == 1000
    assert location_lenient["max"] == 64000
    assert "tolerate" not in json.dumps(strict["interactions"])
    assert strict["collections"]["cmi.interactions"]["max"] == 250


def test_definitions_12_lenient_only_stretches_suspend_data():
    data = json.loads(definitions_json("1.2", LENIENT))
    assert data["elements"]["cmi.suspend_data"]["type"]["max"] == 64000
    assert data["elements"]["cmi.comments"]["type"]["max"] == 4096


def test_model_for_unknown_version_raises():
    with pytest.raises(ValueError, match="unknown SCORM version"):
        model_for("2004-5th")
