#include "base/json_fields.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"

namespace mnas::json_fields {

namespace {

// A SAX pass that only looks for a key given twice in one object: nlohmann keeps the last one
// silently, so {"kernel": 3, "kernel": 5} would mean 5 without a word.
class DuplicateKeys : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (!keys_.back().insert(k).second) {
      duplicate_ = k;
      return false;  // stop here
    }
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // the real parse below reports it with its position
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> keys_;
  std::string duplicate_;
};

}  // namespace

Json parse(std::string_view text, const std::string& what) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw Error(what + ": empty document");
  }
  // The parser would take a NUL byte for the end of the text and ignore what follows it.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    throw Error(what + ": a NUL byte at offset " + std::to_string(nul) +
                "; JSON text has none");
  }
  DuplicateKeys duplicates;
  Json::sax_parse(text.begin(), text.end(), &duplicates, nlohmann::json::input_format_t::json,
                  false);
  if (!duplicates.duplicate().empty()) {
    throw Error(what + ": the key \"" + duplicates.duplicate() + "\" is given twice in one object");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // nlohmann's message already says where ("at line 3, column 5") and what it expected; a
    // number too large for a double (1e400) is an out_of_range error, not a parse_error.
    throw Error(what + ": not valid JSON: " + e.what());
  }
}

std::string type_name(const Json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number_float()) return "number";
  return value.type_name();
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

void require_object(const Json& value, const std::string& path) {
  if (!value.is_object()) {
    throw Error((path.empty() ? std::string("document") : path) + ": expected an object, got " +
                type_name(value));
  }
}

void require_array(const Json& value, const std::string& path) {
  if (!value.is_array()) throw Error(path + ": expected an array, got " + type_name(value));
}

void reject_unknown_keys(const Json& object, std::initializer_list<const char*> allowed,
                         const std::string& path) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char* key : allowed) known = known || it.key() == key;
    if (!known) {
      std::string list;
      for (const char* key : allowed) list += (list.empty() ? "" : ", ") + std::string(key);
      throw Error(child(path, it.key()) + ": unknown field; expected one of " + list);
    }
  }
}

int as_int(const Json& value, const std::string& path, long long lo, long long hi) {
  long long v = 0;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<unsigned long long>() > static_cast<unsigned long long>(hi)) {
      v = hi + 1;  // out of range either way; avoid the signed conversion overflowing
    } else {
      v = value.get<long long>();
    }
  } else if (value.is_number_float() && std::isfinite(value.get<double>()) &&
             value.get<double>() == std::floor(value.get<double>()) &&
             std::fabs(value.get<double>()) < 1e15) {
    v = static_cast<long long>(value.get<double>());  // 3.0 is an integer; 3.5 is not
  } else {
    throw Error(path + ": expected an integer, got " + type_name(value) +
                (value.is_primitive() ? " " + value.dump() : std::string()));
  }
  if (v < lo || v > hi) {
    throw Error(path + ": " + value.dump() + " is out of range; must be in [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(v);
}

int as_int(const Json& value, const std::string& path) {
  constexpr long long kBound = 1LL << 30;
  if (value.is_number() && std::isfinite(value.get<double>()) &&
      std::fabs(value.get<double>()) > static_cast<double>(kBound)) {
    throw Error(path + ": " + value.dump() + " is far out of range");
  }
  return as_int(value, path, -kBound, kBound);
}

double as_double(const Json& value, const std::string& path) {
  if (!value.is_number()) {
    throw Error(path + ": expected a number, got " + type_name(value) +
                (value.is_primitive() ? " " + value.dump() : std::string()));
  }
  const double v = value.get<double>();
  if (!std::isfinite(v)) throw Error(path + ": expected a finite number");
  return v;
}

const std::string& as_string(const Json& value, const std::string& path) {
  if (!value.is_string()) {
    throw Error(path + ": expected a string, got " + type_name(value) +
                (value.is_primitive() ? " " + value.dump() : std::string()));
  }
  return value.get_ref<const std::string&>();
}

const Json& required(const Json& object, const char* key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) throw Error(child(path, key) + ": missing");
  return *it;
}

}  // namespace mnas::json_fields
