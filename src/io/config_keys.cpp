// The registry of config keys: one table of descriptors per section (config_keys.h says how to add a key).
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <type_traits>

#include <fmt/format.h>

#include "config_keys.h"

namespace grokscope::config_detail {

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Every value of each enum of train/config.h, in the order error messages list them. A new enum needs a line here.

constexpr auto all_values(TaskKind) {
  return std::array{TaskKind::modular, TaskKind::teacher_classes, TaskKind::sparse_linear, TaskKind::gaussian_margin,
                    TaskKind::matrix_completion, TaskKind::toy_regression, TaskKind::sparse_regression};
}
constexpr auto all_values(PairSet) { return std::array{PairSet::ordered, PairSet::unordered}; }
constexpr auto all_values(Encoding) { return std::array{Encoding::concat, Encoding::sum, Encoding::tokens}; }
constexpr auto all_values(GroundTruth) { return std::array{GroundTruth::multiplication, GroundTruth::random_psd}; }
constexpr auto all_values(ToyProblem) {
  return std::array{ToyProblem::one_plus_one, ToyProblem::one_plus_one_plus_one};
}
constexpr auto all_values(ModelKind) {
  return std::array{ModelKind::mlp, ModelKind::embedding_mlp, ModelKind::diagonal, ModelKind::matrix_factorization,
                    ModelKind::transformer};
}
constexpr auto all_values(Activation) {
  return std::array{Activation::relu, Activation::leaky_relu, Activation::quadratic, Activation::identity,
                    Activation::tanh};
}
constexpr auto all_values(BiasMode) { return std::array{BiasMode::none, BiasMode::first, BiasMode::all}; }
constexpr auto all_values(InitKind) {
  return std::array{InitKind::he, InitKind::lecun, InitKind::normal, InitKind::torch_default};
}
constexpr auto all_values(LossKind) {
  return std::array{LossKind::cross_entropy, LossKind::mse, LossKind::logistic, LossKind::squared};
}
constexpr auto all_values(MseReduction) { return std::array{MseReduction::mean, MseReduction::sum_classes}; }
constexpr auto all_values(OptimKind) {
  return std::array{OptimKind::sgd, OptimKind::adam, OptimKind::adamw, OptimKind::gradient_flow};
}
constexpr auto all_values(LrSchedule) { return std::array{LrSchedule::constant, LrSchedule::loss_scaled}; }
constexpr auto all_values(GradFilterKind) {
  return std::array{GradFilterKind::none, GradFilterKind::ema, GradFilterKind::ma};
}
constexpr auto all_values(MaFilter) { return std::array{MaFilter::mean, MaFilter::sum}; }
constexpr auto all_values(Dtype) { return std::array{Dtype::f32, Dtype::f64}; }
constexpr auto all_values(EvalScheduleKind) { return std::array{EvalScheduleKind::log, EvalScheduleKind::linear}; }

// ---------------------------------------------------------------------------------------------------------------
// Codec<T>: how a member of C++ type T is read from a node, and written as TOML text and as JSON.

using Text = std::optional<std::string>;
using Json = std::optional<nlohmann::json>;

std::vector<std::string> no_choices() { return {}; }

template <class T, class F>
std::string array_text(const std::vector<T>& values, F text) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + text(values[i]);
  return out + "]";
}

template <class T>
struct Codec;

template <>
struct Codec<int> {  // 32-bit keys (task.p, train.threads, ...)
  static constexpr KeyType type = KeyType::int32;
  static int read(const toml::node& n, const std::string& k) { return get_int32(n, k); }
  static Text toml(int v) { return std::to_string(v); }
  static Json json(int v) { return v; }
};

template <>
struct Codec<int64_t> {
  static constexpr KeyType type = KeyType::int64;
  static int64_t read(const toml::node& n, const std::string& k) { return get_int(n, k); }
  static Text toml(int64_t v) { return std::to_string(v); }
  static Json json(int64_t v) { return v; }
};

template <>
struct Codec<uint64_t> {  // seeds: above 2^63 - 1 (not a TOML integer) written as a decimal string
  static constexpr KeyType type = KeyType::u64;
  static uint64_t read(const toml::node& n, const std::string& k) { return get_u64(n, k); }
  static Text toml(uint64_t v) {
    return v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::to_string(v)
                                                                            : toml_quote(std::to_string(v));
  }
  static Json json(uint64_t v) { return v; }
};

template <>
struct Codec<double> {
  static constexpr KeyType type = KeyType::float64;
  static double read(const toml::node& n, const std::string& k) { return get_double(n, k); }
  static Text toml(double v) { return toml_double(v); }
  static Json json(double v) { return v; }
};

template <>
struct Codec<std::optional<double>> {  // unset: not written at all
  static constexpr KeyType type = KeyType::optional_float;
  static std::optional<double> read(const toml::node& n, const std::string& k) { return get_double(n, k); }
  static Text toml(std::optional<double> v) { return v ? Text(toml_double(*v)) : std::nullopt; }
  static Json json(std::optional<double> v) { return v ? Json(*v) : std::nullopt; }
};

template <>
struct Codec<bool> {
  static constexpr KeyType type = KeyType::boolean;
  static bool read(const toml::node& n, const std::string& k) { return get_bool(n, k); }
  static Text toml(bool v) { return v ? "true" : "false"; }
  static Json json(bool v) { return v; }
};

template <>
struct Codec<std::string> {
  static constexpr KeyType type = KeyType::string;
  static std::string read(const toml::node& n, const std::string& k) { return get_string(n, k); }
  static Text toml(const std::string& v) { return toml_quote(v); }
  static Json json(const std::string& v) { return v; }
};

template <>
struct Codec<std::vector<int>> {
  static constexpr KeyType type = KeyType::int_array;
  static std::vector<int> read(const toml::node& n, const std::string& k) { return get_int_array(n, k); }
  static Text toml(const std::vector<int>& v) { return array_text(v, [](int x) { return std::to_string(x); }); }
  static Json json(const std::vector<int>& v) { return v; }
};

template <>
struct Codec<std::vector<double>> {
  static constexpr KeyType type = KeyType::float_array;
  static std::vector<double> read(const toml::node& n, const std::string& k) { return get_double_array(n, k); }
  static Text toml(const std::vector<double>& v) { return array_text(v, toml_double); }
  static Json json(const std::vector<double>& v) { return v; }
};

template <>
struct Codec<std::vector<std::string>> {
  static constexpr KeyType type = KeyType::string_array;
  static std::vector<std::string> read(const toml::node& n, const std::string& k) { return get_string_array(n, k); }
  static Text toml(const std::vector<std::string>& v) { return array_text(v, toml_quote); }
  static Json json(const std::vector<std::string>& v) { return v; }
};

template <class E>
  requires std::is_enum_v<E>
struct Codec<E> {  // names from to_string (train/config.h)
  static constexpr KeyType type = KeyType::enumeration;
  static std::vector<std::string> choices() {
    std::vector<std::string> names;
    for (const E e : all_values(E{})) names.emplace_back(to_string(e));
    return names;
  }
  static E read(const toml::node& n, const std::string& k) { return all_values(E{})[get_choice(n, k, choices())]; }
  static Text toml(E v) { return toml_quote(to_string(v)); }
  static Json json(E v) { return to_string(v); }
};

template <class T>
std::vector<std::string> choices_of() {
  if constexpr (std::is_enum_v<T>) return Codec<T>::choices();
  else return {};
}

// ---------------------------------------------------------------------------------------------------------------
// key<&Section::member>("name"): the descriptor of one key, for the table of the member's section.

// How a table's Root reaches the struct that holds a member: a section of RunConfig, or the root itself.
template <class C>
struct Access {
  using Root = C;
  static C& get(C& r) { return r; }
  static const C& get(const C& r) { return r; }
};
template <auto Section>
struct SectionAccess {
  using Root = RunConfig;
  static auto& get(RunConfig& r) { return r.*Section; }
  static const auto& get(const RunConfig& r) { return r.*Section; }
};
template <> struct Access<TaskConfig> : SectionAccess<&RunConfig::task> {};
template <> struct Access<ModelConfig> : SectionAccess<&RunConfig::model> {};
template <> struct Access<LossConfig> : SectionAccess<&RunConfig::loss> {};
template <> struct Access<OptimConfig> : SectionAccess<&RunConfig::optim> {};
template <> struct Access<TrainConfig> : SectionAccess<&RunConfig::train> {};
template <> struct Access<EvalConfig> : SectionAccess<&RunConfig::eval> {};

template <class M>
struct MemberOf;
template <class C, class T>
struct MemberOf<T C::*> {
  using Class = C;
  using Type = T;
};

template <auto Member>
constexpr auto key(const char* name) {
  using A = Access<typename MemberOf<decltype(Member)>::Class>;
  using Root = typename A::Root;
  using T = typename MemberOf<decltype(Member)>::Type;
  return Key<Root>{name, Codec<T>::type, &choices_of<T>,
                   [](const toml::node& n, const std::string& k, Root& r) { A::get(r).*Member = Codec<T>::read(n, k); },
                   [](const Root& r) { return Codec<T>::toml(A::get(r).*Member); },
                   [](const Root& r) { return Codec<T>::json(A::get(r).*Member); }};
}

// ---------------------------------------------------------------------------------------------------------------
// The two keys that are not one member each: optim.betas (beta1, beta2) and optim.groups (a table of tables).

void read_betas(const toml::node& n, const std::string& k, RunConfig& c) {
  const auto betas = get_double_array(n, k);
  if (betas.size() != 2)
    throw ConfigError(k, render(n), fmt::format("expected 2 numbers [beta1, beta2], got {}", betas.size()));
  c.optim.beta1 = betas[0];
  c.optim.beta2 = betas[1];
}
Text betas_toml(const RunConfig& c) { return Codec<std::vector<double>>::toml({c.optim.beta1, c.optim.beta2}); }
Json betas_json(const RunConfig& c) { return nlohmann::json::array({c.optim.beta1, c.optim.beta2}); }

std::string group_key_names(const std::string& before, const std::string& after) {
  std::vector<std::string> names;
  for (const auto& key : group_keys()) names.push_back(before + key.name + after);
  return join(names);
}

void read_groups(const toml::node& node, const std::string& key, RunConfig& c) {
  const auto* table = node.as_table();
  if (!table) wrong_type(node, key, "a table of tables (" + group_key_names(key + ".<name>.", "") + ")");
  auto& groups = c.optim.groups;
  groups.clear();
  for (auto&& [name, group_node] : *table) {
    const std::string group_key = key + "." + std::string(name.str());
    // A group names a parameter group or tensor: printable ASCII (quotes and backslashes are escaped when written).
    // Bytes outside it could not be written back to config.toml (found by fuzzing: bytes that are not UTF-8).
    const auto allowed = [](char ch) { return ch >= 0x20 && ch < 0x7f; };
    if (name.str().empty() || !std::all_of(name.str().begin(), name.str().end(), allowed))
      throw ConfigError(key, "\"" + std::string(name.str()) + "\"",
                        "a group name is printable ASCII (the name of a parameter group or tensor)");
    const auto* group_table = group_node.as_table();
    if (!group_table) wrong_type(group_node, group_key, "a table (with keys " + group_key_names("", "") + ")");
    GroupOverride g;
    read_keys(*group_table, group_key, group_keys(), g);
    groups[std::string(name.str())] = g;
  }
}

Text groups_toml(const RunConfig& c) {
  if (c.optim.groups.empty())
    return "# no per-group overrides ([optim.groups.<name>] with " + group_key_names("", "") + ")\n";
  std::string out;
  for (const auto& [name, group] : c.optim.groups)
    out += "\n[optim.groups." + toml_key(name) + "]\n" + write_keys(group_keys(), group);
  return out;
}

Json groups_json(const RunConfig& c) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, group] : c.optim.groups) out[name] = json_keys(group_keys(), group);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The tables: one line per key, in the order to_toml writes them and error messages list them (docs/config.md).

constexpr Key<RunConfig> kTask[] = {
    key<&TaskConfig::kind>("kind"),
    key<&TaskConfig::op>("op"),
    key<&TaskConfig::p>("p"),
    key<&TaskConfig::pairs>("pairs"),
    key<&TaskConfig::encoding>("encoding"),
    key<&TaskConfig::train_fraction>("train_fraction"),
    key<&TaskConfig::n_train>("n_train"),
    key<&TaskConfig::split_seed>("split_seed"),
    key<&TaskConfig::d>("d"),
    key<&TaskConfig::n_classes>("n_classes"),
    key<&TaskConfig::n_test>("n_test"),
    key<&TaskConfig::sparsity>("sparsity"),
    key<&TaskConfig::margin>("margin"),
    key<&TaskConfig::ground_truth>("ground_truth"),
    key<&TaskConfig::rank>("rank"),
    key<&TaskConfig::toy>("toy"),
};

constexpr Key<RunConfig> kModel[] = {
    key<&ModelConfig::kind>("kind"),
    key<&ModelConfig::hidden>("hidden"),
    key<&ModelConfig::activation>("activation"),
    key<&ModelConfig::leaky_slope>("leaky_slope"),
    key<&ModelConfig::bias>("bias"),
    key<&ModelConfig::init>("init"),
    key<&ModelConfig::init_std>("init_std"),
    key<&ModelConfig::init_scale>("init_scale"),
    key<&ModelConfig::zero_last_layer>("zero_last_layer"),
    key<&ModelConfig::embedding_dim>("embedding_dim"),
    key<&ModelConfig::depth>("depth"),
    key<&ModelConfig::init_noise>("init_noise"),
    key<&ModelConfig::init_values>("init_values"),
    key<&ModelConfig::layers>("layers"),
    key<&ModelConfig::d_model>("d_model"),
    key<&ModelConfig::heads>("heads"),
    key<&ModelConfig::d_mlp>("d_mlp"),
    key<&ModelConfig::layer_norm>("layer_norm"),
    key<&ModelConfig::mlp_bias>("mlp_bias"),
    key<&ModelConfig::attn_bias>("attn_bias"),
    key<&ModelConfig::unembed_bias>("unembed_bias"),
};

constexpr Key<RunConfig> kLoss[] = {
    key<&LossConfig::kind>("kind"),
    key<&LossConfig::mse_reduction>("mse_reduction"),
};

constexpr Key<RunConfig> kOptim[] = {
    key<&OptimConfig::kind>("kind"),
    key<&OptimConfig::lr>("lr"),
    key<&OptimConfig::weight_decay>("weight_decay"),
    key<&OptimConfig::momentum>("momentum"),
    key<&OptimConfig::nesterov>("nesterov"),
    {"betas", KeyType::float_pair, &no_choices, &read_betas, &betas_toml, &betas_json},
    key<&OptimConfig::eps>("eps"),
    key<&OptimConfig::warmup_steps>("warmup_steps"),
    key<&OptimConfig::schedule>("schedule"),
    key<&OptimConfig::loss_scaled_initial_phase>("loss_scaled_initial_phase"),
    key<&OptimConfig::flow_rtol>("flow_rtol"),
    key<&OptimConfig::flow_atol>("flow_atol"),
    key<&OptimConfig::flow_dt_max>("flow_dt_max"),
    key<&OptimConfig::flow_dt_floor>("flow_dt_floor"),
    key<&OptimConfig::fixed_norm>("fixed_norm"),
    key<&OptimConfig::grad_filter>("grad_filter"),
    key<&OptimConfig::ema_alpha>("ema_alpha"),
    key<&OptimConfig::ema_lamb>("ema_lamb"),
    key<&OptimConfig::ma_window>("ma_window"),
    key<&OptimConfig::ma_lamb>("ma_lamb"),
    key<&OptimConfig::ma_filter>("ma_filter"),
    key<&OptimConfig::ma_warmup>("ma_warmup"),
    {"groups", KeyType::groups, &no_choices, &read_groups, &groups_toml, &groups_json},  // written last
};

constexpr Key<RunConfig> kTrain[] = {
    key<&TrainConfig::steps>("steps"),
    key<&TrainConfig::batch_size>("batch_size"),
    key<&TrainConfig::seed>("seed"),
    key<&TrainConfig::dtype>("dtype"),
    key<&TrainConfig::threads>("threads"),
    key<&TrainConfig::early_stop>("early_stop"),
    key<&TrainConfig::early_stop_margin>("early_stop_margin"),
    key<&TrainConfig::label_noise_std>("label_noise_std"),
    key<&TrainConfig::max_memory>("max_memory"),
};

constexpr Key<RunConfig> kEval[] = {
    key<&EvalConfig::schedule>("schedule"),
    key<&EvalConfig::points_per_decade>("points_per_decade"),
    key<&EvalConfig::every>("every"),
    key<&EvalConfig::acc_threshold>("acc_threshold"),
    key<&EvalConfig::loss_eps>("loss_eps"),
    key<&EvalConfig::fit_loss>("fit_loss"),
    key<&EvalConfig::gen_loss>("gen_loss"),
    key<&EvalConfig::record_trajectory>("record_trajectory"),
    key<&EvalConfig::probes>("probes"),
    key<&EvalConfig::zl_lookback>("zl_lookback"),
    key<&EvalConfig::zl_project_steps>("zl_project_steps"),
    key<&EvalConfig::zl_project_lr>("zl_project_lr"),
    key<&EvalConfig::zl_project_momentum>("zl_project_momentum"),
    key<&EvalConfig::zl_project_tol>("zl_project_tol"),
    key<&EvalConfig::zl_rank_rtol>("zl_rank_rtol"),
    key<&EvalConfig::rep_metric>("rep_metric"),
    key<&EvalConfig::rep_eta>("rep_eta"),
};

constexpr Key<GroupOverride> kGroup[] = {
    key<&GroupOverride::lr>("lr"),
    key<&GroupOverride::weight_decay>("weight_decay"),
};

constexpr std::array<Section, 6> kSections = {{
    {"task", kTask},
    {"model", kModel},
    {"loss", kLoss},
    {"optim", kOptim},
    {"train", kTrain},
    {"eval", kEval},
}};

}  // namespace

std::span<const Section> sections() { return kSections; }
std::span<const Key<GroupOverride>> group_keys() { return kGroup; }

const char* to_string(KeyType type) {
  switch (type) {
    case KeyType::int32: return "int (32-bit)";
    case KeyType::int64: return "int";
    case KeyType::u64: return "uint64";
    case KeyType::float64: return "float";
    case KeyType::boolean: return "bool";
    case KeyType::string: return "string";
    case KeyType::enumeration: return "enum";
    case KeyType::int_array: return "array of ints";
    case KeyType::float_array: return "array of floats";
    case KeyType::float_pair: return "array of 2 floats";
    case KeyType::optional_float: return "float (optional)";
    case KeyType::groups: return "table of tables";
    case KeyType::string_array: return "array of strings";
  }
  return "?";
}

}  // namespace grokscope::config_detail
