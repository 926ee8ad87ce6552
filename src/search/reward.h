#ifndef MNAS_SEARCH_REWARD_H_
#define MNAS_SEARCH_REWARD_H_

#include <string>
#include <string_view>
#include <vector>

namespace mnas {

// MnasNet's multi-objective reward:
//   R(m) = ACC(m) · (LAT(m) / T)^w,   w = alpha if LAT(m) ≤ T, else beta.
// Presets: "soft" (alpha = beta = −0.07: twice the latency is worth about 5% more accuracy, so the
// search trades smoothly around T) and "hard" (alpha = 0, beta = −1: no reward for being faster
// than T, a steep penalty for being slower).
struct RewardOptions {
  double target_ms = 0.0;  // T in milliseconds; must be > 0. No default: it is the user's budget.
  double alpha = -0.07;    // exponent at or under the target; Default: −0.07 (soft)
  double beta = -0.07;     // exponent over the target; Default: −0.07 (soft)

  static RewardOptions soft(double target_ms) { return {target_ms, -0.07, -0.07}; }
  static RewardOptions hard(double target_ms) { return {target_ms, 0.0, -1.0}; }
  // "soft" or "hard"; throws mnas::Error naming the accepted presets otherwise.
  static RewardOptions preset(std::string_view name, double target_ms);
};

// Throws mnas::Error unless T is finite and > 0 and alpha, beta are finite and in [−10, 0]
// (a positive exponent would reward slower models).
void validate(const RewardOptions& options);

// R(m) as above. Throws mnas::Error for accuracy outside [0, 1], a latency that is not finite and
// > 0, or invalid options.
double compute_reward(double accuracy, double latency_ms, const RewardOptions& options);

// With several devices: R(m) = ACC(m) · Π_d (LAT_d / T_d)^w_d, w_d = alpha if LAT_d ≤ T_d, else
// beta, from each device's ratio LAT_d / T_d (options.target_ms is not used). Throws mnas::Error
// for accuracy outside [0, 1], no ratio, or a ratio that is not finite and > 0.
double compute_reward(double accuracy, const std::vector<double>& ratios,
                      const RewardOptions& options);

}  // namespace mnas

#endif  // MNAS_SEARCH_REWARD_H_
