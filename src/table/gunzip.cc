#include "table/gunzip.h"

#include <zlib.h>

#include "base/error.h"

namespace mnas {

std::string gunzip(std::string_view gz, const std::string& source, size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw Error(source + ": cannot start inflating");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buffer[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) break;
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      throw Error(source + ": more than " + std::to_string(max_bytes) + " bytes once unzipped");
    }
    if (status == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // input ended early
  }
  inflateEnd(&z);
  if (status != Z_STREAM_END) throw Error(source + ": a damaged or truncated gzip stream");
  return out;
}

}  // namespace mnas
