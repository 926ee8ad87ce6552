// The request reader on its own: framing, limits, and the same result however the bytes arrive.
#include "serve/http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace mnas {
namespace {

using State = HttpRequestReader::State;

// Feeds `bytes` in pieces of `piece` bytes; returns the final state.
State feed(HttpRequestReader& reader, const std::string& bytes, size_t piece,
           std::string* rest = nullptr) {
  std::string buffer;
  State state = State::kHead;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    buffer += bytes.substr(at, piece);
    state = reader.read(buffer);
    if (state == State::kDone || state == State::kFailed) {
      buffer += bytes.substr(at + piece < bytes.size() ? at + piece : bytes.size());
      break;
    }
  }
  if (rest) *rest = buffer;
  return state;
}

TEST(HttpRequestReader, ReadsTheSameRequestWhateverThePieces) {
  const std::string request =
      "POST /v1/x%2Fy?ignored=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t0k\r\n"
      "Content-Length: 5\r\n\r\nhello";
  const std::string chunked =
      "POST /v1/latency HTTP/1.1\nTransfer-Encoding: chunked\n\n3;ext=1\r\nhel\r\n2\r\nlo\r\n"
      "0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
    HttpRequestReader reader;
    ASSERT_EQ(feed(reader, request, piece), State::kDone) << piece;
    EXPECT_EQ(reader.request().method, "POST");
    EXPECT_EQ(reader.request().path, "/v1/x/y");
    EXPECT_EQ(*reader.request().header("authorization"), "Bearer t0k");
    EXPECT_EQ(reader.request().body, "hello");
    EXPECT_TRUE(reader.request().keep_alive());
    HttpRequestReader chunks;
    ASSERT_EQ(feed(chunks, chunked, piece), State::kDone) << piece << chunks.error_message();
    EXPECT_EQ(chunks.request().body, "hello");
  }
}

TEST(HttpRequestReader, LeavesAPipelinedRequestForTheNext) {
  const std::string two =
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  HttpRequestReader reader;
  std::string buffer = two;
  ASSERT_EQ(reader.read(buffer), State::kDone);
  EXPECT_EQ(reader.request().path, "/a");
  reader.reset();
  ASSERT_EQ(reader.read(buffer), State::kDone);
  EXPECT_EQ(reader.request().path, "/b");
  EXPECT_TRUE(reader.request().http10);
  EXPECT_TRUE(reader.request().keep_alive());
  EXPECT_TRUE(buffer.empty());
}

// Each malformed or oversized request is refused with its status, before it is buffered whole.
TEST(HttpRequestReader, RefusesWithTheStatusAServerAnswers) {
  struct Case {
    std::string bytes;
    int status;
    std::string says;
  };
  const std::string big_header = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a');
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  many += "\r\n";
  const Case cases[] = {
      {big_header, 431, "exceed 16384 bytes"},
      {many, 431, "more than 100 headers"},
      {"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413, "at most 1048576"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" +
           std::string(0x100000, 'a') + "\r\n1\r\n",
       413, "body: more than"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "both Content-Length and Transfer-Encoding"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "twice"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "only 'chunked'"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0"},
      {"GET / HTTP/1.1 extra\r\n\r\n", 400, "request line"},
      {"GET noslash HTTP/1.1\r\n\r\n", 400, "start with '/'"},
      {"GET /%zz HTTP/1.1\r\n\r\n", 400, "%-escape"},
      {"GET / HTTP/1.1\r\nAuthorization: Bearer token" + std::string(1, '\0') + "junk\r\n\r\n",
       400, "header 'Authorization': control characters"},
      {"GET / HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n", 400, "folded"},
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400, "Name: value"},
      {"GET / HTTP/1.1\r\nExpect: something\r\n\r\n", 417, "100-continue"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "hexadecimal"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400, "longer"},
  };
  for (const Case& c : cases) {
    HttpRequestReader reader;
    EXPECT_EQ(feed(reader, c.bytes, 4096), State::kFailed) << c.bytes.substr(0, 60);
    EXPECT_EQ(reader.error_status(), c.status) << reader.error_message();
    EXPECT_NE(reader.error_message().find(c.says), std::string::npos) << reader.error_message();
  }
}

// An endless header is refused once it passes the limit, however it is fed: the reader never
// holds more than the limit plus one piece.
TEST(HttpRequestReader, AnEndlessHeadIsRefusedAtTheLimit) {
  HttpRequestReader reader;
  std::string buffer = "GET / HTTP/1.1\r\nX-Pad: ";
  size_t fed = buffer.size();
  State state = reader.read(buffer);
  while (state == State::kHead && fed < (64u << 20)) {
    buffer.append(1000, 'a');
    fed += 1000;
    state = reader.read(buffer);
  }
  EXPECT_EQ(state, State::kFailed);
  EXPECT_EQ(reader.error_status(), 431);
  EXPECT_LE(fed, 16384u + 1000u);
}

TEST(HttpRequestReader, AnIdleConnectionHasNotStarted) {
  HttpRequestReader reader;
  std::string buffer = "\r\n";  // a stray CRLF between requests is skipped
  EXPECT_EQ(reader.read(buffer), State::kHead);
  EXPECT_FALSE(reader.started());
  buffer = "G";
  EXPECT_EQ(reader.read(buffer), State::kHead);
  EXPECT_TRUE(reader.started());
}

}  // namespace
}  // namespace mnas
