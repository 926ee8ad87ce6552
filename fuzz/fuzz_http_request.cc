// libFuzzer: the bytes a client sends mnas-device, through the request reader (serve/
// http_request.h). The first byte sets the piece size the bytes arrive in; every outcome is a
// request, a wait for more, or a refusal with a status a server answers; what the reader holds
// never exceeds its limits; the same bytes in one piece give the same outcome.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "serve/http_request.h"

namespace {

using mnas::HttpRequestReader;

struct Outcome {
  std::vector<std::string> requests;  // method, path and body of each complete request
  int refused = 0;                    // the status of a refusal, 0: none
};

Outcome read_all(const std::string& bytes, size_t piece, const mnas::HttpLimits& limits) {
  Outcome out;
  HttpRequestReader reader(limits);
  std::string buffer;
  for (size_t at = 0; at <= bytes.size() && out.refused == 0; at += piece) {
    buffer.append(bytes, at, piece);
    for (;;) {
      const HttpRequestReader::State state = reader.read(buffer);
      if (buffer.size() > limits.max_head_bytes + piece + 2 &&
          state == HttpRequestReader::State::kHead) {
        std::abort();  // the reader let a head grow past its limit
      }
      if (reader.request().body.size() > limits.max_body_bytes) std::abort();
      if (state == HttpRequestReader::State::kFailed) {
        const int s = reader.error_status();
        if (s != 400 && s != 413 && s != 417 && s != 431 && s != 501 && s != 505) std::abort();
        if (reader.error_message().empty()) std::abort();
        out.refused = s;
        break;
      }
      if (state != HttpRequestReader::State::kDone) break;
      const mnas::HttpRequest& r = reader.request();
      out.requests.push_back(r.method + " " + r.path + " " + r.body);
      reader.reset();
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 64;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  mnas::HttpLimits limits;
  limits.max_head_bytes = 512;  // small limits, so that the fuzzer reaches them
  limits.max_headers = 8;
  limits.max_body_bytes = 256;
  const Outcome pieces = read_all(bytes, piece, limits);
  const Outcome whole = read_all(bytes, bytes.size() + 1, limits);
  if (pieces.requests != whole.requests || pieces.refused != whole.refused) std::abort();
  return 0;
}
