#include "train/checkpoint.h"

#include <map>
#include <sstream>

#include "base/error.h"
#include "base/file_io.h"
#include "space/architecture_codec.h"
#include "train/checkpoint_file.h"
#include "train/train_options_fields.h"

namespace mnas {

// What a checkpoint keeps of its run's options: every stored field of the table.
nlohmann::json options_json(const TrainOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  field_table::write(train_option_fields(), o, j);
  return j;
}

void save_checkpoint(const std::string& path, const Architecture& arch,
                     const nlohmann::json& options, int epoch, const Normalization& norm,
                     torch::nn::Module& net, torch::optim::Optimizer& opt) {
  torch::serialize::OutputArchive a;
  a.write("format", c10::IValue(std::string("mnas-checkpoint/1")));
  a.write("arch", c10::IValue(to_canonical_string(arch)));
  a.write("options", c10::IValue(options.dump()));
  a.write("epoch", c10::IValue(static_cast<int64_t>(epoch)));
  a.write("mean", torch::tensor(norm.mean));
  a.write("std", torch::tensor(norm.std));
  torch::serialize::OutputArchive model, optimizer;
  net.save(model);
  opt.save(optimizer);
  a.write("model", model);
  a.write("optimizer", optimizer);
  std::ostringstream archive;
  try {
    a.save_to(archive);
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "': cannot write (" + e.what_without_backtrace() + ")",
                Error::Kind::kIo);
  }
  write_file_atomically(path, frame_checkpoint(archive.str()), "checkpoint");
}

std::string checkpoint_task(const nlohmann::json& options) {
  const auto task = options.find("task");
  return task != options.end() && task->is_string() ? task->get<std::string>() : "classification";
}

ModelNotes checkpoint_notes(const nlohmann::json& options, const Architecture& arch,
                            const std::string& path, bool detector) {
  ModelNotes notes;
  try {
    if (options.contains("labels")) {
      notes.labels = options["labels"].get<std::vector<std::string>>();
    }
    if (options.contains("preprocess")) {
      notes.preprocess = options["preprocess"].get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
    throw Error("checkpoint '" + path + "': options.labels/preprocess: not a list of names");
  }
  validate_model_notes(notes.labels, notes.preprocess, "checkpoint '" + path + "': ");
  if (!notes.labels.empty() && static_cast<int>(notes.labels.size()) != arch.classes) {
    throw Error(
        "checkpoint '" + path + "': " + std::to_string(notes.labels.size()) +
        (detector ? " category names for a detector of " : " class names for a network of ") +
        std::to_string(arch.classes) + (detector ? "" : " classes"));
  }
  return notes;
}

Checkpoint load_checkpoint(const std::string& path, const torch::Device& device,
                           const std::string& task) {
  Checkpoint c;
  const std::string bytes = read_whole_file(path, "checkpoint", size_t{1} << 34);
  try {
    std::istringstream archive(std::string(checkpoint_archive(bytes, path)));
    c.archive.load_from(archive, device);
    c10::IValue v;
    c.archive.read("format", v);
    if (!v.isString() || v.toStringRef() != "mnas-checkpoint/1")
      throw Error("checkpoint '" + path + "': not an mnas checkpoint");
    c.archive.read("arch", v);
    c.arch = parse_architecture_string(v.toStringRef());
    c.archive.read("options", v);
    c.options = nlohmann::json::parse(v.toStringRef());
    const std::string holds = checkpoint_task(c.options);
    if (holds != task) {
      throw Error("checkpoint '" + path + "': holds a " + holds + " network, not a " + task +
                  " one" + (holds == "detection" ? " (it was trained with --task detection)" : ""));
    }
    c.archive.read("epoch", v);
    c.epoch = static_cast<int>(v.toInt());
    torch::Tensor mean, std;
    c.archive.read("mean", mean);
    c.archive.read("std", std);
    mean = mean.to(torch::kCPU).contiguous();
    std = std.to(torch::kCPU).contiguous();
    c.norm.mean.assign(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
    c.norm.std.assign(std.data_ptr<float>(), std.data_ptr<float>() + std.numel());
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "': cannot be read (" + e.what_without_backtrace() + ")");
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': damaged options (" + std::string(e.what()) + ")");
  }
  return c;
}

nlohmann::json load_checkpoint_options(const std::string& path) {
  const std::string bytes = read_whole_file(path, "checkpoint", size_t{1} << 34);
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(std::string(checkpoint_archive(bytes, path)));
    archive.load_from(in, torch::kCPU);
    c10::IValue v;
    archive.read("format", v);
    if (!v.isString() || v.toStringRef() != "mnas-checkpoint/1")
      throw Error("checkpoint '" + path + "': not an mnas checkpoint");
    archive.read("options", v);
    return nlohmann::json::parse(v.toStringRef());
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "': cannot be read (" + e.what_without_backtrace() + ")");
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': damaged options (" + std::string(e.what()) + ")");
  }
}

void load_network_weights(torch::nn::Module& net, torch::serialize::InputArchive& archive,
                          const std::string& path) {
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& p : net.named_parameters(true)) expected[p.key()] = p.value().sizes().vec();
  for (const auto& b : net.named_buffers(true)) expected[b.key()] = b.value().sizes().vec();
  net.load(archive);
  const auto check = [&](const std::string& name, const torch::Tensor& t) {
    const std::vector<int64_t>& want = expected[name];
    if (t.sizes().vec() == want) return;
    const auto text = [](const std::vector<int64_t>& v) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
      return s + "]";
    };
    throw Error("checkpoint '" + path + "': its weights do not fit its architecture ('" + name +
                "' is " + text(t.sizes().vec()) + ", the architecture's is " + text(want) +
                "); the file was edited or put together from two runs");
  };
  for (const auto& p : net.named_parameters(true)) check(p.key(), p.value());
  for (const auto& b : net.named_buffers(true)) check(b.key(), b.value());
}

void load_model(Checkpoint& c, torch::nn::Module& net, const std::string& path,
                torch::optim::Optimizer* optimizer) {
  try {
    torch::serialize::InputArchive model;
    c.archive.read("model", model);
    load_network_weights(net, model, path);
    if (optimizer) {
      torch::serialize::InputArchive state;
      c.archive.read("optimizer", state);
      optimizer->load(state);
    }
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "': damaged weights (" + e.what_without_backtrace() + ")");
  }
}

}  // namespace mnas
