#include "cli/arch_argument.h"

#include <fstream>
#include <sstream>

#include "base/error.h"
#include "base/file_io.h"
#include "space/architecture_codec.h"
#include "space/scaling.h"
#include "space/zoo.h"

namespace mnas::cli {
namespace {

constexpr size_t kMaxFileBytes = 16 << 20;  // architecture files are kilobytes

Architecture parse_file_contents(const std::string& path, const std::string& contents) {
  const size_t first = contents.find_first_not_of(" \t\r\n");
  try {
    if (first != std::string::npos && contents[first] != '{' && contents[first] != '[') {
      const size_t last = contents.find_last_not_of(" \t\r\n");
      return parse_architecture_string(std::string_view(contents).substr(first, last - first + 1));
    }
    return parse_architecture_json(contents);
  } catch (const Error& e) {
    throw Error("architecture file '" + path + "': " + e.what(), e.kind());
  }
}

}  // namespace

ResolvedArch resolve_arch(const std::string& text, const ArchAdjustments& adjust) {
  ResolvedArch out;
  if (is_zoo_name(text)) {
    ZooOptions options;
    if (adjust.input) options.input = *adjust.input;
    if (adjust.classes) options.classes = *adjust.classes;
    options.multiplier = adjust.multiplier;
    out.arch = zoo_model(text, options);
    out.label = text;
    return out;
  }
  if (!text.empty() && text[0] == '@') {
    const std::string path = text.substr(1);
    if (path.empty()) throw Error("ARCH: '@' must be followed by a file name");
    out.arch = parse_file_contents(path, read_whole_file(path, "architecture file", kMaxFileBytes));
    out.label = path;
  } else if (text.find('=') != std::string::npos) {
    out.arch = parse_architecture_string(text);
    out.label = "canonical string";
  } else if (!text.empty() && text[0] == '|') {
    throw Error("ARCH: '" + text.substr(0, 120) +
                "' is a NAS-Bench-201 cell (a table space, --space nb201): its accuracy and "
                "latency are looked up in the table; there is no network to build, train, time "
                "or export. Give an architecture of MnasNet's space");
  } else {
    std::string known;
    for (const std::string& n : zoo_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("ARCH: '" + text + "' is not a zoo model (" + known +
                "), a canonical architecture string (input=...:stem=...:blocks=...) or @FILE");
  }
  if (adjust.input) out.arch.input = *adjust.input;
  if (adjust.classes) out.arch.classes = *adjust.classes;
  if (adjust.multiplier != 1.0) out.arch = scale_depth(out.arch, adjust.multiplier);
  validate(out.arch);
  return out;
}

void add_arch_options(CLI::App* cmd, ArchOptions& o) {
  std::string zoo;
  for (const std::string& n : zoo_names()) zoo += (zoo.empty() ? "" : ", ") + n;
  cmd->add_option("ARCH", o.arch,
                  "A zoo model (" + zoo +
                      "), a canonical architecture string (input=...:stem=...:blocks=...), or "
                      "@FILE holding its JSON or string form")
      ->required();
  cmd->add_option("--input", o.input,
                  "Input shape HxWxC (default: the architecture's own; 224x224x3 for zoo models)");
  cmd->add_option("--classes", o.classes,
                  "Number of classes (default: the architecture's own; 1000 for zoo models)");
  cmd->add_option("--multiplier", o.multiplier,
                  "Width multiplier (MnasNet's \"depth multiplier\"): the stem's and blocks' "
                  "channels, rounded to multiples of 8 (default 1.0)");
}

ArchAdjustments adjustments(const ArchOptions& o) {
  ArchAdjustments a;
  if (!o.input.empty()) a.input = parse_input_shape(o.input, "--input");
  a.classes = o.classes;
  validate_multiplier(o.multiplier, "--multiplier");
  a.multiplier = o.multiplier;
  return a;
}

}  // namespace mnas::cli
