// tests/scenario/scenario_test_util.h: where the scenario tests find their files, natively
// (the source tree) and under Node (scenarios/ and tests/data/ embedded at / by CMake).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace normlab::test {

inline std::string test_data_dir() {
    return NORMLAB_TEST_DATA_DIR;
}
inline std::string scenario_dir() {
    return std::string(NORMLAB_TEST_DATA_DIR) + "/../../scenarios";
}
inline std::string bad_dir() {
    return std::string(NORMLAB_TEST_DATA_DIR) + "/scenarios_bad";
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The .json files of a folder, sorted, without `skip`.
inline std::vector<std::string> json_files(const std::string& dir,
                                           const std::vector<std::string>& skip = {}) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() == ".json" &&
            std::find(skip.begin(), skip.end(), name) == skip.end())
            out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace normlab::test
