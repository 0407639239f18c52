// cli/main.cpp: the `normlab` command-line tool, the headless product of NormLab.
// Owns: the subcommand table and the top-level dispatch (help, unknown commands).
// Each subcommand lives in its own cmd_<name>.cpp and is reached only through kCommands.
#include <cstdio>
#include <cstring>

#include "cli/commands.h"

namespace normlab::cli {
namespace {

constexpr Command kCommands[] = {
    {.name = "normalize",
     .summary = "read one JSON object on stdin, write y and per-group stats as JSON",
     .run = run_normalize,
     .help = help_normalize},
    {.name = "gradcheck",
     .summary = "check a family's analytic backward against finite differences; one JSON line",
     .run = run_gradcheck,
     .help = help_gradcheck},
    {.name = "validate",
     .summary = "check scenario and lab-text files (scenarios/*.json); errors with line:column",
     .run = run_validate,
     .help = help_validate},
    {.name = "train",
     .summary = "train a small network with a chosen norm on a synthetic task; JSON last line",
     .run = run_train,
     .help = help_train},
};

const Command* find_command(const char* name) {
    for (const Command& c : kCommands)
        if (std::strcmp(c.name, name) == 0) return &c;
    return nullptr;
}

void print_usage(std::FILE* out) {
    std::fputs("usage: normlab <command> [--help]\n\n"
               "NormLab's headless tool: the same normalization kernels as the web lab.\n\n"
               "commands:\n",
               out);
    for (const Command& c : kCommands)
        std::fprintf(out, "  %-11s %s\n", c.name, c.summary);
    std::fputs("  help        this text, or `normlab help <command>` for one command\n\n"
               "exit codes: 0 ok, 2 bad arguments or bad input (one \"normlab: \" line on "
               "stderr)\n",
               out);
}

bool is_help_flag(const char* arg) {
    return std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0;
}

int dispatch(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return kExitUsage;
    }
    const char* name = argv[1];
    if (is_help_flag(name) || std::strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_usage(stdout);
            return kExitOk;
        }
        const Command* topic = find_command(argv[2]);
        if (!topic) {
            std::fprintf(stderr,
                         "normlab: no help for unknown command \"%s\" (try normlab --help)\n",
                         argv[2]);
            return kExitUsage;
        }
        topic->help(stdout);
        return kExitOk;
    }
    const Command* command = find_command(name);
    if (!command) {
        std::fprintf(stderr, "normlab: unknown command \"%s\" (try normlab --help)\n", name);
        return kExitUsage;
    }
    if (argc >= 3 && is_help_flag(argv[2])) {
        command->help(stdout);
        return kExitOk;
    }
    return command->run(argc - 1, argv + 1);
}

} // namespace
} // namespace normlab::cli

int main(int argc, char** argv) {
    return normlab::cli::dispatch(argc, argv);
}
