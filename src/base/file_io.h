#ifndef MNAS_BASE_FILE_IO_H_
#define MNAS_BASE_FILE_IO_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace mnas {

// All of `path`, a regular file (a symbolic link to one is followed). `what` names the file in
// messages ("search space file"). The size is checked before anything is read. Throws
// mnas::Error: kIo when it cannot be read ("<what> '<path>': cannot be read (...)"),
// kInvalidInput when it is a directory, a device or a pipe, or larger than `max_bytes`.
std::string read_whole_file(const std::string& path, const std::string& what,
                            size_t max_bytes = size_t{1} << 30);

// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a reader (or a
// process killed half-way) never sees half a file. Only a new path or a regular file is written:
// a directory, a device, a pipe or a symbolic link at `path` is refused (kInvalidInput), never
// replaced. The temporary file is removed on failure. Throws mnas::Error (kIo otherwise) naming
// `what` and `path`.
void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what);

// Whether `path` names something (a broken symbolic link does not), found without opening it:
// opening a pipe to test it would wait for a writer.
bool path_exists(const std::string& path);

// Throws mnas::Error (kInvalidInput) "<field>: '<path>' is a pipe (a directory, a device, ...),
// not <what>" when `path` exists and is not a regular file (symbolic links followed), before
// anything opens it; a regular file or a new path passes.
void refuse_special_file(const std::string& path, const std::string& field,
                         const std::string& what);

// Refuses to write `output` over a file the same command reads: throws mnas::Error
// (kInvalidInput) naming `output_field` and the input when `output` names the same file as one of
// `inputs` ({field, path}) — the same device and inode, so a hard or symbolic link to an input, or
// another spelling of its path, counts; an output that does not exist yet is refused only under
// an input's very path (a file the command creates first, such as a new store).
void refuse_output_over_input(const std::string& output, const std::string& output_field,
                              const std::vector<std::pair<std::string, std::string>>& inputs);

// `path` with its extension replaced by (or, without one, followed by) `extension`:
// ("search.db", ".html") -> "search.html"; ("runs/a", ".html") -> "runs/a.html"; a dot in a
// folder's name or a leading dot is not an extension.
std::string sibling_path(const std::string& path, const std::string& extension);

}  // namespace mnas

#endif  // MNAS_BASE_FILE_IO_H_
