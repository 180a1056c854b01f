// Figures and report.html: PNG and SVG written and non-empty for a run and for a sweep when gnuplot is present
// (skipped with a message when it is not), a clear one-line error from `grokscope plot` without gnuplot, and a
// report.html that is self-contained (images inline, no external URL).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>
#include <sstream>

#include "grokscope/plot/gnuplot.h"
#include "grokscope/plot/report.h"
#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using namespace grokscope::plot;

using Result = grokscope::test::CliResult;
Result run(const std::string& args, const std::string& env = "") { return grokscope::test::run_cli(args, env); }

std::string read(const fs::path& p) { return grokscope::test::read_file(p); }

// Every src= is inline data, every href= is relative (a figure's SVG, a run's page), no http(s):// anywhere.
void expect_self_contained(const fs::path& html) {
  const std::string page = read(html);
  ASSERT_FALSE(page.empty()) << html;
  EXPECT_EQ(page.find("http://"), std::string::npos) << html;
  EXPECT_EQ(page.find("https://"), std::string::npos) << html;
  EXPECT_EQ(page.find("<script"), std::string::npos) << html;
  EXPECT_EQ(page.find("<link"), std::string::npos) << html;
  // (No std::regex: libstdc++'s recursion overflows the stack on a long base64 attribute.)
  auto attributes = [&](const std::string& name) {
    std::vector<std::string> out;
    const std::string open = name + "=\"";
    for (size_t at = page.find(open); at != std::string::npos; at = page.find(open, at + 1)) {
      const size_t begin = at + open.size();
      out.push_back(page.substr(begin, page.find('"', begin) - begin));
    }
    return out;
  };
  for (const auto& target : attributes("src"))
    EXPECT_EQ(target.rfind("data:image/png;base64,", 0), 0u) << target.substr(0, 80);
  for (const auto& target : attributes("href")) {
    EXPECT_EQ(target.find("://"), std::string::npos) << target;
    EXPECT_NE(target[0], '/') << target;
  }
}

void expect_figure(const fs::path& figures, const std::string& name) {
  for (const char* ext : {".png", ".svg"}) {
    const fs::path p = figures / (name + ext);
    ASSERT_TRUE(fs::exists(p)) << p;
    EXPECT_GT(fs::file_size(p), 1000u) << p;
  }
  EXPECT_EQ(read(figures / (name + ".png")).substr(1, 3), "PNG");
  EXPECT_NE(read(figures / (name + ".svg")).find("<svg"), std::string::npos);
}

class Plot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_plot_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "run.toml") << "[task]\np = 13\ntrain_fraction = 0.6\n[model]\nhidden = [24]\n"
                                        "[optim]\nlr = 0.01\nweight_decay = 1.0\n[train]\nsteps = 300\nthreads = 1\n"
                                        "[eval]\nloss_eps = [0.1, 0.01]\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(PlotHelpers, QuotingEscapingAndBase64) {
  EXPECT_EQ(gp_quote("it's"), "'it''s'");
  EXPECT_EQ(gp_num(0.5), "0.5");
  EXPECT_EQ(gp_num(std::nan("")), "NaN");
  EXPECT_EQ(short_num(13335), "13335");
  EXPECT_EQ(short_num(0.0001234), "0.000123");
  EXPECT_EQ(short_num(1.5e6), "1.5e+06");
  EXPECT_EQ(html_escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(PlotHelpers, FindGnuplotHonoursTheEnvironment) {
  const char* old = std::getenv("GROKSCOPE_GNUPLOT");
  const std::string saved = old ? old : "";
  setenv("GROKSCOPE_GNUPLOT", "none", 1);
  EXPECT_FALSE(find_gnuplot().has_value());
  setenv("GROKSCOPE_GNUPLOT", "/no/such/gnuplot", 1);
  EXPECT_FALSE(find_gnuplot().has_value());
  if (old) setenv("GROKSCOPE_GNUPLOT", saved.c_str(), 1);
  else unsetenv("GROKSCOPE_GNUPLOT");
}

TEST_F(Plot, WithoutGnuplotPlotSaysSoInOneLineAndReportsStillWork) {
  const fs::path out = dir_ / "run";
  ASSERT_EQ(run("train " + (dir_ / "run.toml").string() + " --quiet --out " + out.string()).code, 0);
  const Result r = run("plot " + out.string(), "GROKSCOPE_GNUPLOT=/no/such/gnuplot");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("gnuplot-nox"), std::string::npos) << r.out;
  // GROKSCOPE_GNUPLOT=none turns figures off: the page is written, with a note, and plot succeeds.
  const Result off = run("plot " + out.string(), "GROKSCOPE_GNUPLOT=none");
  EXPECT_EQ(off.code, 0) << off.out;
  EXPECT_NE(off.out.find("figures disabled"), std::string::npos) << off.out;
  EXPECT_NE(read(out / "report.html").find("figures disabled"), std::string::npos);
  // The library still writes the page, with a note instead of figures.
  const char* old = std::getenv("GROKSCOPE_GNUPLOT");
  const std::string saved = old ? old : "";
  setenv("GROKSCOPE_GNUPLOT", "/no/such/gnuplot", 1);
  const auto notes = redraw_run(out, std::nullopt);
  if (old) setenv("GROKSCOPE_GNUPLOT", saved.c_str(), 1);
  else unsetenv("GROKSCOPE_GNUPLOT");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("gnuplot not found"), std::string::npos);
  EXPECT_NE(read(out / "report.html").find("gnuplot not found"), std::string::npos);
  expect_self_contained(out / "report.html");
  // Not a run directory: one line, exit 2.
  const Result bad = run("plot " + dir_.string());
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("not a run directory"), std::string::npos) << bad.out;
}

TEST_F(Plot, RunFiguresAndSelfContainedReport) {
  if (!find_gnuplot()) GTEST_SKIP() << kNoGnuplot;
  const fs::path out = dir_ / "run";
  ASSERT_EQ(run("train " + (dir_ / "run.toml").string() + " --quiet --out " + out.string()).code, 0);
  const Result r = run("plot " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* name : {"loss", "accuracy", "norms", "diagnostics", "fourier"}) expect_figure(out / "figures", name);
  EXPECT_TRUE(fs::exists(out / "figures" / "render.gp"));
  EXPECT_EQ(r.out.find("only the first"), std::string::npos) << r.out;   // every diagnostics panel is drawn
  const std::string page = read(out / "report.html");
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(page.find("t_fit"), std::string::npos);
  EXPECT_NE(page.find("t_rep("), std::string::npos);   // the representation clock is in the clocks table
  EXPECT_NE(page.find("Environment"), std::string::npos);
  expect_self_contained(out / "report.html");
}

TEST_F(Plot, DiagnosticsLeaveOutSeriesWithoutInformation) {
  if (!find_gnuplot()) GTEST_SKIP() << kNoGnuplot;
  const fs::path run = dir_ / "synthetic";
  fs::create_directories(run);
  std::ofstream csv(run / "metrics.csv");
  csv << "step,time,loss_train,acc_train,loss_test,acc_test,flat_col,tiny_col,nan_col,moving_col\n";
  for (int i = 0; i < 20; ++i)
    csv << i * 10 << "," << i * 0.1 << "," << 1.0 / (i + 1) << ",0.5,1,0.5,3.25," << 4e-31 * (i + 1) << ",nan,"
        << 0.1 * i << "\n";
  csv.close();
  const auto notes = redraw_run(run, find_gnuplot());
  std::string all;
  for (const auto& n : notes) all += n + "\n";
  EXPECT_NE(all.find("constant or at round-off over the run: flat_col, tiny_col"), std::string::npos) << all;
  EXPECT_NE(all.find("no value at any evaluation"), std::string::npos) << all;
  EXPECT_NE(all.find("nan_col"), std::string::npos) << all;
  EXPECT_EQ(all.find("moving_col"), std::string::npos) << all;
  expect_figure(run / "figures", "diagnostics");
}

TEST_F(Plot, SweepFiguresPhaseDiagramsAndReport) {
  if (!find_gnuplot()) GTEST_SKIP() << kNoGnuplot;
  // A diagonal linear net on sparse linear classification (Lyu et al.'s LY-4, reduced): it groks within a few
  // hundred steps in milliseconds, so every clock, fit and phase diagram has data.
  const fs::path file = dir_ / "grid.toml";
  std::ofstream(file) << "[sweep]\nseeds = 1\n"
                         "[base]\ntask = { kind = \"sparse_linear\", d = 100, sparsity = 3, n_train = 64, n_test = 1000 }\n"
                         "model = { kind = \"diagonal\", depth = 2 }\nloss = { kind = \"logistic\" }\n"
                         "optim = { kind = \"sgd\", lr = 0.05 }\ntrain = { steps = 3000 }\n"
                         "[[axis]]\nkey = \"model.init_scale\"\nlabel = \"alpha\"\nvalues = [2.0, 8.0]\n"
                         "[[axis]]\nkey = \"optim.weight_decay\"\nlabel = \"wd\"\nvalues = [0.05, 0.1]\n";
  const fs::path out = dir_ / "sweep";
  const Result r = run("sweep " + file.string() + " --out " + out.string() + " --workers 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
  const fs::path figures = out / "figures";
  expect_figure(figures, "clocks_vs_alpha");
  expect_figure(figures, "clocks_vs_wd");
  expect_figure(figures, "phase_ratio");
  expect_figure(figures, "phase_labels");
  int fits = 0;
  for (const auto& e : fs::directory_iterator(figures))
    if (e.path().filename().string().rfind("fit_", 0) == 0 && e.path().extension() == ".png") ++fits;
  EXPECT_GE(fits, 1);
  expect_self_contained(out / "report.html");
  const std::string page = read(out / "report.html");
  EXPECT_NE(page.find("href=\"runs/"), std::string::npos) << "links to the runs' pages";
  // Every run got its figures and page during the sweep.
  int runs = 0;
  for (const auto& e : fs::directory_iterator(out / "runs")) {
    ++runs;
    expect_figure(e.path() / "figures", "loss");
    expect_self_contained(e.path() / "report.html");
  }
  EXPECT_EQ(runs, 4);
  // `grokscope plot` redraws from the saved outputs alone.
  fs::remove_all(figures);
  fs::remove(out / "report.html");
  const Result p = run("plot " + out.string() + " --no-runs");
  ASSERT_EQ(p.code, 0) << p.out;
  expect_figure(figures, "phase_labels");
  expect_self_contained(out / "report.html");
}

}  // namespace
