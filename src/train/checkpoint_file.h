#ifndef MNAS_TRAIN_CHECKPOINT_FILE_H_
#define MNAS_TRAIN_CHECKPOINT_FILE_H_

#include <string>
#include <string_view>

namespace mnas {

// The framing of a checkpoint file, torch-free (the archive inside is LibTorch's): a 24-byte
// header — "MNASCKPT", version 2, the archive's CRC-32 and its length, little-endian — then the
// archive. The checksum catches a flipped byte that the archive itself would not notice.

// Whether a file starting with `first_bytes` (at least 8 when the file has them) is an mnas
// checkpoint: framed, or from before the frame (a bare zip archive).
bool looks_like_checkpoint(std::string_view first_bytes);

// `archive` with its header in front: the bytes of a checkpoint file.
std::string frame_checkpoint(std::string_view archive);

// The archive inside a checkpoint file's `bytes` once its header is checked (version, length,
// checksum); a file from before the header (a bare archive, not starting with the magic) is
// returned whole. Throws mnas::Error naming `path`: newer version, truncated, damaged.
std::string_view checkpoint_archive(std::string_view bytes, const std::string& path);

}  // namespace mnas

#endif  // MNAS_TRAIN_CHECKPOINT_FILE_H_
