#include "search/reward.h"

#include <cmath>

#include "base/error.h"
#include "base/number_format.h"

namespace mnas {

RewardOptions RewardOptions::preset(std::string_view name, double target_ms) {
  if (name == "soft") return soft(target_ms);
  if (name == "hard") return hard(target_ms);
  throw Error("reward: unknown preset '" + std::string(name) + "'; use soft or hard");
}

void validate(const RewardOptions& o) {
  if (!std::isfinite(o.target_ms) || o.target_ms <= 0.0) {
    throw Error("target latency: " + format_double(o.target_ms) +
                " ms; must be a finite number > 0");
  }
  for (const auto& [name, value] :
       {std::pair<const char*, double>{"alpha", o.alpha}, {"beta", o.beta}}) {
    if (!std::isfinite(value) || value < -10.0 || value > 0.0) {
      throw Error(std::string(name) + ": " + format_double(value) +
                  " is out of range; must be in [-10, 0] (a positive exponent would reward slower "
                  "models)");
    }
  }
}

double compute_reward(double accuracy, double latency_ms, const RewardOptions& options) {
  validate(options);
  if (!std::isfinite(accuracy) || accuracy < 0.0 || accuracy > 1.0) {
    throw Error("accuracy: " + format_double(accuracy) + " is out of range; must be in [0, 1]");
  }
  if (!std::isfinite(latency_ms) || latency_ms <= 0.0) {
    throw Error("latency: " + format_double(latency_ms) + " ms; must be a finite number > 0");
  }
  const double w = latency_ms <= options.target_ms ? options.alpha : options.beta;
  return accuracy * std::pow(latency_ms / options.target_ms, w);
}

double compute_reward(double accuracy, const std::vector<double>& ratios,
                      const RewardOptions& options) {
  RewardOptions exponents = options;
  exponents.target_ms = 1.0;  // only the exponents matter here
  validate(exponents);
  if (!std::isfinite(accuracy) || accuracy < 0.0 || accuracy > 1.0) {
    throw Error("accuracy: " + format_double(accuracy) + " is out of range; must be in [0, 1]");
  }
  if (ratios.empty()) throw Error("latency: no device measured");
  double reward = accuracy;
  for (double r : ratios) {
    if (!std::isfinite(r) || r <= 0.0) {
      throw Error("latency ratio: " + format_double(r) + "; must be a finite number > 0");
    }
    reward *= std::pow(r, r <= 1.0 ? options.alpha : options.beta);
  }
  return reward;
}

}  // namespace mnas
