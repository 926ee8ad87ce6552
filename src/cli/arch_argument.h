#ifndef MNAS_CLI_ARCH_ARGUMENT_H_
#define MNAS_CLI_ARCH_ARGUMENT_H_

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "space/architecture.h"

namespace mnas::cli {

// How an ARCH argument was given, for messages and output.
struct ResolvedArch {
  Architecture arch;
  std::string label;  // the zoo name, "canonical string" or the file name
};

// Options that adjust an ARCH argument (each unset = leave the architecture's own).
struct ArchAdjustments {
  std::optional<InputShape> input;  // zoo models default to 224x224x3
  std::optional<int> classes;       // zoo models default to 1000
  double multiplier = 1.0;          // depth multiplier (stem and blocks; head kept)
};

// ARCH is one of:
//   a zoo name      ("mnasnet-a1"; see `mnas describe --help`)
//   a canonical architecture string ("input=224x224x3:stem=s22_o32:blocks=...")
//   @FILE           a file holding the JSON form or a canonical string
// Throws mnas::Error naming what is wrong (kIo when the file cannot be read).
ResolvedArch resolve_arch(const std::string& text, const ArchAdjustments& adjust);

// The ARCH positional and the options that adjust it, as every command that takes one declares
// them: ARCH, --input, --classes, --multiplier.
struct ArchOptions {
  std::string arch;
  std::string input;
  std::optional<int> classes;
  double multiplier = 1.0;
};

// Declares ARCH (required) and the three options on `cmd`; `options` must outlive `cmd`.
void add_arch_options(CLI::App* cmd, ArchOptions& options);

// The adjustments the options ask for; throws mnas::Error naming a bad --input or --multiplier.
ArchAdjustments adjustments(const ArchOptions& options);

}  // namespace mnas::cli

#endif  // MNAS_CLI_ARCH_ARGUMENT_H_
