#!/usr/bin/env python3
# tests/data/scenarios_bad/make_corpus.py: writes the corpus of broken scenario and lab-text
# files and manifest.json, which maps each file to the substrings its errors must contain
# (checked by tests/scenario/test_bad_corpus.cpp and tests/scenario/test_validate.sh).
# Run from the repository root after changing a case:
#   python3 tests/data/scenarios_bad/make_corpus.py
# Every case starts from one small valid scenario and breaks one thing.
import copy, json, os

HERE = os.path.dirname(os.path.abspath(__file__))

BASE = {
    "kind": "scenario", "format": 1, "id": "99_base", "language": "en",
    "title": "Base", "summary": "A valid scenario that each case breaks once.",
    "level": "beginner", "minutes": 3,
    "lab": {"family": "batchnorm", "shape": "8x12", "preset": "stable"},
    "steps": [
        {"id": "one", "title": "One", "text": "Some **text**.", "highlight": ["panel.board"],
         "quiz": [{"id": "q1", "kind": "single", "prompt": "Pick one",
                   "options": [{"text": "right", "correct": True}, {"text": "wrong"}],
                   "explanation": "Because."}]},
        {"id": "two", "title": "Two", "text": "More text.",
         "task": {"text": "Make the batch 2.", "done_when": {"key": "batch", "le": 2}}},
    ],
}

cases = {}   # file name -> (content: str, [expected substrings])


def dump(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def case(name, expected, mutate=None, text=None):
    if text is None:
        doc = copy.deepcopy(BASE)
        mutate(doc)
        text = dump(doc)
    cases[name] = (text, expected)


def step0(d):
    return d["steps"][0]


def q0(d):
    return d["steps"][0]["quiz"][0]


# Syntax: line and column.
case("syntax_trailing_comma.json", [":3:1:", "syntax error"],
     text='{\n  "kind": "scenario",\n}\n')
case("syntax_missing_comma.json", [":3:10:", "syntax error", "expected '}'"],
     text='{\n  "kind": "scenario"\n  "format": 1\n}\n')
case("syntax_unclosed_string.json", [":2:", "syntax error"],
     text='{\n  "kind": "scenario\n}\n')
case("syntax_empty.json", [":1:1:", "syntax error"], text="")
case("syntax_bad_utf8.json", [":1:", "syntax error", "UTF-8"],
     text='{"kind": "scen\udcffario"}\n')
case("syntax_comment.json", [":1:", "syntax error"], text='// comment\n{"kind": "scenario"}\n')
case("number_overflow.json", [":3:13:", "number overflow"],
     text='{\n  "kind": "scenario",\n  "format": 1e999\n}\n')
case("too_deep.json", ["nesting deeper than 64"], text="[" * 70 + "]" * 70 + "\n")

# Document level.
case("not_an_object.json", ["a NormLab file is a JSON object"], text="[1, 2, 3]\n")
case("missing_kind.json", ['missing required key "kind"'], lambda d: d.pop("kind"))
case("unknown_kind.json", ['/kind: unknown kind "senario"', 'did you mean "scenario"'],
     lambda d: d.update(kind="senario"))
case("wrong_format.json", ["/format: format 2 is not supported"], lambda d: d.update(format=2))
case("json_schema_file.json", ['missing required key "kind"', "JSON Schema"],
     text='{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}\n')

# Unknown keys, wrong types, missing fields.
case("unknown_key.json", ['/titel: unknown key "titel"', 'did you mean "title"'],
     lambda d: d.update(titel=d.pop("title")))
case("unknown_key_in_step.json", ['/steps/1/txet: unknown key "txet"', 'missing required key "text"'],
     lambda d: d["steps"][1].update(txet=d["steps"][1].pop("text")))
case("unknown_key_in_option.json", ['/steps/0/quiz/0/options/1/feedbak: unknown key'],
     lambda d: q0(d)["options"][1].update(feedbak="x"))
case("wrong_type_minutes.json", ["/minutes: must be an integer, got string"],
     lambda d: d.update(minutes="ten"))
case("wrong_type_highlight.json", ["/steps/0/highlight: must be an array, got string"],
     lambda d: step0(d).update(highlight="panel.board"))
case("wrong_type_correct.json", ["/steps/0/quiz/0/options/0/correct: must be true or false"],
     lambda d: q0(d)["options"][0].update(correct="yes"))
case("missing_steps.json", ['missing required key "steps"'], lambda d: d.pop("steps"))
case("empty_steps.json", ["/steps: must hold at least 1 entry"], lambda d: d.update(steps=[]))
case("missing_option_text.json", ["/steps/0/quiz/0/options/1: missing required key \"text\""],
     lambda d: q0(d)["options"][1].pop("text"))
case("empty_title.json", ["/title: must not be empty"], lambda d: d.update(title="  "))
case("duplicate_key.json", ["/title: duplicate key"],
     text=dump(BASE).replace('"title": "Base",', '"title": "Base",\n  "title": "Again",', 1))

# Ids and values.
case("bad_level.json", ['/level: unknown level "expert"'], lambda d: d.update(level="expert"))
case("bad_language.json", ["/language: a language is a two-letter code"],
     lambda d: d.update(language="english"))
case("bad_scenario_id.json", ["/id: a scenario id is two digits"], lambda d: d.update(id="intro"))
case("bad_step_id.json", ['/steps/0/id: "Step One" is not an id'],
     lambda d: step0(d).update(id="Step One"))
case("duplicate_step_id.json", ['/steps/1/id: step id "one" is used twice'],
     lambda d: d["steps"][1].update(id="one"))
case("duplicate_question_id.json", ['question id "q1" is used twice'],
     lambda d: d["steps"][1].update(quiz=[copy.deepcopy(q0(d))]))
case("unknown_highlight.json", ['/steps/0/highlight/0: unknown highlight id "panel.bord"',
                                'did you mean "panel.board"'],
     lambda d: step0(d).update(highlight=["panel.bord"]))
case("duplicate_highlight.json", ['/steps/0/highlight/1: "panel.board" is listed twice'],
     lambda d: step0(d).update(highlight=["panel.board", "panel.board"]))
case("glyph_missing.json", ["/steps/0/text", "U+2081", "no glyph in the UI font"],
     lambda d: step0(d).update(text="x\u2081 + x\u2082"))
case("control_character.json", ["/steps/0/title", "control character"],
     lambda d: step0(d).update(title="tab\there"))
case("markup_unclosed_bold.json", ["/steps/0/text: markup: unclosed ** (bold)"],
     lambda d: step0(d).update(text="This is **bold."))
case("markup_single_asterisk.json", ["/steps/0/text: markup: a single * is not markup"],
     lambda d: step0(d).update(text="This is *internal* covariate shift."))
case("markup_unclosed_code.json", ["/steps/0/quiz/0/prompt: markup: unclosed `"],
     lambda d: q0(d).update(prompt="Use `torch.eval( to switch"))

# Lab states.
case("bad_family.json", ['/lab/family: unknown family "batchnrom"', 'did you mean "batchnorm"'],
     lambda d: d["lab"].update(family="batchnrom"))
case("bad_shape.json", ['/lab/shape: "8by12" is not a shape'], lambda d: d["lab"].update(shape="8by12"))
case("shape_out_of_range.json", ["/lab/shape: B = 100 is out of range (1 to 64)"],
     lambda d: d["lab"].update(shape="100x12"))
case("shape_conflict.json", ['/lab/batch: "shape" already sets the layout'],
     lambda d: d["lab"].update(batch=4))
case("eps_negative.json", ["/steps/0/lab/eps: -1 is out of range"],
     lambda d: step0(d).update(lab={"eps": -1}))
case("groups_not_dividing.json", ["/steps/0/lab: the lab refuses this state", "does not divide C = 12"],
     lambda d: step0(d).update(lab={"family": "groupnorm", "groups": 5}))
case("instancenorm_matrix.json", ["/steps/0/lab: the lab refuses this state", "InstanceNorm needs spatial axes"],
     lambda d: step0(d).update(lab={"family": "instancenorm"}))
case("too_many_cells.json", ["/steps/0/lab: this state's tensor has 1048576 cells", "at most 16384"],
     lambda d: step0(d).update(lab={"shape": "64x64x16x16"}))
case("too_much_work.json", ["/steps/1/lab: replaying the scenario up to this step", "at most 4000000"],
     lambda d: (step0(d).update(lab={"shape": "64x64x4x1", "train": 150}),
                d["steps"][1].update(lab={"train": 150})))
case("focus_out_of_range.json", ["/steps/0/lab", "group 99 does not exist (there are 12)"],
     lambda d: step0(d).update(lab={"focus": 99}))
case("affine_channel_out_of_range.json", ["/steps/0/lab/affine/0/channel: channel 20 does not exist (C = 12)"],
     lambda d: step0(d).update(lab={"affine": [{"channel": 20, "gamma": 2}]}))
case("scale_example_out_of_range.json", ["/steps/0/lab/scale_examples/0/example: example 9 does not exist (B = 8)"],
     lambda d: step0(d).update(lab={"scale_examples": [{"example": 9, "factor": 2}]}))
case("cell_out_of_range.json", ["/steps/1/lab/cells/0: cell 200 is outside this step's tensor (96 cells)"],
     lambda d: d["steps"][1].update(lab={"cells": [{"index": 200, "value": 1}]}))
case("train_not_batchnorm.json", ["/steps/0/lab/train: only BatchNorm keeps running statistics to train"],
     lambda d: step0(d).update(lab={"family": "layernorm", "train": 5}))
case("eval_layernorm.json", ["the lab refuses this state", "keeps no running statistics"],
     lambda d: step0(d).update(lab={"family": "layernorm", "mode": "eval"}))

# Training views (a step's "train" object).
case("train_unknown_experiment.json", ['/steps/0/train/experiment: unknown experiment "lr_sweep"',
                                       '(expected one of: lr, batch, momentum, placement, precision, jacobian)'],
     lambda d: step0(d).update(train={"experiment": "lr_sweep"}))
case("train_unknown_key.json", ['/steps/0/train/warmpu: unknown key "warmpu"', 'did you mean "warmup"'],
     lambda d: step0(d).update(train={"experiment": "placement", "warmpu": 50}))
case("train_depth_out_of_range.json", ["/steps/0/train/depth: 65 is out of range (1 to 64)"],
     lambda d: step0(d).update(train={"experiment": "placement", "depth": 65}))
case("train_key_without_effect.json", ['/steps/1/train/warmup: "warmup" has no effect in the "lr" experiment'],
     lambda d: d["steps"][1].update(train={"experiment": "lr", "warmup": 100}))
case("train_refused_norm.json", ["/steps/0/train: the training lab refuses these settings",
                                 "the placement experiment uses layernorm or rmsnorm, not batchnorm"],
     lambda d: step0(d).update(train={"experiment": "placement", "norm": "batchnorm"}))
case("train_missing_experiment.json", ['/steps/0/train: missing required key "experiment"'],
     lambda d: step0(d).update(train={"steps": 100}))

# Tasks and conditions.
case("task_already_done.json", ["/steps/1/task/done_when: the task is already done when the step starts"],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "batch", "ge": 2}))
case("condition_unknown_key.json", ['/steps/1/task/done_when/key: unknown condition key "bacth"',
                                    'did you mean "batch"'],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "bacth", "le": 2}))
case("condition_two_comparisons.json", ["/steps/1/task/done_when: a condition on a key needs exactly one comparison"],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "batch", "le": 2, "ge": 1}))
case("condition_enum_lt.json", ['"family" is a choice: compare it with eq, ne, in or changed, not "lt"'],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "family", "lt": "layernorm"}))
case("condition_bad_value.json", ['/steps/1/task/done_when/all/1/eq: unknown family "rmsnrom"'],
     lambda d: d["steps"][1]["task"].update(done_when={"all": [{"key": "batch", "le": 2},
                                                                {"key": "family", "eq": "rmsnrom"}]}))
case("condition_empty_all.json", ["/steps/1/task/done_when/all: must hold at least 1 entry"],
     lambda d: d["steps"][1]["task"].update(done_when={"all": []}))
case("condition_not_object.json", ["/steps/1/task/done_when: a condition must be an object"],
     lambda d: d["steps"][1]["task"].update(done_when="batch <= 2"))
case("condition_changed_false.json", ['"changed" takes the value true'],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "batch", "changed": False}))
case("condition_int_type.json", ["/steps/1/task/done_when/le: must be an integer, got number 2.5"],
     lambda d: d["steps"][1]["task"].update(done_when={"key": "batch", "le": 2.5}))
case("task_missing_condition.json", ['/steps/1/task: missing required key "done_when"'],
     lambda d: d["steps"][1]["task"].pop("done_when"))

# Quizzes.
case("single_two_correct.json", ["/steps/0/quiz/0/options: a single-choice question needs exactly one correct option, got 2"],
     lambda d: q0(d)["options"][1].update(correct=True))
case("multiple_none_correct.json", ["needs at least one correct option"],
     lambda d: q0(d).update(kind="multiple", options=[{"text": "a"}, {"text": "b"}]))
case("one_option.json", ["/steps/0/quiz/0/options: must hold at least 2 entries"],
     lambda d: q0(d).update(options=[{"text": "a", "correct": True}]))
case("duplicate_option.json", ["/steps/0/quiz/0/options/1/text: the same text as an earlier option"],
     lambda d: q0(d)["options"][1].update(text="right"))
case("bad_question_kind.json", ['/steps/0/quiz/0/kind: unknown question kind "essay"'],
     lambda d: q0(d).update(kind="essay"))
NUM = {"id": "n1", "kind": "numeric", "prompt": "How many?", "explanation": "Count.",
       "answer": {"compute": {"stat": "group_count"}}, "tolerance": {"abs": 0.1}}


def numeric(change):
    def mutate(d):
        q = copy.deepcopy(NUM)
        change(q)
        step0(d)["quiz"].append(q)
    return mutate


case("numeric_group_out_of_range.json", ["/steps/0/quiz/1/answer/compute: group 12 does not exist",
                                          "has 12 groups (0 to 11)"],
     numeric(lambda q: q.update(answer={"compute": {"stat": "mean", "of": "y", "group": 12}})))
case("numeric_running_wrong_family.json", ["only BatchNorm keeps running statistics, this step uses LayerNorm"],
     lambda d: (step0(d).update(lab={"family": "layernorm"}),
                numeric(lambda q: q.update(answer={"compute": {"stat": "running_var", "channel": 0}}))(d)))
case("numeric_no_tolerance.json", ['/steps/0/quiz/1: missing required key "tolerance"'],
     numeric(lambda q: q.pop("tolerance")))
case("numeric_zero_tolerance.json", ['/steps/0/quiz/1/tolerance: give "abs" or "rel"'],
     numeric(lambda q: q.update(tolerance={"abs": 0})))
case("numeric_value_and_compute.json", ['/steps/0/quiz/1/answer: give exactly one of "value"'],
     numeric(lambda q: q.update(answer={"value": 3, "compute": {"stat": "group_count"}})))
case("numeric_bad_stat.json", ['/steps/0/quiz/1/answer/compute/stat: unknown statistic "median"'],
     numeric(lambda q: q.update(answer={"compute": {"stat": "median", "of": "y", "group": 0}})))
case("numeric_missing_of.json", ['/steps/0/quiz/1/answer/compute: missing required key "of"'],
     numeric(lambda q: q.update(answer={"compute": {"stat": "mean", "group": 0}})))
case("numeric_options.json", ['/steps/0/quiz/1/options: unknown key "options"'],
     numeric(lambda q: q.update(options=[{"text": "a"}])))
case("compute_with_task.json", ["/steps/1/quiz/0/answer/compute: a numeric answer computed from the lab cannot share a step with a task"],
     lambda d: d["steps"][1].update(quiz=[copy.deepcopy(NUM)]))

# File names (checked when loading from a file named like a bundled scenario).
case("07_misnamed.json", ['/id: the id "99_base" must match the file name "07_misnamed"'], lambda d: None)

# Lab text.
LAB_TEXT = json.load(open(os.path.join(HERE, "..", "..", "..", "scenarios", "lab_text.json"), encoding="utf-8"))


def lab_text_case(name, expected, mutate):
    doc = copy.deepcopy(LAB_TEXT)
    doc.pop("$schema", None)
    mutate(doc)
    cases[name] = (dump(doc), expected)


lab_text_case("lab_text_missing_family.json", ['/families: missing family "dyt"'],
              lambda d: d["families"].pop("dyt"))
lab_text_case("lab_text_unknown_diagnosis.json", ['/diagnoses/tiny_batches: unknown diagnosis "tiny_batches"',
                                                  'did you mean "tiny_batch"'],
              lambda d: d["diagnoses"].update(tiny_batches=d["diagnoses"].pop("tiny_batch")))
lab_text_case("lab_text_wrong_shape.json", ['/shapes/1/sequence: "(B,)" disagrees with the kernels'],
              lambda d: d["shapes"][1].update(sequence="(B,)"))
lab_text_case("lab_text_try_next_refused.json", ["/families/batchnorm/try_next/0/lab: the lab refuses this state"],
              lambda d: d["families"]["batchnorm"]["try_next"][0].update(lab={"family": "instancenorm"}))


def main():
    for f in os.listdir(HERE):
        if f.endswith(".json"):
            os.remove(os.path.join(HERE, f))
    manifest = {}
    for name, (text, expected) in sorted(cases.items()):
        with open(os.path.join(HERE, name), "w", encoding="utf-8", errors="surrogateescape") as out:
            out.write(text)
        manifest[name] = expected
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as out:
        out.write(json.dumps({"comment": "file -> substrings its errors must contain; made by make_corpus.py",
                              "cases": manifest}, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases")


main()
