#include "space/weights_file.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"

namespace mnas {
namespace {

constexpr char kMagic[8] = {'M', 'N', 'A', 'S', 'W', '0', '0', '1'};
static_assert(sizeof(float) == 4, "float32 expected");

}  // namespace

void validate_model_notes(const std::vector<std::string>& labels, const std::string& preprocess,
                          const std::string& where) {
  const auto printable_text = [](const std::string& s) {
    for (const unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
  };
  if (labels.size() > 100000) throw Error(where + "labels: more than 100,000 classes");
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty() || labels[i].size() > 256 || !printable_text(labels[i])) {
      throw Error(where + "labels[" + std::to_string(i) +
                  "]: a class name is 1 to 256 printable bytes");
    }
  }
  if (preprocess.size() > 1000 || !printable_text(preprocess)) {
    throw Error(where + "preprocess: at most 1,000 printable bytes");
  }
}

bool looks_like_weights_file(std::string_view first_bytes) {
  return first_bytes.substr(0, sizeof(kMagic)) == std::string_view(kMagic, sizeof(kMagic));
}

void write_weights_file(const std::string& path, const WeightsFile& w) {
  validate_model_notes(w.labels, w.preprocess, "weights file '" + path + "': ");
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& [name, t] : w.tensors) {
    tensors.push_back({{"name", name},
                       {"shape", t.shape},
                       {"weights", t.weight.size()},
                       {"bias", t.bias.size()}});
  }
  nlohmann::json h = {{"arch", w.arch}, {"mean", w.mean}, {"std", w.std}, {"tensors", tensors}};
  if (!w.labels.empty()) h["labels"] = w.labels;
  if (!w.preprocess.empty()) h["preprocess"] = w.preprocess;
  const std::string header = h.dump();
  std::string bytes(kMagic, sizeof(kMagic));
  const uint32_t n = static_cast<uint32_t>(header.size());
  for (int shift = 0; shift < 32; shift += 8)
    bytes.push_back(static_cast<char>((n >> shift) & 0xff));
  bytes += header;
  for (const auto& [name, t] : w.tensors) {  // x86 and ARM are little-endian: floats as they are
    bytes.append(reinterpret_cast<const char*>(t.weight.data()), t.weight.size() * 4);
    bytes.append(reinterpret_cast<const char*>(t.bias.data()), t.bias.size() * 4);
  }
  write_file_atomically(path, bytes, "weights file");
}

WeightsFile read_weights_file(const std::string& path) {
  const std::string bytes = read_whole_file(path, "weights file");
  const std::string where = "weights file '" + path + "': ";
  if (bytes.size() < 12 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw Error(where + "not an mnas weights file");
  const uint32_t n = uint32_t(uint8_t(bytes[8])) | uint32_t(uint8_t(bytes[9])) << 8 |
                     uint32_t(uint8_t(bytes[10])) << 16 | uint32_t(uint8_t(bytes[11])) << 24;
  if (bytes.size() - 12 < size_t{n}) throw Error(where + "truncated header");
  namespace jf = json_fields;
  const nlohmann::json h = jf::parse(std::string_view(bytes).substr(12, n), where + "header");
  jf::require_object(h, where + "header");
  jf::reject_unknown_keys(h, {"arch", "mean", "std", "tensors", "labels", "preprocess"},
                          where + "header");
  WeightsFile w;
  w.arch = jf::as_string(jf::required(h, "arch", where + "header"), where + "arch");
  const auto floats = [&](const char* key) {
    const std::string p = where + key;
    const nlohmann::json& a = jf::required(h, key, where + "header");
    jf::require_array(a, p);
    if (a.empty() || a.size() > 4) throw Error(p + ": expected 1 to 4 channels");
    std::vector<float> out;
    for (size_t i = 0; i < a.size(); ++i) {
      const double v = jf::as_double(a[i], jf::element(p, i));
      if (!std::isfinite(v) || std::fabs(v) > 1e6)
        throw Error(jf::element(p, i) + ": not plausible");
      out.push_back(static_cast<float>(v));
    }
    return out;
  };
  w.mean = floats("mean");
  w.std = floats("std");
  if (w.mean.size() != w.std.size()) throw Error(where + "mean and std have different lengths");
  for (size_t i = 0; i < w.std.size(); ++i) {
    if (!(w.std[i] > 0)) throw Error(jf::element(where + "std", i) + ": must be > 0");
  }
  if (h.contains("labels")) {
    const nlohmann::json& labels = h["labels"];
    jf::require_array(labels, where + "labels");
    if (labels.size() > 100000) throw Error(where + "labels: more than 100,000 classes");
    for (size_t i = 0; i < labels.size(); ++i) {
      w.labels.push_back(jf::as_string(labels[i], jf::element(where + "labels", i)));
    }
  }
  if (h.contains("preprocess")) {
    w.preprocess = jf::as_string(h["preprocess"], where + "preprocess");
  }
  validate_model_notes(w.labels, w.preprocess, where);
  const nlohmann::json& tensors = jf::required(h, "tensors", where + "header");
  jf::require_array(tensors, where + "tensors");
  size_t offset = 12 + size_t{n};
  for (size_t k = 0; k < tensors.size(); ++k) {
    const nlohmann::json& t = tensors[k];
    const std::string p = jf::element(where + "tensors", k);
    jf::require_object(t, p);
    jf::reject_unknown_keys(t, {"name", "shape", "weights", "bias"}, p);
    const std::string name = jf::as_string(jf::required(t, "name", p), p + ".name");
    if (w.tensors.count(name)) throw Error(p + ".name: '" + name + "' is given twice");
    // Counts are bounded by what is left of the file before anything is multiplied or allocated.
    const size_t left = (bytes.size() - offset) / 4;
    const auto count_of = [&](const char* key) {
      const double v = jf::as_double(jf::required(t, key, p), jf::child(p, key));
      if (!(v >= 0) || v != std::floor(v)) throw Error(jf::child(p, key) + ": not a count");
      if (v > static_cast<double>(left)) throw Error(where + name + ": truncated data");
      return static_cast<size_t>(v);
    };
    const size_t count = count_of("weights"), bias = count_of("bias");
    if (count + bias > left) throw Error(where + name + ": truncated data");
    NamedWeights nw;
    const nlohmann::json& shape = jf::required(t, "shape", p);
    jf::require_array(shape, p + ".shape");
    if (shape.empty() || shape.size() > 4) throw Error(p + ".shape: expected 1 to 4 dimensions");
    size_t expected = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      const int dim = jf::as_int(shape[d], jf::element(p + ".shape", d), 1, 1 << 20);
      nw.shape.push_back(static_cast<size_t>(dim));
      expected = expected > count ? expected : expected * static_cast<size_t>(dim);
    }
    if (expected != count) throw Error(where + name + ": shape and size disagree");
    nw.weight.resize(count);
    nw.bias.resize(bias);
    // memcpy of nothing from or to a null data() is still undefined: only copy what is there.
    if (count > 0) std::memcpy(nw.weight.data(), bytes.data() + offset, count * 4);
    if (bias > 0) std::memcpy(nw.bias.data(), bytes.data() + offset + count * 4, bias * 4);
    offset += (count + bias) * 4;
    for (const std::vector<float>* v : {&nw.weight, &nw.bias}) {
      for (const float x : *v) {
        if (!std::isfinite(x)) throw Error(where + name + ": a value is not finite (NaN or inf)");
      }
    }
    w.tensors[name] = std::move(nw);
  }
  if (offset != bytes.size()) throw Error(where + "trailing data after the tensors");
  return w;
}

}  // namespace mnas
