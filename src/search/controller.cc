#include "search/controller.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <sstream>

#include "base/error.h"
#include "base/number_format.h"
#include "search/strategy_state.h"

namespace mnas {
namespace {

// The policy network: embedding of the previous token → LSTM cell → one linear head per decision.
class PolicyImpl : public torch::nn::Module {
 public:
  PolicyImpl(const std::vector<int>& vocab, int hidden) : vocab_(vocab), hidden_(hidden) {
    int total = 0;
    for (int v : vocab) {
      offsets_.push_back(total);
      total += v;
    }
    start_ = total;  // the start token's embedding row
    embedding_ = register_module("embedding", torch::nn::Embedding(total + 1, hidden));
    cell_ = register_module("lstm", torch::nn::LSTMCell(hidden, hidden));
    heads_ = register_module("heads", torch::nn::ModuleList());
    for (int v : vocab) heads_->push_back(torch::nn::Linear(hidden, v));
  }

  // Runs the LSTM over `n` sequences. With `tokens` ([n, T] int64) the inputs are those tokens
  // (teacher forcing) and the result is their summed log-probability and entropy per sequence.
  // Without, it samples with `sample(t, probs)` and fills `sampled`.
  template <typename Sample>
  std::pair<torch::Tensor, torch::Tensor> run(int64_t n, const torch::Tensor* tokens, Sample sample,
                                              std::vector<std::vector<int>>* sampled) {
    torch::Tensor h = torch::zeros({n, hidden_});
    torch::Tensor c = torch::zeros({n, hidden_});
    torch::Tensor prev = torch::full({n}, start_, torch::kLong);
    torch::Tensor log_prob = torch::zeros({n});
    torch::Tensor entropy = torch::zeros({n});
    if (sampled) sampled->assign(n, std::vector<int>(vocab_.size()));
    for (size_t t = 0; t < vocab_.size(); ++t) {
      std::tie(h, c) = cell_->forward(embedding_->forward(prev), std::make_tuple(h, c));
      const torch::Tensor logits = heads_[t]->as<torch::nn::Linear>()->forward(h);
      const torch::Tensor log_p = torch::log_softmax(logits, 1);
      torch::Tensor chosen;
      if (tokens) {
        chosen = tokens->select(1, static_cast<int64_t>(t));
      } else {
        const torch::Tensor probs = log_p.exp().to(torch::kDouble).contiguous();
        std::vector<int64_t> picks(n);
        for (int64_t i = 0; i < n; ++i) {
          picks[i] = sample(probs.data_ptr<double>() + i * vocab_[t], vocab_[t]);
          (*sampled)[i][t] = static_cast<int>(picks[i]);
        }
        chosen = torch::tensor(picks, torch::kLong);
      }
      log_prob = log_prob + log_p.gather(1, chosen.unsqueeze(1)).squeeze(1);
      entropy = entropy - (log_p.exp() * log_p).sum(1);
      prev = chosen + offsets_[t];
    }
    return {log_prob, entropy};
  }

 private:
  std::vector<int> vocab_;
  std::vector<int64_t> offsets_;
  int64_t start_ = 0;
  int hidden_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTMCell cell_{nullptr};
  torch::nn::ModuleList heads_{nullptr};
};
TORCH_MODULE(Policy);

torch::Tensor token_tensor(const std::vector<std::vector<int>>& tokens) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int64_t len = n ? static_cast<int64_t>(tokens[0].size()) : 0;
  torch::Tensor t = torch::empty({n, len}, torch::kLong);
  auto a = t.accessor<int64_t, 2>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < len; ++j) a[i][j] = tokens[i][j];
  }
  return t;
}

// Inverse-CDF draw with 53 random bits: the same on every platform.
int64_t draw(std::mt19937_64& rng, const double* probs, int vocab) {
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
  double cumulative = 0.0;
  for (int k = 0; k < vocab; ++k) {
    cumulative += probs[k];
    if (u < cumulative) return k;
  }
  return vocab - 1;  // u beyond the rounded total
}

}  // namespace

struct Controller::Model {
  // Weights start uniform in ±init_range, drawn from our own generator seeded with `seed` (not
  // torch's global one, which other modules use).
  Model(const std::vector<int>& vocab, const ControllerOptions& o, uint64_t seed)
      : policy(vocab, o.hidden),
        optimizer(policy->parameters(), torch::optim::AdamOptions(o.learning_rate)) {
    torch::NoGradGuard no_grad;
    std::mt19937_64 rng(seed);
    for (torch::Tensor& p : policy->parameters()) {
      torch::Tensor values = torch::empty({p.numel()}, torch::kFloat);
      float* v = values.data_ptr<float>();
      for (int64_t i = 0; i < p.numel(); ++i) {
        const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
        v[i] = static_cast<float>(o.init_range * (2.0 * u - 1.0));
      }
      p.copy_(values.view(p.sizes()));
    }
  }
  Policy policy;
  torch::optim::Adam optimizer;
};

void validate(const ControllerOptions& o) {
  const auto check = [](bool ok, const std::string& message) {
    if (!ok) throw Error(message);
  };
  check(o.hidden >= 1 && o.hidden <= 4096, "controller hidden units: must be in [1, 4096]");
  check(std::isfinite(o.learning_rate) && o.learning_rate > 0 && o.learning_rate <= 1,
        "controller learning rate: must be in (0, 1]");
  check(o.ppo_epochs >= 1 && o.ppo_epochs <= 100, "controller PPO epochs: must be in [1, 100]");
  check(std::isfinite(o.clip) && o.clip > 0 && o.clip < 1,
        "controller PPO clip: must be in (0, 1)");
  check(std::isfinite(o.baseline_decay) && o.baseline_decay >= 0 && o.baseline_decay < 1,
        "controller baseline decay: must be in [0, 1)");
  check(std::isfinite(o.entropy_weight) && o.entropy_weight >= 0,
        "controller entropy weight: must be ≥ 0");
  check(std::isfinite(o.init_range) && o.init_range > 0 && o.init_range <= 1,
        "controller init range: must be in (0, 1]");
}

namespace {

// The controller's tensors are tiny; computing them on one thread also makes their floating-point
// sums independent of the process's thread count (the trainer's --threads, the cores an MPI rank
// is bound to), so that a seeded search proposes the same architectures however it is run.
class OneThread {
 public:
  OneThread() : previous_(torch::get_num_threads()) { torch::set_num_threads(1); }
  ~OneThread() { torch::set_num_threads(previous_); }

 private:
  int previous_;
};

}  // namespace

Controller::Controller(const DecisionSpace& space, uint64_t seed, ControllerOptions options)
    : space_(space), options_(options), rng_(seed) {
  validate(options_);
  model_ = std::make_unique<Model>(strategy_state::vocabulary(space_), options_, seed);
}

Controller::~Controller() = default;

std::string Controller::name() const {
  return options_.algorithm == ControllerOptions::Algorithm::kPpo ? "ppo" : "reinforce";
}

std::vector<Proposal> Controller::propose(int n) {
  if (n < 1) throw Error("propose: n must be ≥ 1");
  OneThread one_thread;
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int>> sampled;
  model_->policy->run(
      n, nullptr, [this](const double* p, int vocab) { return draw(rng_, p, vocab); }, &sampled);
  std::vector<Proposal> out;
  for (std::vector<int>& tokens : sampled) {
    Proposal p;
    p.tokens = std::move(tokens);
    out.push_back(std::move(p));
  }
  return out;
}

double Controller::log_probability(const std::vector<int>& tokens) const {
  strategy_state::check_trials({tokens}, space_);
  OneThread one_thread;
  torch::NoGradGuard no_grad;
  const torch::Tensor t = token_tensor({tokens});
  const auto never = [](const double*, int) -> int64_t { return 0; };
  return model_->policy->run(1, &t, never, nullptr).first.item<double>();
}

void Controller::observe(const std::vector<Trial>& trials) {
  if (trials.empty()) return;
  OneThread one_thread;
  strategy_state::check_observed(trials, space_);
  std::vector<std::vector<int>> tokens;
  std::vector<double> rewards;
  for (const Trial& t : trials) {
    tokens.push_back(t.tokens);
    rewards.push_back(t.reward);
  }

  if (!baseline_ready_) {
    double mean = 0;
    for (double r : rewards) mean += r;
    baseline_ = mean / static_cast<double>(rewards.size());
    baseline_ready_ = true;
  }
  std::vector<float> advantages;
  for (double r : rewards) {
    advantages.push_back(static_cast<float>(r - baseline_));
    baseline_ = options_.baseline_decay * baseline_ + (1.0 - options_.baseline_decay) * r;
  }

  const torch::Tensor t = token_tensor(tokens);
  const torch::Tensor adv = torch::tensor(advantages);
  const int64_t n = static_cast<int64_t>(tokens.size());
  const auto never = [](const double*, int) -> int64_t { return 0; };
  torch::Tensor old_log_prob;
  {
    torch::NoGradGuard no_grad;
    old_log_prob = model_->policy->run(n, &t, never, nullptr).first;
  }
  const bool ppo = options_.algorithm == ControllerOptions::Algorithm::kPpo;
  const int epochs = ppo ? options_.ppo_epochs : 1;
  for (int e = 0; e < epochs; ++e) {
    auto [log_prob, entropy] = model_->policy->run(n, &t, never, nullptr);
    torch::Tensor objective;
    if (ppo) {
      const torch::Tensor ratio = (log_prob - old_log_prob).exp();
      objective = torch::min(ratio * adv, ratio.clamp(1 - options_.clip, 1 + options_.clip) * adv);
    } else {
      objective = log_prob * adv;
    }
    const torch::Tensor loss = -objective.mean() - options_.entropy_weight * entropy.mean();
    model_->optimizer.zero_grad();
    loss.backward();
    model_->optimizer.step();
  }
  ++updates_;
}

std::string Controller::save_state() const {
  nlohmann::json j = strategy_state::header(name(), space_, rng_);
  j["baseline"] = baseline_;
  j["baseline_ready"] = baseline_ready_;
  j["updates"] = updates_;
  j["hidden"] = options_.hidden;
  torch::serialize::OutputArchive archive;
  model_->policy->save(archive);
  torch::serialize::OutputArchive optimizer;
  model_->optimizer.save(optimizer);
  archive.write("optimizer", optimizer);
  std::ostringstream weights;
  archive.save_to(weights);
  // JSON header, a NUL, then LibTorch's archive of the weights and the Adam state.
  return j.dump() + std::string(1, '\0') + weights.str();
}

void Controller::load_state(std::string_view state) {
  const size_t split = state.find('\0');
  if (split == std::string_view::npos) throw Error("strategy state: damaged (no weights)");
  const nlohmann::json j = strategy_state::check_header(state.substr(0, split), name(), space_);
  auto model = std::make_unique<Model>(strategy_state::vocabulary(space_), options_, 0);
  std::mt19937_64 rng;
  double baseline = 0;
  bool ready = false;
  int updates = 0;
  try {
    if (j.at("hidden").get<int>() != options_.hidden) {
      throw Error("strategy state: saved with " + std::to_string(j.at("hidden").get<int>()) +
                  " hidden units, not " + std::to_string(options_.hidden));
    }
    rng = strategy_state::load_rng(j.at("rng").get<std::string>());
    baseline = j.at("baseline").get<double>();
    ready = j.at("baseline_ready").get<bool>();
    updates = j.at("updates").get<int>();
    std::istringstream in(std::string(state.substr(split + 1)));
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    model->policy->load(archive);
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    model->optimizer.load(optimizer);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("strategy state: damaged (") + e.what() + ")");
  } catch (const c10::Error& e) {
    throw Error(std::string("strategy state: damaged weights (") + e.what_without_backtrace() +
                ")");
  }
  model_ = std::move(model);
  rng_ = rng;
  baseline_ = baseline;
  baseline_ready_ = ready;
  updates_ = updates;
}

}  // namespace mnas
