// Config keys of the synthetic tasks and the model zoo, and the key registry (every key written, typed, documented).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "grokscope/io/config_toml.h"
#include "io/config_test_util.h"

namespace grokscope {
namespace {

using config_test::expect_error;
using config_test::expect_same;
using config_test::parse;

// ---------------------------------------------------------------------------------------------------------------
// Keys of the synthetic tasks and the model zoo (task.kind, model.kind, ...)

// Every key added with the synthetic tasks, away from its default.
RunConfig unusual_new_keys() {
  RunConfig c;
  c.task.kind = TaskKind::matrix_completion;
  c.task.d = int64_t{1} << 40;
  c.task.n_classes = 7;
  c.task.n_test = 123456789012;
  c.task.sparsity = 5;
  c.task.margin = 0.1 + 0.2;
  c.task.ground_truth = GroundTruth::random_psd;
  c.task.rank = 3;
  c.task.toy = ToyProblem::one_plus_one_plus_one;
  c.model.kind = ModelKind::matrix_factorization;
  c.model.embedding_dim = 64;
  c.model.depth = 4;
  c.model.init_noise = 1e-3;
  c.model.init_values = {0.5, -1e-300, 1.0 / 3.0};
  c.loss.kind = LossKind::squared;
  c.eval.fit_loss = 5e-324;
  c.eval.gen_loss = 0.25;
  c.eval.record_trajectory = true;
  return c;
}

TEST(ConfigToml, NewKeysDefaults) {
  const RunConfig c = parse("");
  EXPECT_EQ(c.task.kind, TaskKind::modular);
  EXPECT_EQ(c.model.kind, ModelKind::mlp);
  EXPECT_EQ(c.task.d, 0);
  EXPECT_EQ(c.task.n_classes, 0);
  EXPECT_EQ(c.task.sparsity, 3);
  EXPECT_EQ(c.model.embedding_dim, 128);
  EXPECT_TRUE(c.model.init_values.empty());
  EXPECT_EQ(c.eval.fit_loss, 1e-4);
  EXPECT_FALSE(c.eval.record_trajectory);
  EXPECT_EQ(c.optim.schedule, LrSchedule::constant);
  const std::string text = to_toml(c);
  for (const char* part : {"[task]\nkind = \"modular\"\nop = \"add\"", "[model]\nkind = \"mlp\"\nhidden = [256]",
                           "\nd = 0\n", "n_classes = 0", "n_test = 0", "sparsity = 3", "margin = 0.0",
                           "ground_truth = \"multiplication\"", "rank = 1", "toy = \"one_plus_one\"",
                           "embedding_dim = 128", "depth = 2", "init_noise = 0.0", "init_values = []",
                           "fit_loss = 0.0001", "gen_loss = 0.001", "record_trajectory = false",
                           "warmup_steps = 0\nschedule = \"constant\""})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

// optim.schedule (the loss-scaled schedule of Lyu et al. App. B.1): from a file, from --set, round trip, bad value.
TEST(ConfigToml, OptimSchedule) {
  const RunConfig c = parse("[optim]\nkind = \"sgd\"\nschedule = \"loss_scaled\"\n");
  EXPECT_EQ(c.optim.schedule, LrSchedule::loss_scaled);
  expect_same(parse("", {"optim.kind=sgd", "optim.schedule=loss_scaled"}), c);
  expect_same(parse_run_config(to_toml(c), {}, ""), c);
  EXPECT_NE(to_toml(c).find("schedule = \"loss_scaled\""), std::string::npos);
  expect_error("", {"optim.schedule=loss"}, {"optim.schedule", "loss", "constant, loss_scaled"});
}

TEST(ConfigToml, RoundTripNewKeys) {
  const RunConfig c = unusual_new_keys();
  const RunConfig back = parse_run_config(to_toml(c), {}, "");
  expect_same(back, c);
  EXPECT_EQ(back.task.kind, TaskKind::matrix_completion);
  EXPECT_EQ(back.task.d, int64_t{1} << 40);
  EXPECT_EQ(back.task.n_classes, 7);
  EXPECT_EQ(back.task.n_test, 123456789012);
  EXPECT_EQ(back.task.sparsity, 5);
  EXPECT_EQ(back.task.margin, 0.1 + 0.2);
  EXPECT_EQ(back.task.ground_truth, GroundTruth::random_psd);
  EXPECT_EQ(back.task.rank, 3);
  EXPECT_EQ(back.task.toy, ToyProblem::one_plus_one_plus_one);
  EXPECT_EQ(back.model.kind, ModelKind::matrix_factorization);
  EXPECT_EQ(back.model.embedding_dim, 64);
  EXPECT_EQ(back.model.depth, 4);
  EXPECT_EQ(back.model.init_noise, 1e-3);
  EXPECT_EQ(back.model.init_values, c.model.init_values);
  EXPECT_EQ(back.loss.kind, LossKind::squared);
  EXPECT_EQ(back.eval.fit_loss, 5e-324);
  EXPECT_EQ(back.eval.gen_loss, 0.25);
  EXPECT_TRUE(back.eval.record_trajectory);

  // The same values written by hand and as --set overrides.
  const std::string file =
      "[task]\nkind = \"matrix_completion\"\nd = 1099511627776\nn_classes = 7\nn_test = 123456789012\nsparsity = 5\n"
      "margin = 0.30000000000000004\nground_truth = \"random_psd\"\nrank = 3\ntoy = \"one_plus_one_plus_one\"\n"
      "[model]\nkind = \"matrix_factorization\"\nembedding_dim = 64\ndepth = 4\ninit_noise = 1e-3\n"
      "init_values = [0.5, -1e-300, 0.3333333333333333]\n[loss]\nkind = \"squared\"\n"
      "[eval]\nfit_loss = 5e-324\ngen_loss = 0.25\nrecord_trajectory = true\n";
  expect_same(parse(file), c);
  const RunConfig set = parse("", {"task.kind=matrix_completion", "task.d=1099511627776", "task.n_classes=7",
                                   "task.n_test=123456789012", "task.sparsity=5", "task.margin=0.30000000000000004",
                                   "task.ground_truth=random_psd", "task.rank=3", "task.toy=one_plus_one_plus_one",
                                   "model.kind=matrix_factorization", "model.embedding_dim=64", "model.depth=4",
                                   "model.init_noise=1e-3", "model.init_values=[0.5, -1e-300, 0.3333333333333333]",
                                   "loss.kind=squared", "eval.fit_loss=5e-324", "eval.gen_loss=0.25",
                                   "eval.record_trajectory=true"});
  expect_same(set, c);

  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j["task"]["kind"], "matrix_completion");
  EXPECT_EQ(j["task"]["d"], int64_t{1} << 40);
  EXPECT_EQ(j["task"]["ground_truth"], "random_psd");
  EXPECT_EQ(j["task"]["toy"], "one_plus_one_plus_one");
  EXPECT_EQ(j["model"]["kind"], "matrix_factorization");
  EXPECT_EQ(j["model"]["init_values"], nlohmann::json::array({0.5, -1e-300, 1.0 / 3.0}));
  EXPECT_EQ(j["loss"]["kind"], "squared");
  EXPECT_EQ(j["eval"]["record_trajectory"], true);
  EXPECT_EQ(j["eval"]["gen_loss"], 0.25);
}

TEST(ConfigToml, NewKeysWrongTypes) {
  expect_error("[task]\nd = \"big\"\n", {}, {"task.d = \"big\"", "expected an integer, got a string"});
  expect_error("[task]\nn_classes = 3000000000\n", {}, {"task.n_classes = 3000000000", "out of range"});
  expect_error("[task]\nsparsity = 2.5\n", {}, {"task.sparsity = 2.5", "integer"});
  expect_error("[task]\nmargin = true\n", {}, {"task.margin = true", "expected a number"});
  expect_error("[task]\nrank = [1]\n", {}, {"task.rank = [1]", "expected an integer"});
  expect_error("[model]\ndepth = 1.5\n", {}, {"model.depth = 1.5", "integer"});
  expect_error("[model]\nembedding_dim = \"wide\"\n", {}, {"model.embedding_dim = \"wide\""});
  expect_error("[model]\ninit_values = 0.5\n", {}, {"model.init_values = 0.5", "array"});
  expect_error("[model]\ninit_values = [1, \"x\"]\n", {}, {"model.init_values = [1, \"x\"]", "element 1"});
  expect_error("[eval]\nrecord_trajectory = 1\n", {}, {"eval.record_trajectory = 1", "boolean"});
  expect_error("[eval]\nfit_loss = \"small\"\n", {}, {"eval.fit_loss = \"small\"", "expected a number"});
}

TEST(ConfigToml, NewEnumNames) {
  expect_error("[task]\nkind = \"mnist\"\n", {},
               {"task.kind = \"mnist\": unknown value (known: modular, teacher_classes, sparse_linear, gaussian_margin, "
                "matrix_completion, toy_regression, sparse_regression)"});
  expect_error("[model]\nkind = \"gpt\"\n", {},
               {"model.kind = \"gpt\": unknown value (known: mlp, embedding_mlp, diagonal, "
                "matrix_factorization, transformer)"});
  expect_error("[loss]\nkind = \"hinge\"\n", {},
               {"loss.kind = \"hinge\": unknown value (known: cross_entropy, mse, logistic, squared)"});
  expect_error("[task]\nground_truth = \"identity\"\n", {},
               {"task.ground_truth = \"identity\"", "multiplication, random_psd"});
  expect_error("[task]\ntoy = \"two\"\n", {}, {"task.toy = \"two\"", "one_plus_one, one_plus_one_plus_one"});
  expect_error("[task]\nkind = 1\n", {}, {"task.kind = 1", "expected a string (one of: modular, teacher_classes"});
}

TEST(ConfigToml, HintForMisplacedNewKeys) {
  expect_error("d = 5\n", {}, {"d = 5: unknown section", "did you mean task.d?"});
  expect_error("depth = 3\n", {}, {"did you mean model.depth?"});
  expect_error("record_trajectory = true\n", {}, {"did you mean eval.record_trajectory?"});
}

TEST(ConfigToml, UnknownKeyListsNewKeys) {
  expect_error("[task]\ndim = 5\n", {},
               {"task.dim: unknown key (known in [task]: kind, op, p, pairs, encoding, train_fraction, n_train, split_seed, "
                "d, n_classes, n_test, sparsity, margin, ground_truth, rank, toy)"});
  expect_error("[model]\nwidth = 5\n", {},
               {"model.width: unknown key (known in [model]: kind, hidden,", "init_values, layers, d_model, heads, d_mlp, layer_norm, mlp_bias, attn_bias, unembed_bias)"});
  expect_error("[eval]\nfit = 5\n", {}, {"eval.fit: unknown key", "fit_loss, gen_loss, record_trajectory, probes, zl_lookback,",
                                          "zl_rank_rtol, rep_metric, rep_eta)"});
}

// The key registry: every key is written by to_toml and to_json in its section, and every name of an enum key is
// accepted back (by --set) and written back the same.
TEST(ConfigKeys, EveryKeyIsWrittenAndEveryEnumNameRoundTrips) {
  const auto keys = config_keys();
  ASSERT_GE(keys.size(), 55u);
  const RunConfig defaults;
  const nlohmann::json j = to_json(defaults);
  for (const auto& info : keys) {
    const size_t dot = info.key.find('.');
    ASSERT_NE(dot, std::string::npos) << info.key;
    const std::string section = info.key.substr(0, dot), name = info.key.substr(dot + 1);
    if (name.rfind("groups.", 0) == 0) continue;  // per-group keys: covered by the optim.groups tests above
    ASSERT_TRUE(j[section].contains(name)) << info.key;
    const std::string text = to_toml(defaults);
    const size_t start = text.find("[" + section + "]\n");
    ASSERT_NE(start, std::string::npos) << section;
    const size_t end = text.find("\n[", start + 1);
    EXPECT_NE(text.substr(start, end - start).find("\n" + name + " = "), std::string::npos) << info.key << "\n" << text;
    EXPECT_EQ(info.type == "enum", !info.values.empty()) << info.key;
    for (const auto& value : info.values) {
      const RunConfig c = parse("", {info.key + "=" + value});
      EXPECT_EQ(to_json(c)[section][name], value) << info.key;
      EXPECT_NE(to_toml(c).find("\n" + name + " = \"" + value + "\"\n"), std::string::npos) << info.key << " " << value;
    }
  }
}

TEST(ConfigKeys, ListedInFileOrderWithTypes) {
  const auto keys = config_keys();
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front().key, "task.kind");
  EXPECT_EQ(keys.back().key, "eval.rep_eta");
  const auto find = [&](const std::string& key) {
    for (const auto& k : keys)
      if (k.key == key) return k;
    ADD_FAILURE() << "no key " << key;
    return ConfigKeyInfo{};
  };
  EXPECT_EQ(find("task.p").type, "int (32-bit)");
  EXPECT_EQ(find("task.d").type, "int");
  EXPECT_EQ(find("train.seed").type, "uint64");
  EXPECT_EQ(find("model.init_values").type, "array of floats");
  EXPECT_EQ(find("eval.probes").type, "array of strings");
  EXPECT_EQ(find("optim.betas").type, "array of 2 floats");
  EXPECT_EQ(find("optim.groups.<name>.lr").type, "float (optional)");
  EXPECT_EQ(find("loss.kind").values, (std::vector<std::string>{"cross_entropy", "mse", "logistic", "squared"}));
}

// docs/config.md has a table row for every key, in its section, naming every value of an enum key.
TEST(ConfigKeys, EveryKeyIsDocumented) {
  std::ifstream in(std::string(GROKSCOPE_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "cannot read docs/config.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  for (const auto& info : config_keys()) {
    const size_t dot = info.key.find('.');
    const std::string section = info.key.substr(0, dot), name = info.key.substr(dot + 1);
    const size_t start = doc.find("\n### `[" + section + "]`");
    ASSERT_NE(start, std::string::npos) << "no section ### `[" << section << "]`";
    const size_t end = std::min(doc.find("\n### ", start + 1), doc.find("\n## ", start + 1));
    const std::string part = doc.substr(start, end - start);
    const size_t row = part.find("\n| `" + name + "` |");
    ASSERT_NE(row, std::string::npos) << "no row for " << info.key << " in the [" << section << "] table";
    const std::string line = part.substr(row + 1, part.find('\n', row + 1) - row - 1);
    for (const auto& value : info.values)
      EXPECT_NE(line.find("`\"" + value + "\"`"), std::string::npos)
          << info.key << ": " << value << " not in\n" << line;
  }
}

TEST(ConfigHash, SensitiveToNewKeys) {
  std::vector<std::string> hashes = {config_hash(RunConfig{})};
  for (const auto& set : std::vector<std::string>{
           "task.kind=teacher_classes", "task.d=20", "task.n_classes=4", "task.n_test=1", "task.sparsity=4",
           "task.margin=0.5", "task.ground_truth=random_psd", "task.rank=2", "task.toy=one_plus_one_plus_one",
           "model.kind=diagonal", "model.embedding_dim=1", "model.depth=3", "model.init_noise=0.5",
           "model.init_values=[0.0]", "loss.kind=logistic", "eval.fit_loss=0.5", "eval.gen_loss=0.5",
           "eval.record_trajectory=true"})
    hashes.push_back(config_hash(parse("", {set})));
  hashes.push_back(config_hash(unusual_new_keys()));
  for (size_t i = 0; i < hashes.size(); ++i)
    for (size_t k = i + 1; k < hashes.size(); ++k) EXPECT_NE(hashes[i], hashes[k]) << i << " vs " << k;
}


}  // namespace
}  // namespace grokscope
