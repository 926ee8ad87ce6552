#ifndef MNAS_SERVE_HTTP_REQUEST_H_
#define MNAS_SERVE_HTTP_REQUEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mnas {

// What one HTTP request may spend of the server's memory before it is refused.
struct HttpLimits {
  size_t max_head_bytes = 16384;            // request line + headers; Default: 16 KiB (431 beyond)
  size_t max_headers = 100;                 // header lines; Default: 100 (431 beyond)
  size_t max_body_bytes = size_t{1} << 20;  // Content-Length or chunked; Default: 1 MiB (413)
};

// A request's head as read: the method, the decoded path (query dropped), the headers.
struct HttpRequest {
  std::string method;
  std::string path;  // percent-decoded; "?query" dropped
  bool http10 = false;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  // The value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  bool keep_alive() const;       // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool expects_continue() const;  // "Expect: 100-continue"
};

// Reads one HTTP/1.x request at a time from the bytes a connection delivers, bounded before it
// buffers: the head must end within `max_head_bytes`, a body (Content-Length or chunked) within
// `max_body_bytes`, and a malformed request is refused with the status a server answers (400;
// 413 body too large, 431 head too large, 501 a transfer coding other than chunked, 505 another
// HTTP version, 417 another expectation) and a message naming what was wrong. Pipelined bytes
// after a complete request stay in the buffer for the next one.
class HttpRequestReader {
 public:
  enum class State {
    kHead,  // more bytes needed for the head
    kBody,  // the head is read (request().method, path, headers valid); more body bytes needed
    kDone,  // request() is whole
    kFailed,
  };

  explicit HttpRequestReader(HttpLimits limits = {}) : limits_(limits) {}

  // Consumes what it can of `buffer` (erasing the consumed bytes) and returns the state. Call it
  // again as bytes arrive; in kDone or kFailed it consumes nothing.
  State read(std::string& buffer);
  // Ready for the next request on the same connection.
  void reset();

  State state() const { return state_; }
  const HttpRequest& request() const { return request_; }
  HttpRequest take_request() { return std::move(request_); }
  // In kFailed: the HTTP status to answer and what was wrong ("header 'X': ...").
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // True once any byte of the current request has been seen (an idle connection has none).
  bool started() const { return started_; }

 private:
  State fail(int status, std::string message);
  State read_head(std::string& buffer);
  State read_chunked(std::string& buffer);

  HttpLimits limits_;
  State state_ = State::kHead;
  HttpRequest request_;
  int error_status_ = 0;
  std::string error_message_;
  bool started_ = false;
  bool chunked_ = false;
  size_t content_length_ = 0;
  // Chunked decoding: bytes left of the current chunk's data, and where we are.
  enum class ChunkPart { kSize, kData, kDataEnd, kTrailer } chunk_part_ = ChunkPart::kSize;
  size_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
};

// The status line's reason phrase for the statuses mnas-device answers ("Bad Request", ...).
const char* http_reason(int status);

}  // namespace mnas

#endif  // MNAS_SERVE_HTTP_REQUEST_H_
