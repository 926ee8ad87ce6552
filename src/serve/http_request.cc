#include "serve/http_request.h"

#include <cctype>

#include "base/printable.h"

namespace mnas {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// RFC 9110's token characters (methods, header names).
bool is_token_char(unsigned char c) {
  if (std::isalnum(c)) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == static_cast<unsigned char>(t)) return true;
  }
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "/a%20b?q" → "/a b"; false for a broken escape.
bool decode_path(std::string_view target, std::string& path) {
  target = target.substr(0, target.find('?'));
  path.clear();
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] != '%') {
      path += target[i];
      continue;
    }
    if (i + 2 >= target.size()) return false;
    const int high = hex_value(target[i + 1]), low = hex_value(target[i + 2]);
    if (high < 0 || low < 0) return false;
    path += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

// The end of the head (the index just past its blank line) in `buffer`, or npos. Lines end with
// CRLF or a bare LF (RFC 9112 lets a server accept the latter).
size_t head_end(const std::string& buffer, size_t limit) {
  const size_t n = std::min(buffer.size(), limit);
  for (size_t i = 0; i < n; ++i) {
    if (buffer[i] != '\n') continue;
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  return std::string::npos;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equal_ignoring_case(key, name)) return &value;
  }
  return nullptr;
}

bool HttpRequest::keep_alive() const {
  const std::string* connection = header("Connection");
  if (http10) return connection != nullptr && equal_ignoring_case(*connection, "keep-alive");
  return connection == nullptr || !equal_ignoring_case(*connection, "close");
}

bool HttpRequest::expects_continue() const {
  const std::string* expect = header("Expect");
  return expect != nullptr && equal_ignoring_case(*expect, "100-continue");
}

void HttpRequestReader::reset() {
  const HttpLimits limits = limits_;
  *this = HttpRequestReader(limits);
}

HttpRequestReader::State HttpRequestReader::fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return state_ = State::kFailed;
}

HttpRequestReader::State HttpRequestReader::read(std::string& buffer) {
  if (state_ == State::kHead) {
    // Blank lines before a request line are skipped (RFC 9112 2.2), e.g. after a body's CRLF.
    size_t blank = 0;
    while (blank < buffer.size() && (buffer[blank] == '\r' || buffer[blank] == '\n')) ++blank;
    if (blank > 0) buffer.erase(0, blank);
    if (!buffer.empty()) started_ = true;
    read_head(buffer);
  }
  if (state_ != State::kBody) return state_;
  if (chunked_) return read_chunked(buffer);
  const size_t take = std::min(buffer.size(), content_length_ - request_.body.size());
  request_.body.append(buffer, 0, take);
  buffer.erase(0, take);
  if (request_.body.size() == content_length_) state_ = State::kDone;
  return state_;
}

HttpRequestReader::State HttpRequestReader::read_head(std::string& buffer) {
  const size_t end = head_end(buffer, limits_.max_head_bytes);
  if (end == std::string::npos ? buffer.size() > limits_.max_head_bytes
                                : end > limits_.max_head_bytes) {
    return fail(431, "request: the request line and headers exceed " +
                         std::to_string(limits_.max_head_bytes) + " bytes");
  }
  if (end == std::string::npos) return state_;
  std::vector<std::string_view> lines;
  const std::string_view head(buffer.data(), end);
  for (size_t begin = 0; begin < head.size();) {
    size_t newline = head.find('\n', begin);
    std::string_view line = head.substr(begin, newline - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    begin = newline + 1;
  }
  // The request line: METHOD SP TARGET SP HTTP/1.x, nothing else.
  const std::string_view first = lines.front();
  const size_t space1 = first.find(' ');
  const size_t space2 = space1 == std::string_view::npos ? space1 : first.find(' ', space1 + 1);
  if (space2 == std::string_view::npos || first.find(' ', space2 + 1) != std::string_view::npos) {
    return fail(400, "request: the request line is not 'METHOD PATH HTTP/1.1' ('" +
                         printable(first, 80) + "')");
  }
  const std::string_view method = first.substr(0, space1);
  const std::string_view target = first.substr(space1 + 1, space2 - space1 - 1);
  const std::string_view version = first.substr(space2 + 1);
  if (!is_token(method)) return fail(400, "request: the method is not a token");
  if (version.substr(0, 5) != "HTTP/") return fail(400, "request: no HTTP version");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return fail(505, "request: " + printable(version, 16) + " is not served; use HTTP/1.1");
  }
  if (target.empty() || target.front() != '/') {
    return fail(400, "request: the path must start with '/'");
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c == 0x7f) return fail(400, "request: control characters in the path");
  }
  request_.method = std::string(method);
  request_.http10 = version == "HTTP/1.0";
  if (!decode_path(target, request_.path)) {
    return fail(400, "request: a broken %-escape in the path");
  }
  if (lines.size() - 1 > limits_.max_headers) {
    return fail(431, "request: more than " + std::to_string(limits_.max_headers) + " headers");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      return fail(400, "request: a folded header line (obsolete; send one line per header)");
    }
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !is_token(name)) {
      return fail(400, "request: a header line that is not 'Name: value' ('" +
                           printable(line.substr(0, 40), 40) + "')");
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (unsigned char c : value) {
      // NUL, CR, LF and other controls are never part of a field value (RFC 9110 5.5): a token
      // followed by a NUL and junk must not pass for the token.
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return fail(400, "header '" + printable(name, 40) + "': control characters in its value");
      }
    }
    request_.headers.emplace_back(std::string(name), std::string(value));
  }
  buffer.erase(0, end);

  // The body's framing: Content-Length or chunked, never both (a request-smuggling vector).
  const std::string* length = nullptr;
  for (const auto& [key, value] : request_.headers) {
    if (!equal_ignoring_case(key, "Content-Length")) continue;
    if (length != nullptr && *length != value) {
      return fail(400, "header 'Content-Length': given twice with different values");
    }
    length = &value;
  }
  const std::string* coding = request_.header("Transfer-Encoding");
  if (coding != nullptr) {
    if (length != nullptr) {
      return fail(400, "request: both Content-Length and Transfer-Encoding; send one");
    }
    if (!equal_ignoring_case(*coding, "chunked")) {
      return fail(501, "header 'Transfer-Encoding': only 'chunked' is served");
    }
    chunked_ = true;
  } else if (length != nullptr) {
    if (length->empty() || length->size() > 19 ||
        length->find_first_not_of("0123456789") != std::string::npos) {
      return fail(400, "header 'Content-Length': not a decimal number of bytes");
    }
    content_length_ = std::stoull(*length);
    if (content_length_ > limits_.max_body_bytes) {
      return fail(413, "body: " + *length + " bytes; this device accepts at most " +
                           std::to_string(limits_.max_body_bytes));
    }
  }
  const std::string* expect = request_.header("Expect");
  if (expect != nullptr && !request_.expects_continue()) {
    return fail(417, "header 'Expect': only '100-continue' is served");
  }
  state_ = chunked_ || content_length_ > 0 ? State::kBody : State::kDone;
  return state_;
}

HttpRequestReader::State HttpRequestReader::read_chunked(std::string& buffer) {
  constexpr size_t kMaxSizeLine = 256;  // hex digits and any chunk extension
  size_t at = 0;
  while (state_ == State::kBody) {
    if (chunk_part_ == ChunkPart::kData) {
      const size_t take = std::min(buffer.size() - at, chunk_left_);
      request_.body.append(buffer, at, take);
      at += take;
      chunk_left_ -= take;
      if (chunk_left_ > 0) break;
      chunk_part_ = ChunkPart::kDataEnd;
      continue;
    }
    const size_t newline = buffer.find('\n', at);
    if (newline == std::string::npos) {
      const size_t pending = buffer.size() - at;
      if (chunk_part_ == ChunkPart::kTrailer && trailer_bytes_ + pending > limits_.max_head_bytes) {
        fail(431, "request: the chunked body's trailer exceeds " +
                      std::to_string(limits_.max_head_bytes) + " bytes");
      } else if (chunk_part_ != ChunkPart::kTrailer && pending > kMaxSizeLine) {
        fail(400, "body: a chunk size line longer than " + std::to_string(kMaxSizeLine) +
                      " bytes");
      }
      break;
    }
    std::string_view line(buffer.data() + at, newline - at);
    at = newline + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (chunk_part_ == ChunkPart::kDataEnd) {
      if (!line.empty()) fail(400, "body: a chunk longer than its size says");
      chunk_part_ = ChunkPart::kSize;
    } else if (chunk_part_ == ChunkPart::kTrailer) {
      trailer_bytes_ += line.size() + 2;
      if (trailer_bytes_ > limits_.max_head_bytes) {
        fail(431, "request: the chunked body's trailer exceeds " +
                      std::to_string(limits_.max_head_bytes) + " bytes");
      } else if (line.empty()) {
        state_ = State::kDone;
      }
    } else {
      const std::string_view digits = trim(line.substr(0, line.find(';')));
      size_t size = 0;
      bool ok = !digits.empty() && digits.size() <= 15;
      for (char c : digits) {
        const int v = hex_value(c);
        if (v < 0) ok = false;
        size = size * 16 + static_cast<size_t>(v < 0 ? 0 : v);
      }
      if (!ok) {
        fail(400, "body: a chunk size that is not a hexadecimal number");
      } else if (size > limits_.max_body_bytes - request_.body.size()) {
        fail(413, "body: more than this device accepts (" +
                      std::to_string(limits_.max_body_bytes) + " bytes)");
      } else if (size == 0) {
        chunk_part_ = ChunkPart::kTrailer;
      } else {
        chunk_left_ = size;
        chunk_part_ = ChunkPart::kData;
      }
    }
  }
  buffer.erase(0, at);
  return state_;
}

const char* http_reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

}  // namespace mnas
