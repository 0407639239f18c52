// ui/panel_share.cpp: the classroom and embedding row: fullscreen, projector mode, a link
// that reopens this exact state, and the iframe snippet for course pages; plus the popups
// they open (the "open in a new tab" offer when the framing page forbids fullscreen).
// Knows nothing of the browser: the app fills share_url/embed_url and the fullscreen flags
// each frame and wires the hooks to the platform. Also owns the lock/hide lookups.
#include <algorithm>
#include <string>

#include "imgui.h"
#include "ui/i18n.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace normlab::ui {

bool area_locked(const UiState& state, const char* id) {
    return std::find(state.locked.begin(), state.locked.end(), id) != state.locked.end();
}

bool area_hidden(const UiState& state, const char* id) {
    return std::find(state.hidden.begin(), state.hidden.end(), id) != state.hidden.end();
}

std::string embed_snippet(const std::string& url) {
    std::string src;   // an attribute value: & must be escaped
    for (char c : url) src += c == '&' ? std::string("&amp;") : c == '"' ? std::string("&quot;") : std::string(1, c);
    return "<iframe src=\"" + src +
           "\"\n  title=\"NormLab: which cells are normalized together?\"\n"
           "  style=\"width:100%;height:auto;aspect-ratio:16/10;min-height:480px;border:0\"\n"
           "  allow=\"fullscreen; clipboard-write\" allowfullscreen loading=\"lazy\"></iframe>";
}

namespace {

const char* fullscreen_label(const UiState& state) {
    return state.fullscreen_active ? tr_id("Exit fullscreen##fullscreen") : tr_id("Fullscreen##fullscreen");
}
const char* projector_label(const UiState& state) {
    return state.projector ? tr_id("Projector: on##projector") : tr_id("Projector##projector");
}

// A read-only, selectable line of text (the link), so it can be copied by hand where the
// clipboard is not available.
void selectable_text(const char* id, const std::string& text, float width) {
    ImGui::SetNextItemWidth(width);
    ImGui::InputText(id, const_cast<char*>(text.c_str()), text.size() + 1, ImGuiInputTextFlags_ReadOnly);
}

float popup_width() {
    return std::min(ImGui::GetFontSize() * 30.f, ImGui::GetIO().DisplaySize.x - 24.f);
}

void new_tab_popup(UiState& state) {
    if (state.offer_new_tab) {
        ImGui::OpenPopup(tr_id("Fullscreen is not available here"));
        state.offer_new_tab = false;
    }
    const float w = popup_width();
    ImGui::SetNextWindowSize(ImVec2(w, 0));
    if (!ImGui::BeginPopupModal(tr_id("Fullscreen is not available here"), nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(tr("The page around NormLab does not let it fill the screen. Open it in a new tab "
                           "instead: the tab starts exactly where you are now."));
    ImGui::PopTextWrapPos();
    selectable_text("##newtab", state.share_url, -1);
    if (ImGui::Button(tr_id("Open in a new tab"))) {
        if (state.open_tab) state.open_tab(state.share_url);
        ImGui::CloseCurrentPopup();
    }
    remember_item(state, "share.open_tab");
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Cancel"))) ImGui::CloseCurrentPopup();
    remember_item(state, "share.cancel");
    ImGui::EndPopup();
}

void link_popup(UiState& state) {
    if (state.open_share_popup) {
        ImGui::OpenPopup(tr_id("Link to this view"));
        state.open_share_popup = false;
    }
    ImGui::SetNextWindowSize(ImVec2(popup_width(), 0));
    if (!ImGui::BeginPopupModal(tr_id("Link to this view"), nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(tr("Copied. The link reopens NormLab with this family, shape, data, settings and "
                           "walkthrough step. Cells you edited by hand, scaled examples, pasted tensors and "
                           "trained running statistics are not part of it."));
    ImGui::PopTextWrapPos();
    selectable_text("##link", state.share_url, -1);
    if (ImGui::Button(tr_id("Close"))) ImGui::CloseCurrentPopup();
    remember_item(state, "share.close");
    ImGui::EndPopup();
}

void embed_popup(UiState& state) {
    if (state.open_embed_popup) {
        ImGui::OpenPopup(tr_id("Embed NormLab in a course page"));
        state.open_embed_popup = false;
    }
    ImGui::SetNextWindowSize(ImVec2(popup_width(), 0));
    if (!ImGui::BeginPopupModal(tr_id("Embed NormLab in a course page"), nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
    const std::string snippet = embed_snippet(state.embed_url);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(tr("Paste this into the page. It opens in the current state, without the title bar. "
                           "Add lock=settings or hide=guide to the address to fix what learners may change "
                           "(the teacher guide lists the options)."));
    ImGui::PopTextWrapPos();
    ImGui::InputTextMultiline("##snippet", const_cast<char*>(snippet.c_str()), snippet.size() + 1,
                              ImVec2(-1, ImGui::GetTextLineHeight() * 6), ImGuiInputTextFlags_ReadOnly);
    if (ImGui::Button(tr_id("Copy"))) {
        if (state.copy_text) state.copy_text(snippet);
        state.copied = snippet;
    }
    remember_item(state, "share.copy_snippet");
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Close"))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

} // namespace

float share_bar_width(const UiState& state) {
    const ImGuiStyle& s = ImGui::GetStyle();
    float w = 0;
    for (const char* label : {fullscreen_label(state), projector_label(state), tr_id("Copy link"), tr_id("Embed")})
        w += ImGui::CalcTextSize(label, nullptr, /*hide_text_after_double_hash=*/true).x + s.FramePadding.x * 2 +
             s.ItemSpacing.x;
    return w - s.ItemSpacing.x;
}

// Keeps the next button on this row when it fits, else starts a new row (a phone in Spanish
// has no room for all four).
void same_line_if_fits(const char* next_label) {
    const ImGuiStyle& s = ImGui::GetStyle();
    const float next = ImGui::CalcTextSize(next_label, nullptr, true).x + s.FramePadding.x * 2;
    const float right = ImGui::GetItemRectMax().x + s.ItemSpacing.x + next;
    if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
}

void panel_share(UiState& state) {
    state.item_rects.clear();
    if (!area_hidden(state, "share")) {
        state.drawn_areas.emplace_back("share", area_locked(state, "share"));
        ImGui::BeginDisabled(area_locked(state, "share"));
        if (ImGui::Button(fullscreen_label(state)) && state.toggle_fullscreen) state.toggle_fullscreen();
        remember_item(state, "share.fullscreen");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", state.fullscreen_enabled ? tr("Fill the screen (F)")
                                                             : tr("This frame may not fill the screen: offers a new tab"));
        same_line_if_fits(projector_label(state));
        if (ImGui::Button(projector_label(state))) state.projector = !state.projector;
        remember_item(state, "share.projector");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("Larger text and higher contrast for a classroom projector"));
        same_line_if_fits(tr_id("Copy link"));
        if (ImGui::Button(tr_id("Copy link"))) {
            if (state.copy_text) state.copy_text(state.share_url);
            state.copied = state.share_url;
            state.open_share_popup = true;
        }
        remember_item(state, "share.copy_link");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("A link that reopens NormLab exactly as it is now"));
        same_line_if_fits(tr_id("Embed"));
        if (ImGui::Button(tr_id("Embed"))) state.open_embed_popup = true;
        remember_item(state, "share.embed");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("The snippet that puts NormLab into a course page"));
        ImGui::EndDisabled();
    }
    // The popups open from the keyboard too (F in a frame that forbids fullscreen).
    new_tab_popup(state);
    link_popup(state);
    embed_popup(state);
}

} // namespace normlab::ui
