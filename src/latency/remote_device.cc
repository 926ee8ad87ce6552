#include "latency/remote_device.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/printable.h"
#include "latency/latency_json.h"
#include "space/architecture_codec.h"

namespace mnas {
namespace {

using Json = nlohmann::json;

// Answers above this are refused: the largest real one (a profile of a big network) is ~100 KB.
constexpr size_t kMaxAnswerBytes = size_t{16} << 20;

// Stops the request `client` has in flight once `seconds` have passed. The read timeout bounds
// each read, not an answer: a device that trickles its answer a byte at a time, or never ends a
// chunked one, would hold the search forever without it. (httplib's Client::stop is the one call
// that is safe from another thread: it shuts the socket down.)
class AnswerDeadline {
 public:
  AnswerDeadline(httplib::Client& client, double seconds)
      : thread_([this, &client, seconds] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!cv_.wait_for(lock, std::chrono::duration<double>(seconds),
                            [this] { return done_; })) {
            expired_ = true;
            client.stop();
          }
        }) {}
  ~AnswerDeadline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  AnswerDeadline(const AnswerDeadline&) = delete;
  AnswerDeadline& operator=(const AnswerDeadline&) = delete;
  bool expired() const { return expired_; }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> expired_{false};
  std::thread thread_;  // last: it starts once the members it uses exist
};

bool transient_status(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

Json request_json(const TimingRequest& r) {
  Json j = {{"threads", r.threads}, {"protocol", protocol_json(r.protocol)}};
  // Only when not fp32: a server from before int8 refuses the key, and times fp32 without it.
  if (r.precision != Precision::kFp32) j["precision"] = to_string(r.precision);
  if (r.detector_categories > 0) j["detector_categories"] = r.detector_categories;  // likewise
  return j;
}

}  // namespace

RemoteDevice::RemoteDevice(std::string url, RemoteOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  const size_t scheme = url_.find("://");
  const std::string prefix = scheme == std::string::npos ? "" : url_.substr(0, scheme);
  const std::string rest = scheme == std::string::npos ? "" : url_.substr(scheme + 3);
  if ((prefix != "http" && prefix != "https") || rest.empty() ||
      rest.find_first_of("/?# ") != std::string::npos) {
    throw Error("device: '" + url_ +
                "' is not a device URL; write http://HOST:PORT (the address mnas-device prints)");
  }
  if (rest.find('@') != std::string::npos) {  // the URL is not repeated: it holds a password
    throw Error("device: a URL with a user name or password (USER:PASSWORD@HOST) is not "
                "supported; mnas-device authenticates with a token: write http://HOST:PORT and "
                "give the token with --device-token-file FILE or MNAS_DEVICE_TOKEN");
  }
  if (options_.retries < 0 || options_.retries > 100)
    throw Error("device retries: must be in [0, 100]");
}

RemoteDevice::~RemoteDevice() = default;

Json RemoteDevice::call(const std::string& method, const std::string& path, const Json& body) {
  const std::string where = "device " + url_;
  std::string last;
  double wait = options_.backoff_seconds;
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
      wait = std::min(wait * 2, 8.0);
    }
    httplib::Client client(url_);
    client.set_connection_timeout(std::chrono::duration<double>(options_.connect_timeout_seconds));
    client.set_read_timeout(std::chrono::duration<double>(options_.read_timeout_seconds));
    client.set_write_timeout(std::chrono::seconds(30));
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (!options_.token.empty()) request.set_header("Authorization", "Bearer " + options_.token);
    if (method != "GET") {
      request.body = body.dump();
      request.set_header("Content-Type", "application/json");
    }
    // The answer is read into a bounded buffer: a device cannot make this process hold more.
    std::string received;
    bool too_big = false;
    request.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (received.size() + n > kMaxAnswerBytes) {
        too_big = true;
        return false;
      }
      received.append(data, n);
      return true;
    };
    // The whole answer within the read timeout and as much again (at most 30 s more).
    const double limit =
        options_.read_timeout_seconds + std::min(30.0, options_.read_timeout_seconds);
    auto deadline = std::make_unique<AnswerDeadline>(client, limit);
    httplib::Result res = client.send(request);
    const bool expired = deadline->expired();
    deadline.reset();
    if (too_big) {
      throw Error(where + ": an answer of more than 16 MiB; refused", Error::Kind::kIo);
    }
    if (!res && expired) {  // stopped by the deadline (a complete answer just in time stands)
      throw Error(where + ": its answer did not end within " +
                      std::to_string(static_cast<int>(limit + 0.5)) +
                      " s (it trickled or never ended); the measurement is refused",
                  Error::Kind::kIo);
    }
    if (!res) {
      last = "cannot reach it (" + httplib::to_string(res.error()) + ")";
      continue;
    }
    const int status = res->status;
    const std::string& text = received.empty() ? res->body : received;
    if (text.size() > kMaxAnswerBytes) {
      throw Error(where + ": an answer of " + std::to_string(text.size()) +
                      " bytes; refused (more than 16 MiB)",
                  Error::Kind::kIo);
    }
    Json answer;
    try {
      answer = Json::parse(text);
    } catch (const Json::exception&) {
      answer = Json();
    }
    // Printed and stored: escaped, so that a device's text cannot move the cursor or add lines.
    const std::string message = printable(
        answer.is_object() && answer.contains("error") && answer["error"].is_string()
            ? answer["error"].get<std::string>()
            : text,
        200);
    if (status >= 300 && status < 400) {
      throw Error(where + ": answered with a redirect (HTTP " + std::to_string(status) + " to '" +
                  printable(res->get_header_value("Location"), 200) +
                  "'); mnas does not follow redirects (a token would go where the device did "
                  "not choose): give the device's own address");
    }
    if (transient_status(status)) {
      last = "busy or unavailable (HTTP " + std::to_string(status) + ": " + message + ")";
      const std::string retry_after = res->get_header_value("Retry-After");
      const double hinted = std::atof(retry_after.c_str());
      if (hinted > 0) wait = std::max(wait, std::min(hinted, 30.0));
      continue;
    }
    if (status == 401 || status == 403) {
      throw Error(where + ": the token was refused (HTTP " + std::to_string(status) +
                  "); give the token mnas-device printed or read from its --token-file, with "
                  "--device-token-file FILE or the MNAS_DEVICE_TOKEN variable");
    }
    if (status >= 400 && status < 500) throw Error(where + ": " + message);
    if (status != 200) {
      throw Error(where + ": failed (HTTP " + std::to_string(status) + "): " + message,
                  Error::Kind::kIo);
    }
    if (!answer.is_object())
      throw Error(where + ": the answer is not a JSON object", Error::Kind::kIo);
    return answer;
  }
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  throw DeviceUnreachable(where + ": unreachable after " + std::to_string(options_.retries + 1) +
                          " tries over " + std::to_string(static_cast<int>(waited + 0.5)) +
                          " s: " + last);
}

DeviceInfo RemoteDevice::info() {
  return device_info_from_json(call("GET", "/v1/device", Json()), "device " + url_);
}

namespace {

// A device's measurement must be of what was asked: the network's input and the threads.
void require_answer_to(const LatencyResult& r, const Architecture& arch,
                       const TimingRequest& request, const std::string& where) {
  if (r.provenance.input_shape != to_string(arch.input)) {
    throw Error(where + ": measured an input of '" + printable(r.provenance.input_shape, 40) +
                    "', but " + to_string(arch.input) + " was asked; the answer is refused",
                Error::Kind::kIo);
  }
  if (r.provenance.precision != request.precision) {
    throw Error(where + ": measured " + to_string(r.provenance.precision) + ", not the " +
                    to_string(request.precision) +
                    " asked (an mnas-device from before int8? update it); the answer is refused",
                Error::Kind::kIo);
  }
  if (r.provenance.detector_categories != request.detector_categories) {
    const auto what = [](int n) {
      return n == 0 ? std::string("a classifier")
                    : "a detector of " + std::to_string(n) + " categories";
    };
    throw Error(where + ": measured " + what(r.provenance.detector_categories) + ", not the " +
                    what(request.detector_categories) +
                    " asked (an mnas-device from before detectors? update it); the answer is "
                    "refused",
                Error::Kind::kIo);
  }
  if (r.provenance.threads != request.threads) {
    throw Error(where + ": measured with " + std::to_string(r.provenance.threads) +
                    " threads, not the " + std::to_string(request.threads) +
                    " asked; the answer is refused",
                Error::Kind::kIo);
  }
}

}  // namespace

LatencyResult RemoteDevice::measure(const Architecture& arch, const TimingRequest& request) {
  validate(request, false);  // the device checks its own CPUs
  Json body = request_json(request);
  body["architecture"] = to_canonical_string(arch);
  const std::string where = "device " + url_;
  LatencyResult r = latency_result_from_json(call("POST", "/v1/latency", body), where);
  require_answer_to(r, arch, request, where);
  r.provenance.device = url_;  // the server calls itself "local"
  return r;
}

PairedLatency RemoteDevice::measure_paired(const Architecture& candidate,
                                           const Architecture& reference,
                                           const TimingRequest& request) {
  validate(request, false);  // the device checks its own CPUs
  Json body = request_json(request);
  body["architecture"] = to_canonical_string(candidate);
  body["reference"] = to_canonical_string(reference);
  const std::string where = "device " + url_;
  PairedLatency p = paired_latency_from_json(call("POST", "/v1/paired", body), where);
  require_answer_to(p.candidate, candidate, request, where + ": candidate");
  require_answer_to(p.reference, reference, request, where + ": reference");
  p.candidate.provenance.device = p.reference.provenance.device = url_;
  return p;
}

std::vector<OperatorTiming> RemoteDevice::profile(const Architecture& arch,
                                                  const TimingRequest& request) {
  validate(request, false);  // the device checks its own CPUs
  Json body = request_json(request);
  body["architecture"] = to_canonical_string(arch);
  const Json answer = call("POST", "/v1/profile", body);
  const std::string where = "device " + url_;
  return operators_from_json(json_fields::required(answer, "operators", where),
                             where + ": operators");
}

std::vector<LutEntryTiming> RemoteDevice::measure_lut_entries(const std::vector<std::string>& keys,
                                                              const TimingRequest& request) {
  validate(request, false);  // the device checks its own CPUs
  Json body = request_json(request);  // int8 sent as "precision": a server before int8 refuses it
  body["keys"] = keys;
  const Json answer = call("POST", "/v1/lut/entries", body);
  const std::string where = "device " + url_;
  return lut_entries_from_json(json_fields::required(answer, "entries", where),
                               where + ": entries");
}

std::string resolve_device_token(const std::string& token_file) {
  std::string text;
  std::string what;
  if (!token_file.empty()) {
    text = read_whole_file(token_file, "device token file", 4096);
    what = "device token file '" + token_file + "'";
  } else if (const char* env = std::getenv("MNAS_DEVICE_TOKEN")) {
    text = env;
    what = "MNAS_DEVICE_TOKEN";
    if (text.empty()) return "";
  } else {
    return "";
  }
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.pop_back();
  }
  if (text.empty()) throw Error(what + ": holds no token (the first line is empty)");
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7e)
      throw Error(what + ": the token has a character that is not printable ASCII");
  }
  return text;
}

}  // namespace mnas
