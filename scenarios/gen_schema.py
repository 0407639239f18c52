#!/usr/bin/env python3
# scenarios/gen_schema.py: writes scenarios/schema.json (JSON Schema draft-07 for scenario and
# lab-text files) from the ids the C++ registry reports, so editors get completion for
# highlight ids, condition keys and diagnoses. Run after adding an id to
# src/scenario/registry.cpp:
#   python3 scenarios/gen_schema.py build/native/normlab > scenarios/schema.json
# tests/scenario/test_registry.cpp fails while the schema and the registry disagree.
import json, subprocess, sys

normlab = sys.argv[1] if len(sys.argv) > 1 else "build/native/normlab"
ids = json.loads(subprocess.check_output([normlab, "validate", "--ids"]))
highlight = list(ids["highlight"].keys())
keys = ids["condition_keys"]
diags = list(ids["diagnoses"].keys())

MARKUP_NOTE = (" Light markup: **bold**, `code`, lines starting \"- \" or \"1. \", a blank line"
               " between paragraphs; Greek letters as themselves.")


def text(desc, markup=False):
    return {"type": "string", "minLength": 1, "description": desc + (MARKUP_NOTE if markup else "")}


def ref(name):
    return {"$ref": "#/definitions/" + name}


idpat = {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"}
families = ["batchnorm", "layernorm", "rmsnorm", "groupnorm", "instancenorm"]
text_families = families + ["weightnorm", "spectralnorm", "dyt"]
presets = ["stable", "shifted_mean", "skewed", "outliers", "tiny_batch", "near_constant",
           "large_offset", "scale_drift"]


def int_range(lo, hi, desc=None):
    d = {"type": "integer", "minimum": lo, "maximum": hi}
    if desc:
        d["description"] = desc
    return d


def num_range(lo, hi):
    return {"type": "number", "minimum": lo, "maximum": hi}


def items(obj, lo, hi):
    return {"type": "array", "minItems": lo, "maxItems": hi, "items": obj}


def obj(required, props, **extra):
    d = {"type": "object", "additionalProperties": False, "required": required, "properties": props}
    d.update(extra)
    return d


defs = {}
defs["labState"] = {
    "type": "object", "additionalProperties": False,
    "description": "A partial lab state: settings left out keep their value from earlier steps. "
                   "Settings apply first, then the actions (reset_running, reset_affine, affine, "
                   "resample, scale_examples, cells, train, focus, play).",
    "properties": {
        "family": {"enum": families},
        "shape": {"type": "string", "pattern": "^[0-9]{1,3}(x[0-9]{1,3}){1,3}$",
                  "description": "BxD, BxLxD or BxCxHxW, e.g. \"8x12\", \"4x6x12\", \"2x8x4x4\". "
                                 "Sets the layout and every dimension; do not combine with "
                                 "layout/batch/features/length/height/width."},
        "layout": {"enum": ["matrix", "sequence", "image"]},
        "batch": int_range(1, 64),
        "features": int_range(1, 64, "d, or C for images"),
        "length": int_range(1, 16),
        "height": int_range(1, 16),
        "width": int_range(1, 16),
        "groups": int_range(1, 64, "GroupNorm's G; must divide C"),
        "eps": num_range(0, 10),
        "seed": int_range(0, 9007199254740992),
        "preset": {"enum": presets},
        "eps_placement": {"enum": ["inside", "outside"]},
        "storage": {"enum": ["fp32", "fp16", "bf16"]},
        "accumulate": {"enum": ["fp32", "storage"]},
        "mode": {"enum": ["train", "eval"]},
        "momentum": num_range(0, 1),
        "reset_running": {"type": "boolean"},
        "reset_affine": {"type": "boolean"},
        "affine": items(obj(["channel"], {"channel": int_range(0, 63), "gamma": num_range(-1e4, 1e4),
                                          "beta": num_range(-1e4, 1e4)},
                            anyOf=[{"required": ["gamma"]}, {"required": ["beta"]}]), 1, 64),
        "resample": int_range(0, 100, "press New batch this many times"),
        "scale_examples": items(obj(["example", "factor"], {"example": int_range(0, 63),
                                                            "factor": num_range(-1e4, 1e4)}), 1, 64),
        "cells": items(obj(["index", "value"], {"index": int_range(0, 16383),
                                                "value": num_range(-1e30, 1e30)}), 1, 256),
        "train": int_range(0, 200, "BatchNorm training steps"),
        "focus": int_range(0, 16384, "the group the outline moves to"),
        "play": {"type": "boolean"},
    },
    "not": {"anyOf": [{"required": ["shape", k]} for k in
                      ["layout", "batch", "features", "length", "height", "width"]]},
}

leaf_variants = []
for kid, k in keys.items():
    t = k["type"]
    if t == "enum":
        v = {"enum": k["values"]}
        comps = {"eq": v, "ne": v, "in": items(v, 1, 32)}
    elif t == "set":
        v = {"enum": k["values"]}
        comps = {"has": v, "lacks": v}
    elif t == "bool":
        comps = {"eq": {"type": "boolean"}, "ne": {"type": "boolean"}}
    else:
        n = {"type": "integer" if t == "int" else "number"}
        comps = {c: n for c in ["eq", "ne", "lt", "le", "gt", "ge"]}
        comps["in"] = items(n, 1, 32)
    comps["changed"] = {"const": True}
    props = {"key": {"const": kid, "description": k["what"]}}
    props.update(comps)
    leaf_variants.append(obj(["key"], props, minProperties=2, maxProperties=2))

defs["condition"] = {
    "description": "A task condition: {\"key\": K, <comparison>: V}, {\"all\": [...]}, "
                   "{\"any\": [...]} or {\"not\": {...}}.",
    "oneOf": [
        obj(["all"], {"all": items(ref("condition"), 1, 32)}),
        obj(["any"], {"any": items(ref("condition"), 1, 32)}),
        obj(["not"], {"not": ref("condition")}),
        {"type": "object", "required": ["key"], "properties": {"key": {"enum": list(keys.keys())}},
         "oneOf": leaf_variants},
    ],
}
defs["markup"] = text("Text shown to the learner.", True)
defs["task"] = obj(["text", "done_when"], {"text": ref("markup"), "done_when": ref("condition"),
                                           "hint": ref("markup"), "done_text": ref("markup")})
defs["option"] = obj(["text"], {"text": ref("markup"), "correct": {"type": "boolean", "default": False},
                                "feedback": ref("markup")})
defs["compute"] = {"oneOf": [
    obj(["stat", "of", "group"], {"stat": {"enum": ["mean", "std", "var", "rms", "min", "max"]},
                                  "of": {"enum": ["x", "y"]},
                                  "group": {"oneOf": [int_range(0, 16384), {"const": "all"}]}}),
    obj(["stat", "group"], {"stat": {"const": "inv_std"}, "group": int_range(0, 16384)}),
    obj(["stat", "channel"], {"stat": {"enum": ["running_mean", "running_var"]}, "channel": int_range(0, 63)}),
    obj(["stat"], {"stat": {"enum": ["group_count", "group_size", "train_eval_gap"]}}),
]}
common = {"id": idpat, "prompt": ref("markup"), "explanation": ref("markup"), "hint": ref("markup"),
          "points": {"type": "number", "minimum": 0.5, "maximum": 10, "default": 1}}
choice_props = dict(common, kind={"enum": ["single", "multiple"]}, options=items(ref("option"), 2, 8))
num_props = dict(common, kind={"const": "numeric"},
                 answer={"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
                         "properties": {"value": {"type": "number"}, "compute": ref("compute")}},
                 tolerance={"type": "object", "additionalProperties": False, "minProperties": 1,
                            "properties": {"abs": {"type": "number", "minimum": 0},
                                           "rel": num_range(0, 1)}},
                 feedback_low=ref("markup"), feedback_high=ref("markup"))
defs["question"] = {"oneOf": [
    obj(["id", "kind", "prompt", "options", "explanation"], choice_props),
    obj(["id", "kind", "prompt", "answer", "tolerance", "explanation"], num_props),
]}
# The training view a step opens (src/scenario/train_bridge.h, src/train/train_lab.h). The
# loader also rejects keys the chosen experiment ignores and settings the lab refuses.
experiments = ["lr", "batch", "momentum", "placement", "precision", "jacobian"]
defs["trainView"] = obj(["experiment"], {
    "experiment": {"enum": experiments, "description": "the experiment the training view opens"},
    "task": {"enum": ["spirals", "gaussians", "circles", "xor"]},
    "norm": {"enum": ["none", "batchnorm", "layernorm", "rmsnorm", "groupnorm"],
             "description": "batch: the swept norm; placement, precision: layernorm or rmsnorm"},
    "steps": int_range(10, 5000, "updates per run"),
    "batch": int_range(2, 512),
    "depth": int_range(1, 64, "hidden layers, or residual blocks for placement"),
    "width": int_range(4, 128),
    "warmup": int_range(0, 5000, "placement: the second warmup length (0 always runs)"),
    "lr": num_range(1e-6, 10),
    "eps": num_range(0, 1),
    "vector_size": int_range(2, 16, "jacobian: values in the vector"),
    "shift": num_range(-100, 100),
    "jacobian": {"enum": ["layernorm", "rmsnorm"]},
    "run": {"type": "boolean", "default": True, "description": "start training when the step opens"},
}, description="Opens the training view on an experiment; later steps without \"train\" keep it.")
defs["step"] = obj(["id", "title", "text"], {
    "id": idpat, "title": text("Step title."), "text": ref("markup"), "lab": ref("labState"),
    "train": ref("trainView"),
    "highlight": {"type": "array", "maxItems": 8, "uniqueItems": True, "items": {"enum": highlight}},
    "task": ref("task"), "quiz": items(ref("question"), 1, 8)})
lang = {"type": "string", "pattern": "^[a-z]{2}$"}
defs["scenario"] = obj(["kind", "format", "id", "language", "title", "summary", "level", "minutes", "steps"], {
    "$schema": {"type": "string"}, "kind": {"const": "scenario"}, "format": {"const": 1},
    "id": {"type": "string", "pattern": "^[0-9]{2}_[a-z0-9_]{1,61}$"}, "language": lang,
    "title": text("Scenario title."), "summary": ref("markup"),
    "level": {"enum": ["beginner", "intermediate", "advanced"]}, "minutes": int_range(1, 120),
    "tags": {"type": "array", "maxItems": 16, "items": idpat}, "lab": ref("labState"),
    "steps": items(ref("step"), 1, 60)})
try_next = items(obj(["text"], {"text": ref("markup"), "lab": ref("labState")}), 1, 6)
family_text = obj(["name", "headline", "normalizes", "used_in", "choose_when", "watch_out", "try_next"], {
    "name": text("Display name."), "headline": ref("markup"), "normalizes": ref("markup"),
    "used_in": ref("markup"), "choose_when": ref("markup"), "watch_out": ref("markup"), "try_next": try_next})
shape_text = {"oneOf": [{"type": "string", "pattern": "^\\([A-Za-z, =0-9]+\\)$"}, {"type": "null"}]}
defs["labText"] = obj(["kind", "format", "language", "families", "diagnoses", "cheat_sheet", "shapes"], {
    "$schema": {"type": "string"}, "kind": {"const": "lab_text"}, "format": {"const": 1}, "language": lang,
    "families": obj(text_families, {f: family_text for f in text_families}),
    "diagnoses": obj(diags, {d: obj(["title", "text"], {"title": text("Diagnosis title."), "text": ref("markup"),
                                                        "try_next": try_next}) for d in diags}),
    "cheat_sheet": items(obj(["family", "axis", "coupling", "parameters", "train_eval"], {
        "family": {"enum": text_families}, "axis": ref("markup"), "coupling": ref("markup"),
        "parameters": ref("markup"), "train_eval": ref("markup")}), 8, 16),
    "shapes": items(obj(["family", "matrix", "sequence", "image"], {
        "family": {"enum": families}, "matrix": shape_text, "sequence": shape_text, "image": shape_text}), 5, 8)})

schema = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://normlab.invalid/scenarios/schema.json",
    "title": "NormLab scenario or lab text",
    "description": "Format 1 of NormLab's guided tours (kind \"scenario\") and of the lab's explanation "
                   "text (kind \"lab_text\"); see scenarios/README.md. The loader "
                   "(src/scenario/loader.cpp, `normlab validate`) checks more than a schema can: "
                   "replayed lab states, group indices, tasks not done at the start, glyphs the UI "
                   "font has, markup, duplicate keys.",
    "oneOf": [ref("scenario"), ref("labText")],
    "definitions": defs,
}
sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
