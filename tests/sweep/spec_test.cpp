// Sweep files: parsing, one-line errors naming key and value, grid expansion (lists, log/linear ranges, seeds),
// run names, resolved configs.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "grokscope/core/error.h"
#include "grokscope/sweep/grid.h"
#include "grokscope/sweep/spec.h"

namespace {

using namespace grokscope;
using namespace grokscope::sweep;
using nlohmann::json;

std::vector<double> numbers(const AxisSpec& a) {
  std::vector<double> out;
  for (const auto& v : a.values) out.push_back(v.get<double>());
  return out;
}

TEST(SweepSpec, ParsesEverySection) {
  const SweepSpec s = parse_sweep_spec(R"(
[sweep]
name = "demo_sweep"
seeds = [3, 5]
seed_keys = ["train.seed", "task.split_seed"]
threads_per_run = 2
workers = 3
[base]
task = { p = 23 }
"optim.lr" = 0.01
[set]
"train.steps" = 50
[[axis]]
key = "model.init_scale"
label = "alpha"
values = [1, 2.5]
[[axis]]
key = "optim.weight_decay"
log = [0.01, 1]
points = 3
[[fit]]
clock = "t_gen"
x = "alpha"
law = "log"
unit = "time"
x_min = 1
[phase]
threshold = 0.95
gap_ratio = 3
gap_steps = 200
[t_below]
column = "norm_total"
eta = 3.5
hold = 2
)",
                                       "dir/sw.toml");
  EXPECT_EQ(s.name, "demo_sweep");
  EXPECT_EQ(s.seeds, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(s.seed_keys, (std::vector<std::string>{"train.seed", "task.split_seed"}));
  EXPECT_EQ(s.threads_per_run, 2);
  EXPECT_EQ(s.workers, 3);
  EXPECT_EQ(s.base_source, "[base]");
  EXPECT_EQ(s.base_overrides, (std::vector<std::string>{"optim.lr=0.01", "task.p=23"}));   // toml++ sorts keys
  EXPECT_EQ(s.set, (std::vector<std::string>{"train.steps=50"}));
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[0].label, "alpha");
  EXPECT_EQ(s.axes[0].scale, AxisScale::list);
  EXPECT_EQ(s.axes[1].label, "weight_decay");   // default label: the key's last segment
  EXPECT_EQ(s.axes[1].scale, AxisScale::log);
  ASSERT_EQ(s.fits.size(), 1u);
  EXPECT_EQ(s.fits[0].x, "model.init_scale");   // a label resolves to the axis key
  EXPECT_TRUE(s.fits[0].in_time);
  EXPECT_EQ(s.fits[0].x_min, 1.0);
  EXPECT_EQ(s.phase.threshold, 0.95);
  EXPECT_EQ(s.phase.gap_steps, 200);
  EXPECT_EQ(s.phase.gap_ratio, 3.0);
  EXPECT_EQ(s.t_below.column, "norm_total");
  EXPECT_EQ(s.t_below.hold, 2);
  // Round trip of the analysis part through the index's JSON.
  const SweepSpec back = spec_from_json(spec_to_json(s));
  EXPECT_EQ(spec_to_json(back), spec_to_json(s));
}

TEST(SweepSpec, DefaultsWithoutSweepTable) {
  const SweepSpec s = parse_sweep_spec("", "/x/my_grid.toml");
  EXPECT_EQ(s.name, "my_grid");
  EXPECT_EQ(s.seeds, (std::vector<int64_t>{0}));
  EXPECT_EQ(s.seed_keys, (std::vector<std::string>{"train.seed"}));
  EXPECT_EQ(s.threads_per_run, 1);
  EXPECT_EQ(s.workers, 0);
  EXPECT_TRUE(s.axes.empty());
  // No axes: the only default fit is t_cls against eps.
  ASSERT_EQ(s.effective_fits().size(), 1u);
  EXPECT_EQ(s.effective_fits()[0].x, "eps");
}

TEST(SweepSpec, RangesExpandWithBothEndsAndReadableValues) {
  const SweepSpec s = parse_sweep_spec(R"(
[[axis]]
key = "model.init_scale"
log = [1, 16]
points = 5
[[axis]]
key = "optim.lr"
linear = [0.1, 0.5]
points = 5
[[axis]]
key = "train.steps"
log = [10, 1000]
points = 7
)",
                                       "");
  EXPECT_EQ(numbers(s.axes[0]), (std::vector<double>{1, 2, 4, 8, 16}));   // exactly, not 2.0000000000000004
  EXPECT_EQ(numbers(s.axes[1]), (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5}));
  // An integer key gets integers: 10, 22, 46, 100, 215, 464, 1000.
  ASSERT_EQ(s.axes[2].values.size(), 7u);
  for (const auto& v : s.axes[2].values) EXPECT_TRUE(v.is_number_integer()) << v;
  EXPECT_EQ(s.axes[2].values.front(), 10);
  EXPECT_EQ(s.axes[2].values[3], 100);
  EXPECT_EQ(s.axes[2].values.back(), 1000);
}

TEST(SweepSpec, IntegerRangeDropsRepeatedRoundedValues) {
  const SweepSpec s = parse_sweep_spec("[[axis]]\nkey = \"train.steps\"\nlinear = [1, 3]\npoints = 9\n", "");
  EXPECT_EQ(numbers(s.axes[0]), (std::vector<double>{1, 2, 3}));
}

TEST(SweepSpec, SeedCountMeansZeroToNMinusOne) {
  EXPECT_EQ(parse_sweep_spec("[sweep]\nseeds = 3\n", "").seeds, (std::vector<int64_t>{0, 1, 2}));
}

struct Bad {
  std::string text;
  std::string key;     // the message starts with this key
  std::string value;   // and names this value ("" when the key is missing)
};

TEST(SweepSpec, BadInputIsOneLineNamingKeyAndValue) {
  const std::vector<Bad> cases = {
      {"[sweep]\nseeds = 0\n", "sweep.seeds", "0"},
      {"[sweep]\nseeds = [1, 1]\n", "sweep.seeds", "[1, 1]"},
      {"[sweep]\nseeds = [-2]\n", "sweep.seeds", "[-2]"},
      {"[sweep]\nseeds = 2.5\n", "sweep.seeds", "2.5"},
      {"[sweep]\nworkers = -1\n", "sweep.workers", "-1"},
      {"[sweep]\nworkers = 1000000000000\n", "sweep.workers", "1000000000000"},
      {"[sweep]\nthreads_per_run = 0\n", "sweep.threads_per_run", "0"},
      {"[sweep]\nname = 3\n", "sweep.name", "3"},
      {"[sweep]\nseed_keys = \"optim.lr\"\n", "sweep.seed_keys", "optim.lr"},
      {"[sweep]\nseed_keys = \"train.sed\"\n", "sweep.seed_keys", "train.sed"},
      {"[sweep]\nbase = \"no/such/file.toml\"\n", "sweep.base", "no/such/file.toml"},
      {"[sweep]\nworkerz = 2\n", "sweep.workerz", "2"},
      {"frobnicate = 1\n", "frobnicate", "1"},
      {"sweep = 3\n", "sweep", "3"},
      {"[[axis]]\nkey = \"optim.lrr\"\nvalues = [1]\n", "axis[1].key", "optim.lrr"},
      {"[[axis]]\nvalues = [1]\n", "axis[1].key", ""},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = []\n", "axis[1].values", "[]"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [0.1, 0.1]\n", "axis[1].values", "[0.1, 0.1]"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [0.1]\nlog = [1, 2]\npoints = 2\n", "axis[1]", "optim.lr"},
      {"[[axis]]\nkey = \"optim.lr\"\nlog = [0, 1]\npoints = 3\n", "axis[1].log", "[0, 1]"},
      {"[[axis]]\nkey = \"optim.lr\"\nlog = [1]\npoints = 3\n", "axis[1].log", "[1]"},
      {"[[axis]]\nkey = \"optim.lr\"\nlinear = [0, \"x\"]\npoints = 3\n", "axis[1].linear", "[0, \"x\"]"},
      {"[[axis]]\nkey = \"optim.lr\"\nlinear = [0, 1]\npoints = 1\n", "axis[1].points", "1"},
      {"[[axis]]\nkey = \"optim.lr\"\nlinear = [0, 1]\n", "axis[1].points", ""},
      {"[[axis]]\nkey = \"optim.kind\"\nlinear = [0, 1]\npoints = 2\n", "axis[1].key", "optim.kind"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1]\ncolour = 2\n", "axis[1].colour", "2"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1]\n[[axis]]\nkey = \"optim.lr\"\nvalues = [2]\n", "axis[2].key",
       "optim.lr"},
      {"[[axis]]\nkey = \"train.seed\"\nvalues = [1, 2]\n", "sweep.seed_keys", "train.seed"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"beta\"\n", "fit[1].x", "beta"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nclock = \"t_foo\"\n", "fit[1].clock",
       "t_foo"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nclock = \"t_cls(-1)\"\n", "fit[1].clock",
       "t_cls(-1)"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nclock = \"t_below\"\n", "fit[1].clock",
       "t_below"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nlaw = \"cubic\"\n", "fit[1].law", "cubic"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nunit = \"hours\"\n", "fit[1].unit",
       "hours"},
      {"[[axis]]\nkey = \"optim.lr\"\nvalues = [1, 2]\n[[fit]]\nx = \"lr\"\nx_min = 2\nx_max = 1\n", "fit[1].x_min",
       "2"},
      {"[[axis]]\nkey = \"optim.kind\"\nvalues = [\"sgd\", \"adamw\"]\n[[fit]]\nx = \"kind\"\n", "fit[1].x", "kind"},
      {"[phase]\nthreshold = 1.5\n", "phase.threshold", "1.5"},
      {"[phase]\ngap_steps = -1\n", "phase.gap_steps", "-1"},
      {"[phase]\ngap_ratio = 0.5\n", "phase.gap_ratio", "0.5"},
      {"[t_below]\ncolumn = \"srank_w1\"\n", "t_below.eta", ""},
      {"[t_below]\ncolumn = \"srank_w1\"\neta = 2\nhold = 0\n", "t_below.hold", "0"},
      {"[t_rep]\ncolumn = \"srank_w1\"\neta = 2\n", "t_rep", ""},   // renamed: the run's own t_rep is recorded
      {"[sweep\nseeds = 2\n", "sweep", "<sweep>:1:"},
  };
  for (const auto& c : cases) {
    try {
      parse_sweep_spec(c.text, "");
      ADD_FAILURE() << "no error for:\n" << c.text;
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      EXPECT_EQ(msg.rfind(c.key, 0), 0u) << "expected key " << c.key << " first: " << msg;
      EXPECT_EQ(e.key(), c.key) << msg;
      if (!c.value.empty()) {
        EXPECT_NE(msg.find(c.value), std::string::npos) << "expected value " << c.value << ": " << msg;
      }
    }
  }
}

TEST(SweepSpec, UnknownAxisKeySuggestsTheNearestKey) {
  try {
    parse_sweep_spec("[[axis]]\nkey = \"optim.weight_decy\"\nvalues = [1]\n", "");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean optim.weight_decay?"), std::string::npos) << e.what();
  }
}

TEST(SweepSpec, DefaultFitsFollowTheAxes) {
  const SweepSpec s = parse_sweep_spec(R"(
[[axis]]
key = "model.init_scale"
values = [1, 2]
[[axis]]
key = "optim.weight_decay"
values = [0.1, 1.0]
[[axis]]
key = "optim.lr"
log = [0.001, 0.1]
points = 3
[[axis]]
key = "model.activation"
values = ["relu", "tanh"]
)",
                                       "");
  const auto fits = s.effective_fits();
  // t_fit and t_gen for each numeric axis, then t_cls vs eps.
  ASSERT_EQ(fits.size(), 7u);
  EXPECT_EQ(fits[1].clock, "t_gen");
  EXPECT_EQ(fits[1].law, FitLaw::log);       // init_scale: Lyu's t = a + b ln(alpha)
  EXPECT_EQ(fits[3].law, FitLaw::inverse);   // weight decay: t ~ 1/lambda
  EXPECT_EQ(fits[5].law, FitLaw::power);     // a log range: power law
  EXPECT_EQ(fits[6].x, "eps");
  EXPECT_EQ(fits[6].law, FitLaw::log_inverse);
}

const char* kGridSpec = R"(
[sweep]
seeds = [0, 7]
[base]
"task.p" = 11
"train.steps" = 10
[[axis]]
key = "model.init_scale"
label = "alpha"
values = [1, 2, 4]
[[axis]]
key = "model.hidden"
values = [[8], [8, 4]]
)";

TEST(SweepGrid, CartesianProductFirstAxisSlowestSeedsInnermost) {
  const SweepSpec s = parse_sweep_spec(kGridSpec, "");
  const auto points = expand_grid(s);
  ASSERT_EQ(points.size(), 3u * 2u * 2u);
  std::set<std::string> names, cells;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    EXPECT_EQ(p.cell_index, static_cast<int64_t>(i / 2));
    EXPECT_EQ(p.seed, i % 2 == 0 ? 0 : 7);
    EXPECT_EQ(p.values[0], s.axes[0].values[i / 4]);
    EXPECT_EQ(p.values[1], s.axes[1].values[(i / 2) % 2]);
    names.insert(p.name);
    cells.insert(p.cell);
  }
  EXPECT_EQ(names.size(), 12u);
  EXPECT_EQ(cells.size(), 6u);
  EXPECT_EQ(points[2].name.rfind("alpha=1_hidden=8x4_seed=0_", 0), 0u) << points[2].name;
  EXPECT_EQ(points[2].cell.rfind("alpha=1_hidden=8x4_", 0), 0u) << points[2].cell;
  // Overrides: base, train.threads, axes, seeds, in that order.
  const std::vector<std::string> expected = {"task.p=11",        "train.steps=10",      "train.threads=1",
                                             "model.init_scale=1", "model.hidden=[8, 4]", "train.seed=0"};
  EXPECT_EQ(points[2].overrides, expected);
}

TEST(SweepGrid, NamesAreStableWhenTheRestOfTheSweepChanges) {
  const auto a = expand_grid(parse_sweep_spec(kGridSpec, ""));
  std::string more = kGridSpec;
  more.replace(more.find("[1, 2, 4]"), 9, "[4, 8]");
  more.replace(more.find("\"train.steps\" = 10"), 18, "\"train.steps\" = 20");
  const auto b = expand_grid(parse_sweep_spec(more, ""));
  // alpha = 4 points keep their names (the base config is not part of the name).
  for (const auto& p : b) {
    if (p.values[0] != 4) continue;
    const bool found = std::any_of(a.begin(), a.end(), [&](const GridPoint& q) { return q.name == p.name; });
    EXPECT_TRUE(found) << p.name;
  }
}

TEST(SweepGrid, ResolvedConfigsCarryTheAxisValuesAndSeeds) {
  const SweepSpec s = parse_sweep_spec(kGridSpec, "");
  const auto points = expand_grid(s);
  const RunConfig c = resolve_config(s, points[11]);
  EXPECT_EQ(c.model.init_scale, 4.0);
  EXPECT_EQ(c.model.hidden, (std::vector<int>{8, 4}));
  EXPECT_EQ(c.train.seed, 7u);
  EXPECT_EQ(c.train.threads, 1);
  EXPECT_EQ(c.task.p, 11);
  EXPECT_EQ(c.train.steps, 10);
}

TEST(SweepGrid, ABadAxisValueIsAConfigErrorNamingTheKey) {
  const SweepSpec s = parse_sweep_spec("[[axis]]\nkey = \"optim.lr\"\nvalues = [0.1, -1.0]\n", "");
  const auto points = expand_grid(s);
  EXPECT_NO_THROW(resolve_config(s, points[0]));
  try {
    resolve_config(s, points[1]);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("optim.lr"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("-1"), std::string::npos) << e.what();
  }
}

TEST(SweepGrid, TomlValueTextKeepsFloatsFloats) {
  EXPECT_EQ(toml_value_text(json(2.0)), "2.0");
  EXPECT_EQ(toml_value_text(json(1e-5)), "1e-05");
  EXPECT_EQ(toml_value_text(json(3)), "3");
  EXPECT_EQ(toml_value_text(json("relu")), "\"relu\"");
  EXPECT_EQ(toml_value_text(json::array({256, 128})), "[256, 128]");
  EXPECT_THROW(toml_value_text(json()), ConfigError);
  EXPECT_EQ(value_label(json(0.001)), "0.001");
  EXPECT_EQ(value_label(json::array({256, 256})), "256x256");
}

}  // namespace
