#include "train/checkpoint_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

#include "base/error.h"

namespace mnas {
namespace {

constexpr std::string_view kMagic("MNASCKPT", 8);
constexpr size_t kHeader = 24;
constexpr uint64_t kVersion = 2;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
  return v;
}

uint32_t checksum(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t at = 0;
  while (at < bytes.size()) {  // crc32 takes a uInt length
    const size_t n = std::min<size_t>(bytes.size() - at, size_t{1} << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(n));
    at += n;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

bool looks_like_checkpoint(std::string_view first_bytes) {
  return first_bytes.substr(0, kMagic.size()) == kMagic ||
         first_bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

std::string frame_checkpoint(std::string_view archive) {
  std::string out(kMagic);
  put_le(out, kVersion, 4);
  put_le(out, checksum(archive), 4);
  put_le(out, archive.size(), 8);
  out.append(archive);
  return out;
}

std::string_view checkpoint_archive(std::string_view bytes, const std::string& path) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return bytes;  // a bare archive from before
  if (bytes.size() < kHeader) {
    throw Error("checkpoint '" + path + "': truncated (" + std::to_string(bytes.size()) +
                " bytes; the header alone is " + std::to_string(kHeader) + ")");
  }
  const uint64_t version = get_le(bytes, 8, 4);
  if (version != kVersion) {
    throw Error("checkpoint '" + path + "': version " + std::to_string(version) +
                " (written by a newer mnas?)");
  }
  const std::string_view archive = bytes.substr(kHeader);
  const uint64_t length = get_le(bytes, 16, 8);
  if (length != archive.size()) {
    throw Error(
        "checkpoint '" + path + "': " +
        (archive.size() < length ? std::string("truncated") : std::string("trailing data")) + " (" +
        std::to_string(archive.size()) + " of " + std::to_string(length) + " bytes)");
  }
  if (checksum(archive) != get_le(bytes, 12, 4)) {
    throw Error("checkpoint '" + path + "': damaged (the checksum does not match)");
  }
  return archive;
}

}  // namespace mnas
