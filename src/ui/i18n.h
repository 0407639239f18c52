// ui/i18n.h: the UI's own strings in the learner's language. English source strings are the
// keys (tr("Play")); the translation comes from scenarios/ui_text.LANG.json, loaded by the
// scenario room. A key without a translation shows the English, never an empty label.
// Widget labels go through tr_id so the ImGui id stays the English key in every language
// ("Reproducir###Play"): open headers, tabs and tests do not depend on the language.
// Must not know where the table comes from (the app loads it into UiState::strings).
#pragma once

#include "scenario/ui_text.h"
#include "sim/families.h"

namespace normlab::ui {

// Makes `text` the table tr() reads (null: English). Like ImGui's current context, one table
// is current at a time; ui::draw sets it from UiState at the start of every frame.
void set_translations(const scenario::UiText* text);

// The translation of an English literal (a printf format keeps its conversions), or the
// literal itself. The pointer stays valid until the next set_translations with another table.
const char* tr(const char* english);

// A widget label: "translation###key" where key is the English literal, so the id does not
// change with the language. "Label##id" translates "Label" and keeps "##id" in the id.
const char* tr_id(const char* english);

// The phrases of sim::describe_group / describe_cell ("feature 3 across the batch") in the
// current language.
sim::DescribeWords describe_words();

} // namespace normlab::ui
