// The registry of verdict checks (reproduce/checks.h) and the helpers every check uses.
#include "grokscope/reproduce/checks.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "check_util.h"
#include "grokscope/plot/gnuplot.h"
#include "grokscope/sweep/grid.h"

namespace grokscope::reproduce {

namespace {
struct Entry {
  const char* name;
  CheckFn fn;
};
constexpr Entry kChecks[] = {
    {"musat_toy_decay", detail::check_mu1},
    {"musat_toy_plane", detail::check_mu2},
    {"musat_isolated", detail::check_mu5},
    {"musat_direction", detail::check_mu4},
    {"lyu_grokking", detail::check_ly_grokking},
    {"lyu_alpha_sweep", detail::check_ly_alpha_sweep},
    {"lyu_weight_decay", detail::check_ly_weight_decay},
    {"lyu_diagonal", detail::check_ly_diagonal},
    {"lyu_misgrokking", detail::check_ly_misgrokking},
    {"lyu_matrix_completion", detail::check_ly_matrix},
    {"lyu_no_weight_decay", detail::check_ly_no_wd},
    {"lyu_label_noise", detail::check_ly_label_noise},
    {"tan_srank", detail::check_tc_srank},
    {"tan_lambda", detail::check_tc_lambda},
    {"tan_balance", detail::check_tc_balance},
    {"tan_fast_clock", detail::check_tc_fast},
    {"tan_relu_bridge", detail::check_tc_relu_bridge},
    {"musat_gradient_orthogonality", detail::check_mu3},
    {"demo_representation_clock", detail::check_demo_representation},
    {"nanda_phases", detail::check_na1},
    {"nanda_sweep", detail::check_na2},
    {"omnigrok_fixed_norm", detail::check_og3},
    {"power_delay", detail::check_power_delay},
    {"power_fraction", detail::check_power_fraction},
};
}  // namespace

CheckFn find_check(const std::string& name) {
  for (const auto& e : kChecks)
    if (name == e.name) return e.fn;
  return nullptr;
}

std::vector<std::string> check_names() {
  std::vector<std::string> out;
  for (const auto& e : kChecks) out.push_back(e.name);
  return out;
}

double RunData::config_number(const std::string& dotted) const {
  const nlohmann::json* node = &record.config;
  size_t start = 0;
  while (start <= dotted.size()) {
    const size_t dot = dotted.find('.', start);
    const std::string seg = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(seg)) return kNaN;
    node = &(*node)[seg];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node->is_number() ? node->get<double>() : kNaN;
}

double RunData::clock_step(const std::string& clock) const {
  const sweep::ClockValue* c = record.clock(clock);
  return c && c->fired ? c->step : kNaN;
}

std::vector<double> RunData::column(const std::string& col) const {
  const int i = metrics.find(col);
  return i < 0 ? std::vector<double>{} : metrics.values[static_cast<size_t>(i)];
}

double CheckInput::param(const std::string& name, double fallback) const {
  const auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

namespace detail {

std::string columns_text(const std::vector<std::string>& header, const std::vector<std::vector<double>>& cols) {
  std::ostringstream out;
  out << "#";
  for (const auto& h : header) out << " " << h;
  out << "\n";
  const size_t n = cols.empty() ? 0 : cols[0].size();
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < cols.size(); ++c) out << (c ? " " : "") << plot::gp_num(r < cols[c].size() ? cols[c][r] : kNaN);
    out << "\n";
  }
  return out.str();
}

std::string run_label(const RunData& run) {
  std::string out;
  for (const auto& [key, value] : run.record.axes) {
    const size_t dot = key.rfind('.');
    out += (out.empty() ? "" : ", ") + (dot == std::string::npos ? key : key.substr(dot + 1)) + "=" +
           sweep::value_label(value);
  }
  return out.empty() ? run.name : out;
}

int64_t settle_index(const std::vector<double>& x, double x_inf, double frac) {
  if (x.empty()) return -1;
  std::vector<double> gap(x.size());
  for (size_t i = 0; i < x.size(); ++i) gap[i] = std::abs(x[i] - x_inf);
  return settled_crossing(gap, frac * gap[0], true);
}

double value_at_step(const RunData& run, const std::string& col, double step) {
  const auto s = run.column("step"), v = run.column(col);
  for (size_t i = 0; i < s.size() && i < v.size(); ++i)
    if (s[i] >= step) return v[i];
  return kNaN;
}

GrokClocks grok_clocks(const RunData& run) {
  GrokClocks c;
  c.t_fit = run.clock_step("t_fit");
  c.t_gen = run.clock_step("t_gen");
  c.acc_test_at_fit = value_at_step(run, "acc_test", c.t_fit);
  c.chance = 1.0 / run.config_number("task.p");
  return c;
}

}  // namespace detail
}  // namespace grokscope::reproduce
