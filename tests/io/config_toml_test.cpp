// TOML config files, --set overrides, canonical JSON and the config hash (io/config_toml.h).
#include "grokscope/io/config_toml.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "grokscope/core/error.h"
#include "io/config_test_util.h"

namespace grokscope {
namespace {

using config_test::error_of;
using config_test::expect_error;
using config_test::expect_same;
using config_test::parse;

// A config with every field away from its default, and awkward values to print.
RunConfig unusual_config() {
  RunConfig c;
  c.task.op = "x3_plus_xy2_plus_y";
  c.task.p = 113;
  c.task.pairs = PairSet::unordered;
  c.task.encoding = Encoding::sum;
  c.task.train_fraction = 0.1 + 0.2;  // 0.30000000000000004
  c.task.n_train = 1234;
  c.task.split_seed = std::numeric_limits<uint64_t>::max();
  c.model.hidden = {1, 512, 3};
  c.model.activation = Activation::leaky_relu;
  c.model.leaky_slope = 1.0 / 3.0;
  c.model.bias = BiasMode::all;
  c.model.init = InitKind::normal;
  c.model.init_std = 5e-324;  // smallest subnormal
  c.model.init_scale = 1.7976931348623157e308;
  c.model.zero_last_layer = true;
  c.loss.kind = LossKind::mse;
  c.loss.mse_reduction = MseReduction::sum_classes;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 1e22;
  c.optim.weight_decay = 1.0;
  c.optim.momentum = 0.95;
  c.optim.nesterov = true;
  c.optim.beta1 = 0.0;
  c.optim.beta2 = 0.99999999999999989;
  c.optim.eps = 1e-300;
  c.optim.warmup_steps = std::numeric_limits<int64_t>::max();
  c.optim.groups["w1"].lr = 0.5;
  c.optim.groups["head"].weight_decay = 0.0;
  c.optim.groups["both"] = GroupOverride{2.0, 3.0};
  c.optim.groups["empty"] = GroupOverride{};
  c.optim.groups["we.ird \"name\"\\"] = GroupOverride{1e-5, std::nullopt};
  c.train.steps = 1000000;
  c.train.batch_size = 512;
  c.train.seed = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  c.train.dtype = Dtype::f64;
  c.train.threads = 3;
  c.train.early_stop = true;
  c.train.early_stop_margin = 2.5;
  c.eval.schedule = EvalScheduleKind::linear;
  c.eval.points_per_decade = 7;
  c.eval.every = 13;
  c.eval.acc_threshold = 1.0;
  c.eval.loss_eps = {0.5, 1e-7, 123456789.125};
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults and round trip

// Found by fuzzing (fuzz_config): a group name that to_toml could not write back (bytes that are not UTF-8).
TEST(ConfigToml, GroupNamesArePrintableAsciiThatRoundTrips) {
  expect_error("", {"optim.groups.w'\xff\xff.lr=0.5"}, {"optim.groups", "printable ASCII"});
  expect_error("[optim.groups.\"a\\tb\"]\nlr = 0.5\n", {}, {"optim.groups", "printable ASCII"});
  const RunConfig c = parse_run_config("", {"optim.groups.\"blocks.0.attn\".lr=0.5"}, "");
  expect_same(parse_run_config(to_toml(c), {}, ""), c);
}

TEST(ConfigToml, EmptyTextGivesDefaults) { expect_same(parse(""), RunConfig{}); }

TEST(ConfigToml, MissingSectionsAndKeysKeepDefaults) {
  const RunConfig c = parse("[task]\np = 113\n\n[optim]\nlr = 0.01\n");
  RunConfig expected;
  expected.task.p = 113;
  expected.optim.lr = 0.01;
  expect_same(c, expected);
  EXPECT_EQ(c.task.op, "add");
  EXPECT_EQ(c.model.hidden, std::vector<int>{256});
  EXPECT_EQ(c.optim.kind, OptimKind::adamw);
}

TEST(ConfigToml, RoundTripDefaults) {
  const RunConfig c;
  expect_same(parse_run_config(to_toml(c), {}, ""), c);
}

TEST(ConfigToml, RoundTripUnusualValues) {
  const RunConfig c = unusual_config();
  const std::string text = to_toml(c);
  const RunConfig back = parse_run_config(text, {}, "");
  expect_same(back, c);
  EXPECT_EQ(back.task.train_fraction, 0.1 + 0.2);
  EXPECT_EQ(back.model.init_std, 5e-324);
  EXPECT_EQ(back.task.split_seed, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(back.optim.groups.size(), 5u);
  ASSERT_TRUE(back.optim.groups.count("we.ird \"name\"\\"));
  EXPECT_EQ(back.optim.groups.at("we.ird \"name\"\\").lr, 1e-5);
  EXPECT_FALSE(back.optim.groups.at("we.ird \"name\"\\").weight_decay);
  EXPECT_FALSE(back.optim.groups.at("empty").lr);
  EXPECT_EQ(back.optim.groups.at("both").weight_decay, 3.0);
  EXPECT_EQ(back.eval.loss_eps, c.eval.loss_eps);
}

TEST(ConfigToml, RoundTripRandomDoubles) {
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    double x;
    do {
      const uint64_t bits = rng();
      std::memcpy(&x, &bits, sizeof x);
    } while (!std::isfinite(x));
    RunConfig c;
    c.optim.lr = x;
    c.eval.loss_eps = {x, -x};
    const RunConfig back = parse_run_config(to_toml(c), {}, "");
    ASSERT_EQ(back.optim.lr, x) << to_toml(c);
    ASSERT_EQ(back.eval.loss_eps, c.eval.loss_eps);
  }
}

TEST(ConfigToml, ToTomlListsEverySectionAndKey) {
  const std::string text = to_toml(RunConfig{});
  for (const char* part : {"[task]", "[model]", "[loss]", "[optim]", "[train]", "[eval]", "op = \"add\"", "p = 97",
                           "hidden = [256]", "lr = 0.001", "betas = [0.9, 0.999]", "eps = 1e-08", "init_scale = 1.0",
                           "dtype = \"f32\"", "loss_eps = [0.1, 0.01, 0.001]", "early_stop = false"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

// ---------------------------------------------------------------------------------------------------------------
// Types

TEST(ConfigToml, IntegerAcceptedForFloat) {
  const RunConfig c = parse("[optim]\nlr = 1\nbetas = [0, 0]\n[eval]\nloss_eps = [1, 0.5]\n");
  EXPECT_EQ(c.optim.lr, 1.0);
  EXPECT_EQ(c.optim.beta1, 0.0);
  EXPECT_EQ(c.eval.loss_eps, (std::vector<double>{1.0, 0.5}));
}

TEST(ConfigToml, IntegralFloatAcceptedForInteger) {
  const RunConfig c = parse("[train]\nsteps = 1e5\nseed = 7.0\n[model]\nhidden = [128.0, 64]\n");
  EXPECT_EQ(c.train.steps, 100000);
  EXPECT_EQ(c.train.seed, 7u);
  EXPECT_EQ(c.model.hidden, (std::vector<int>{128, 64}));
}

TEST(ConfigToml, NonIntegralFloatForIntegerIsAnError) {
  expect_error("[train]\nsteps = 1.5\n", {}, {"train.steps = 1.5", "integer"});
  expect_error("[model]\nhidden = [128, 1.5]\n", {}, {"model.hidden = [128, 1.5]", "element 1"});
  expect_error("[task]\np = 1e10\n", {}, {"task.p = 10000000000.0", "out of range"});
  expect_error("[train]\nsteps = inf\n", {}, {"train.steps = inf"});
}

TEST(ConfigToml, WrongTypes) {
  expect_error("[optim]\nlr = \"fast\"\n", {}, {"optim.lr = \"fast\"", "expected a number, got a string"});
  expect_error("[optim]\nnesterov = 1\n", {}, {"optim.nesterov = 1", "boolean"});
  expect_error("[task]\nop = 5\n", {}, {"task.op = 5", "expected a string"});
  expect_error("[task]\npairs = true\n", {}, {"task.pairs = true", "ordered, unordered"});
  expect_error("[model]\nhidden = 256\n", {}, {"model.hidden = 256", "array"});
  expect_error("[model]\nhidden = [\"a\"]\n", {}, {"model.hidden = [\"a\"]"});
  expect_error("[optim]\nbetas = [0.9]\n", {}, {"optim.betas = [0.9]", "2 numbers"});
  expect_error("[optim]\nbetas = [0.9, 0.99, 0.999]\n", {}, {"optim.betas = [0.9, 0.99, 0.999]"});
  expect_error("[optim]\nbetas = [0.9, \"x\"]\n", {}, {"optim.betas = [0.9, \"x\"]", "element 1"});
  expect_error("[optim]\nbetas = 0.9\n", {}, {"optim.betas = 0.9"});
  expect_error("[eval]\nloss_eps = 0.1\n", {}, {"eval.loss_eps = 0.1"});
  expect_error("[eval]\nloss_eps = [0.1, true]\n", {}, {"eval.loss_eps = [0.1, true]"});
  expect_error("[train]\nseed = -1\n", {}, {"train.seed = -1", "non-negative"});
  expect_error("[task]\nsplit_seed = \"abc\"\n", {}, {"task.split_seed = \"abc\""});
  expect_error("[train]\nthreads = 3000000000\n", {}, {"train.threads = 3000000000", "out of range"});
  expect_error("[train]\nsteps = 1979-05-27\n", {}, {"train.steps = 1979-05-27", "date"});
  expect_error("[optim]\ngroups = 5\n", {}, {"optim.groups = 5", "table"});
  expect_error("[optim.groups]\nw1 = 0.1\n", {}, {"optim.groups.w1 = 0.1", "table"});
  expect_error("[optim.groups.w1]\nlr = \"x\"\n", {}, {"optim.groups.w1.lr = \"x\""});
  expect_error("task = 5\n", {}, {"task = 5", "expected a table"});
}

TEST(ConfigToml, SeedsAsDecimalStrings) {
  const RunConfig c = parse("[train]\nseed = \"18446744073709551615\"\n[task]\nsplit_seed = \"42\"\n");
  EXPECT_EQ(c.train.seed, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(c.task.split_seed, 42u);
  expect_error("[train]\nseed = \"18446744073709551616\"\n", {}, {"train.seed = \"18446744073709551616\""});
}

TEST(ConfigToml, EnumNames) {
  expect_error("[optim]\nkind = \"adamx\"\n", {},
               {"optim.kind = \"adamx\": unknown value (known: sgd, adam, adamw, gradient_flow)"});
  expect_error("[train]\ndtype = \"f16\"\n", {}, {"train.dtype = \"f16\"", "f32, f64"});
  expect_error("[model]\nactivation = \"gelu\"\n", {}, {"model.activation = \"gelu\"", "relu, leaky_relu"});
  expect_error("[model]\nbias = \"some\"\n", {}, {"model.bias = \"some\"", "none, first, all"});
  expect_error("[model]\ninit = \"xavier\"\n", {}, {"model.init = \"xavier\"", "he, lecun, normal, torch_default"});
  expect_error("[loss]\nkind = \"hinge\"\n", {}, {"loss.kind = \"hinge\"", "cross_entropy, mse"});
  expect_error("[loss]\nmse_reduction = \"sum\"\n", {}, {"loss.mse_reduction = \"sum\"", "mean, sum_classes"});
  expect_error("[task]\nencoding = \"onehot\"\n", {}, {"task.encoding = \"onehot\"", "concat, sum"});
  expect_error("[task]\npairs = \"all\"\n", {}, {"task.pairs = \"all\"", "ordered, unordered"});
  expect_error("[eval]\nschedule = \"geometric\"\n", {}, {"eval.schedule = \"geometric\"", "log, linear"});

  // Every name that to_string gives is accepted back.
  for (const auto v : {Activation::relu, Activation::leaky_relu, Activation::quadratic, Activation::identity,
                       Activation::tanh})
    EXPECT_EQ(parse("", {std::string("model.activation=") + to_string(v)}).model.activation, v);
  for (const auto v : {InitKind::he, InitKind::lecun, InitKind::normal, InitKind::torch_default})
    EXPECT_EQ(parse("", {std::string("model.init=") + to_string(v)}).model.init, v);
  for (const auto v : {BiasMode::none, BiasMode::first, BiasMode::all})
    EXPECT_EQ(parse("", {std::string("model.bias=") + to_string(v)}).model.bias, v);
  for (const auto v : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw})
    EXPECT_EQ(parse("", {std::string("optim.kind=") + to_string(v)}).optim.kind, v);
  EXPECT_EQ(parse("[eval]\nschedule = \"linear\"\n").eval.schedule, EvalScheduleKind::linear);
  EXPECT_EQ(parse("[loss]\nkind = \"mse\"\nmse_reduction = \"sum_classes\"\n").loss.mse_reduction,
            MseReduction::sum_classes);
}

// ---------------------------------------------------------------------------------------------------------------
// Unknown keys and sections, malformed TOML

TEST(ConfigToml, UnknownKey) {
  expect_error("[optim]\nlrr = 0.1\n", {}, {"optim.lrr: unknown key (known in [optim]: kind, lr, weight_decay"});
  expect_error("[task]\nprime = 7\n", {}, {"task.prime: unknown key", "known in [task]: kind, op, p,"});
  expect_error("[optim.groups.w1]\nlrx = 0.1\n", {}, {"optim.groups.w1.lrx: unknown key", "lr, weight_decay"});
  const ConfigError e = error_of([] { parse("[eval]\nevery = 5\nbogus = 1\n"); });
  EXPECT_EQ(e.key(), "eval.bogus");
}

TEST(ConfigToml, UnknownSection) {
  expect_error("[optimizer]\nlr = 0.1\n", {}, {"optimizer: unknown section (known: task, model, loss, optim, train, eval)"});
  expect_error("steps = 5\n", {}, {"steps = 5: unknown section", "did you mean train.steps?"});
  expect_error("kind = \"sgd\"\n", {},
               {"kind = \"sgd\": unknown section", "did you mean task.kind, model.kind, loss.kind or optim.kind?"});
}

TEST(ConfigToml, MalformedTomlNamesSourceLineAndColumn) {
  const ConfigError e = error_of([] { parse_run_config("[task]\np = 97\nop = \n", {}, "configs/x.toml"); });
  const std::string what = e.what();
  EXPECT_EQ(e.key(), "config");
  EXPECT_EQ(e.value().rfind("configs/x.toml:3:", 0), 0u) << what;
  EXPECT_NE(what.find("malformed TOML: "), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;

  expect_error("[task\n", {}, {"test.toml:1:", "malformed TOML"});
  expect_error("[task]\np = 1\np = 2\n", {}, {"test.toml:3:", "malformed TOML"});
  const ConfigError unnamed = error_of([] { parse_run_config("x = = 1", {}, ""); });
  EXPECT_EQ(unnamed.value().rfind("<config>:1:", 0), 0u) << unnamed.what();
}

// ---------------------------------------------------------------------------------------------------------------
// --set overrides

TEST(ConfigToml, OverridesApplied) {
  const std::string file = "[optim]\nlr = 0.01\nkind = \"adam\"\n[train]\nsteps = 50\n";
  const RunConfig c = parse(file, {"optim.lr=1e-3", "model.hidden=[128,128]", "train.dtype=f64", "task.op=mul",
                                   "train.steps=1e6", "train.early_stop=true", " optim.weight_decay = 0.5 "});
  EXPECT_EQ(c.optim.lr, 1e-3);
  EXPECT_EQ(c.optim.kind, OptimKind::adam);  // from the file, untouched
  EXPECT_EQ(c.model.hidden, (std::vector<int>{128, 128}));
  EXPECT_EQ(c.train.dtype, Dtype::f64);
  EXPECT_EQ(c.task.op, "mul");
  EXPECT_EQ(c.train.steps, 1000000);
  EXPECT_TRUE(c.train.early_stop);
  EXPECT_EQ(c.optim.weight_decay, 0.5);
}

TEST(ConfigToml, OverridesCreateSectionsAndTables) {
  const RunConfig c = parse("", {"eval.every=10", "optim.groups.w1.lr=0.1", "optim.groups.w1.weight_decay=1",
                                 "optim.groups.\"a.b\".lr=0.25"});
  EXPECT_EQ(c.eval.every, 10);
  ASSERT_TRUE(c.optim.groups.count("w1"));
  EXPECT_EQ(c.optim.groups.at("w1").lr, 0.1);
  EXPECT_EQ(c.optim.groups.at("w1").weight_decay, 1.0);
  ASSERT_TRUE(c.optim.groups.count("a.b"));
  EXPECT_EQ(c.optim.groups.at("a.b").lr, 0.25);
}

TEST(ConfigToml, OverridesReplaceInOrder) {
  const RunConfig c = parse("[optim.groups.w1]\nlr = 0.1\n",
                            {"optim.lr=0.1", "optim.lr=0.2", "optim.groups={head = {weight_decay = 0}}"});
  EXPECT_EQ(c.optim.lr, 0.2);
  EXPECT_EQ(c.optim.groups.size(), 1u);  // the whole groups table was replaced
  ASSERT_TRUE(c.optim.groups.count("head"));
  EXPECT_EQ(c.optim.groups.at("head").weight_decay, 0.0);
}

TEST(ConfigToml, OverrideBareAndQuotedStrings) {
  EXPECT_EQ(parse("", {"task.op=x2_plus_y2"}).task.op, "x2_plus_y2");
  EXPECT_EQ(parse("", {"task.op=\"sub\""}).task.op, "sub");
  EXPECT_EQ(parse("", {"task.op=foo bar"}).task.op, "foo bar");  // not valid TOML, taken as text
  EXPECT_EQ(parse("", {"task.op="}).task.op, "");
}

TEST(ConfigToml, OverrideErrors) {
  expect_error("", {"optim.lr"}, {"optim.lr", "key=value"});
  expect_error("", {"=5"}, {"=5", "key"});
  expect_error("", {"optim..lr=5"}, {"optim..lr=5"});
  expect_error("[optim]\nlr = 0.01\n", {"optim.lr.x=1"}, {"optim.lr = 0.01", "not a table", "optim.lr.x"});
  expect_error("", {"optim.lr.x=1"}, {"optim.lr = {x = 1}", "expected a number"});
  expect_error("", {"optim.kind=adamx"},
               {"optim.kind = \"adamx\": unknown value (known: sgd, adam, adamw, gradient_flow)"});
  expect_error("", {"train.steps=many"}, {"train.steps = \"many\"", "integer"});
  expect_error("", {"train.steps=1.5"}, {"train.steps = 1.5"});
  expect_error("", {"optim.lrr=1"}, {"optim.lrr: unknown key"});
  expect_error("", {"optimizer.lr=1"}, {"optimizer: unknown section"});
}

// ---------------------------------------------------------------------------------------------------------------
// JSON and hash

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 14695981039346656037ULL;
  for (const unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

TEST(ConfigJson, CanonicalForm) {
  const nlohmann::json j = to_json(RunConfig{});
  for (const char* section : {"task", "model", "loss", "optim", "train", "eval"}) EXPECT_TRUE(j.contains(section));
  EXPECT_EQ(j.size(), 6u);
  EXPECT_EQ(j["task"]["op"], "add");
  EXPECT_EQ(j["task"]["p"], 97);
  EXPECT_EQ(j["model"]["hidden"], nlohmann::json::array({256}));
  EXPECT_EQ(j["optim"]["betas"], nlohmann::json::array({0.9, 0.999}));
  EXPECT_EQ(j["optim"]["groups"], nlohmann::json::object());
  EXPECT_EQ(j["train"]["dtype"], "f32");
  EXPECT_EQ(j["eval"]["loss_eps"].size(), 3u);

  RunConfig c;
  c.optim.groups["w1"].lr = 0.5;
  c.train.seed = std::numeric_limits<uint64_t>::max();
  const nlohmann::json k = to_json(c);
  EXPECT_EQ(k["optim"]["groups"]["w1"], (nlohmann::json{{"lr", 0.5}}));
  EXPECT_EQ(k["train"]["seed"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
}

TEST(ConfigHash, StableAndSensitive) {
  const RunConfig a;
  const std::string h = config_hash(a);
  ASSERT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  EXPECT_EQ(h, config_hash(RunConfig{}));
  EXPECT_EQ(h, config_hash(parse_run_config(to_toml(a), {}, "")));
  // FNV-1a of the canonical JSON without train.max_memory (a cap on the memory estimate changes no result).
  nlohmann::json hashed = to_json(a);
  hashed["train"].erase("max_memory");
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx", static_cast<unsigned long long>(fnv1a(hashed.dump())));
  EXPECT_EQ(h, expected);
  EXPECT_EQ(h, config_hash(parse("", {"train.max_memory=16G"})));

  std::vector<std::string> hashes = {h};
  for (const auto& set : std::vector<std::string>{"optim.lr=0.0011", "train.seed=1", "task.split_seed=1",
                                                  "optim.groups.w1.lr=0.001", "model.hidden=[256, 1]",
                                                  "eval.loss_eps=[0.1, 0.01]", "train.threads=4"})
    hashes.push_back(config_hash(parse("", {set})));
  hashes.push_back(config_hash(unusual_config()));
  for (size_t i = 0; i < hashes.size(); ++i)
    for (size_t j = i + 1; j < hashes.size(); ++j) EXPECT_NE(hashes[i], hashes[j]) << i << " vs " << j;
}

// ---------------------------------------------------------------------------------------------------------------
// Files

TEST(ConfigFile, MissingFile) {
  const std::string path = "/nonexistent/dir/run.toml";
  const ConfigError e = error_of([&] { load_run_config(path, {}); });
  EXPECT_EQ(e.key(), "config");
  EXPECT_EQ(e.value(), path);
  EXPECT_EQ(std::string(e.what()), "config = /nonexistent/dir/run.toml: cannot read file");
}

TEST(ConfigFile, LoadWithOverridesAndErrorsNameThePath) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("grokscope_config_test_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.toml").string();
  const std::string bad = (dir / "bad.toml").string();
  std::ofstream(good) << "[task]\nop = \"sub\"\np = 59\n\n[optim]\nlr = 0.01\n";
  std::ofstream(bad) << "[task]\n\np = [1,\n";
  const RunConfig c = load_run_config(good, {"optim.lr=0.02"});
  EXPECT_EQ(c.task.op, "sub");
  EXPECT_EQ(c.task.p, 59);
  EXPECT_EQ(c.optim.lr, 0.02);
  const ConfigError e = error_of([&] { load_run_config(bad, {}); });
  EXPECT_NE(std::string(e.what()).find(bad + ":"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("malformed TOML"), std::string::npos) << e.what();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace grokscope
