#include "space/weights_file.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "space/error.h"
#include "space/file_io.h"

namespace mnas {
namespace {

constexpr char kMagic[8] = {'M', 'N', 'A', 'S', 'W', '0', '0', '1'};
static_assert(sizeof(float) == 4, "float32 expected");

}  // namespace

void write_weights_file(const std::string& path, const WeightsFile& w) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& [name, t] : w.tensors) {
    tensors.push_back({{"name", name},
                       {"shape", t.shape},
                       {"weights", t.weight.size()},
                       {"bias", t.bias.size()}});
  }
  const std::string header = nlohmann::json{
      {"arch", w.arch},
      {"mean", w.mean},
      {"std", w.std},
      {"tensors", tensors}}.dump();
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
  if (bytes.size() < 12 + size_t{n}) throw Error(where + "truncated header");
  WeightsFile w;
  size_t offset = 12 + size_t{n};
  try {
    const nlohmann::json h = nlohmann::json::parse(bytes.substr(12, n));
    w.arch = h.at("arch").get<std::string>();
    w.mean = h.at("mean").get<std::vector<float>>();
    w.std = h.at("std").get<std::vector<float>>();
    for (const auto& t : h.at("tensors")) {
      NamedWeights nw;
      nw.shape = t.at("shape").get<std::vector<size_t>>();
      const size_t count = t.at("weights").get<size_t>(), bias = t.at("bias").get<size_t>();
      size_t expected = 1;
      for (size_t d : nw.shape) expected *= d;
      if (expected != count)
        throw Error(where + t.at("name").get<std::string>() + ": shape and size disagree");
      if (bytes.size() < offset + (count + bias) * 4) throw Error(where + "truncated data");
      nw.weight.resize(count);
      nw.bias.resize(bias);
      std::memcpy(nw.weight.data(), bytes.data() + offset, count * 4);
      std::memcpy(nw.bias.data(), bytes.data() + offset + count * 4, bias * 4);
      offset += (count + bias) * 4;
      w.tensors[t.at("name").get<std::string>()] = std::move(nw);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + "damaged header (" + e.what() + ")");
  }
  if (offset != bytes.size()) throw Error(where + "trailing data after the tensors");
  return w;
}

}  // namespace mnas
