// ui/i18n.cpp: see i18n.h. Labels are built once per key and language and cached, so tr_id
// costs a hash lookup per widget per frame and returns a pointer ImGui can keep for the frame.
#include "ui/i18n.h"

#include <string>
#include <unordered_map>

namespace normlab::ui {

namespace {

const scenario::UiText* g_text = nullptr;                  // current table; null: English
std::unordered_map<std::string, std::string> g_labels;    // tr_id results for g_text

} // namespace

void set_translations(const scenario::UiText* text) {
    if (text == g_text) return;
    g_text = text;
    g_labels.clear();
}

const char* tr(const char* english) {
    if (!g_text) return english;
    const auto it = g_text->strings.find(std::string_view(english));
    return it == g_text->strings.end() ? english : it->second.c_str();
}

const char* tr_id(const char* english) {
    const auto it = g_labels.find(english);
    if (it != g_labels.end()) return it->second.c_str();
    const std::string key = english;
    const std::size_t hashes = key.find("##");
    const std::string visible = key.substr(0, hashes);
    std::string label;
    if (visible.empty()) label = key;   // "##hidden": no text to translate
    else label = std::string(tr(visible.c_str())) + "###" + key;
    return g_labels.emplace(key, std::move(label)).first->second.c_str();
}

sim::DescribeWords describe_words() {
    sim::DescribeWords w;
    w.feature = tr("feature");
    w.channel = tr("channel");
    w.features = tr("features");
    w.channels = tr("channels");
    w.across_batch = tr("%s %zu across the batch");
    w.example = tr("example %zu");
    w.example_token = tr("example %zu, token %zu");
    w.example_group = tr("example %zu, group %zu (%s %zu–%zu)");
    w.example_channel = tr("example %zu, %s %zu");
    w.cell_2d = tr("example %zu, feature %zu");
    w.cell_3d = tr("example %zu, token %zu, feature %zu");
    w.cell_4d = tr("example %zu, channel %zu, (h %zu, w %zu)");
    return w;
}

} // namespace normlab::ui
