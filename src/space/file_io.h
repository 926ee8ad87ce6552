#ifndef MNAS_SPACE_FILE_IO_H_
#define MNAS_SPACE_FILE_IO_H_

#include <cstddef>
#include <string>

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

// `path` with its extension replaced by (or, without one, followed by) `extension`:
// ("search.db", ".html") -> "search.html"; ("runs/a", ".html") -> "runs/a.html"; a dot in a
// folder's name or a leading dot is not an extension.
std::string sibling_path(const std::string& path, const std::string& extension);

}  // namespace mnas

#endif  // MNAS_SPACE_FILE_IO_H_
