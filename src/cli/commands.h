// cli/commands.h: the `normlab` subcommand table's entries and the conventions they share.
// Owns: exit codes, the Command record, one run/help pair per subcommand. A new subcommand
// (validate, gradcheck, train) is one cmd_<name>.cpp plus one row in main.cpp's table.
// Knows nothing of UI or platform. Convention: a subcommand writes its result to stdout and
// every problem as ONE line starting "normlab: " on stderr.
#pragma once

#include <cstdio>

namespace normlab::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2; // bad arguments or bad input: the caller must fix something

struct Command {
    const char* name = "";
    const char* summary = "";                    // one line for `normlab --help`
    int (*run)(int argc, char** argv) = nullptr; // argv[0] is the subcommand name
    void (*help)(std::FILE* out) = nullptr;      // `normlab help <name>`, `<name> --help`
};

int run_normalize(int argc, char** argv);
void help_normalize(std::FILE* out);

int run_gradcheck(int argc, char** argv);
void help_gradcheck(std::FILE* out);

int run_validate(int argc, char** argv);
void help_validate(std::FILE* out);

int run_train(int argc, char** argv);
void help_train(std::FILE* out);

} // namespace normlab::cli
