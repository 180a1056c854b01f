// The cluster side of `grokscope sweep` through the executable: bad --shard values and contradicting Slurm array
// variables (one line naming the flag or variable, exit 2, nothing written), shards run as separate processes then
// `sweep merge`, the Slurm scripts of --slurm (array, requeue, per-task logs, options) and their bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using Result = grokscope::test::CliResult;
using grokscope::test::read_file;
using grokscope::test::run_cli;

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

class ShardCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_shard_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(file()) << "[sweep]\nseeds = 2\n[base]\n\"task.p\" = 11\n\"model.hidden\" = [16]\n"
                             "\"train.steps\" = 100\n[[axis]]\nkey = \"model.init_scale\"\nlabel = \"alpha\"\n"
                             "values = [1.0, 2.0]\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file() const { return (dir_ / "tiny.toml").string(); }
  std::string out() const { return (dir_ / "out").string(); }
  fs::path dir_;
};

TEST_F(ShardCli, BadShardsAndContradictingSlurmVariablesAreOneLineExitTwoAndWriteNothing) {
  for (const char* shard : {"0/2", "3/2", "a/b", "1/0", "2", "''"}) {
    const Result r = run_cli("sweep " + file() + " --out " + out() + " --no-plot --shard " + shard);
    EXPECT_EQ(r.code, 2) << shard << "\n" << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << r.out;
    EXPECT_NE(r.out.find("--shard"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out())) << shard;
  }
  const char* envs[] = {
      "SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1",
      "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=2",
      "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=7",
  };
  for (const char* env : envs) {
    const Result r = run_cli("sweep " + file() + " --out " + out() + " --no-plot", env);
    EXPECT_EQ(r.code, 2) << env << "\n" << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << r.out;
    EXPECT_NE(r.out.find("SLURM_ARRAY_TASK_"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out())) << env;
  }
  const Result slurm_only = run_cli("sweep " + file() + " --out " + out() + " --time 1:00:00");
  EXPECT_EQ(slurm_only.code, 2) << slurm_only.out;
  EXPECT_NE(slurm_only.out.find("--time"), std::string::npos) << slurm_only.out;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(ShardCli, ShardsFromSlurmVariablesThenMerge) {
  for (int id = 3; id <= 4; ++id) {   // --array=3-4: shards 1/2 and 2/2
    const Result r = run_cli("sweep " + file() + " --out " + out() + " --no-plot",
                             "SLURM_ARRAY_TASK_ID=" + std::to_string(id) +
                                 " SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=4");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("shard " + std::to_string(id - 2) + "/2: 2 runs: 2 finished"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(fs::path(out()) / "index.csv"));
  }
  // `grokscope plot DIR` merges first: the report covers the shards.
  const Result plotted = run_cli("plot " + out() + " --no-runs");
  ASSERT_EQ(plotted.code, 0) << plotted.out;
  EXPECT_TRUE(fs::exists(fs::path(out()) / "index.sqlite"));
  EXPECT_TRUE(fs::exists(fs::path(out()) / "report.html"));
  EXPECT_NE(read_file(fs::path(out()) / "index.csv").find("completed"), std::string::npos);
  const Result merged = run_cli("sweep merge " + out() + " --no-plot");
  ASSERT_EQ(merged.code, 0) << merged.out;
  EXPECT_NE(merged.out.find("merged 2 shards"), std::string::npos) << merged.out;
  EXPECT_NE(merged.out.find("4 runs, 4 finished"), std::string::npos) << merged.out;
  EXPECT_EQ(count_lines(read_file(fs::path(out()) / "index.csv")), 5);
  // `sweep FILE` in the sharded directory: nothing left to run, merged again.
  const Result whole = run_cli("sweep " + file() + " --out " + out() + " --no-plot");
  ASSERT_EQ(whole.code, 0) << whole.out;
  EXPECT_NE(whole.out.find("4 finished before, 0 to run"), std::string::npos) << whole.out;
  const Result nothing = run_cli("sweep merge " + (dir_ / "nowhere").string());
  EXPECT_EQ(nothing.code, 2) << nothing.out;
}

TEST_F(ShardCli, SlurmWritesTheArrayAndTheMergeJob) {
  const Result r = run_cli("sweep " + file() + " --out " + out() +
                           " --slurm --shards 2 --array-limit 1 --partition short --time 0:30:00 --cpus-per-task 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("4 runs in 2 array tasks (2 runs at a time, 2 CPUs each)"), std::string::npos) << r.out;
  const fs::path slurm = fs::path(out()) / "slurm";
  const std::string array = read_file(slurm / "sweep.sbatch");
  for (const char* line : {"#SBATCH --array=1-2%1\n", "#SBATCH --requeue\n", "#SBATCH --partition=short\n",
                           "#SBATCH --time=0:30:00\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --open-mode=append\n",
                           "/slurm/logs/shard-%a-job-%A.out\n", " --shard \"${SLURM_ARRAY_TASK_ID}/2\" --workers 2\n"})
    EXPECT_NE(array.find(line), std::string::npos) << line << "\n" << array;
  EXPECT_NE(array.find(fs::absolute(file()).string()), std::string::npos) << array;
  const std::string merge = read_file(slurm / "merge.sbatch");
  EXPECT_NE(merge.find(" sweep merge '" + fs::absolute(out()).string() + "'"), std::string::npos) << merge;
  EXPECT_TRUE(fs::is_directory(slurm / "logs"));
  EXPECT_EQ(read_file(fs::path(out()) / "sweep.toml"), read_file(file()));
  EXPECT_NE(r.out.find("--dependency=afterany:"), std::string::npos) << r.out;

  for (const char* bad : {"--time 1h", "--partition 'a b'", "--shards 5", "--shard 1/2"}) {
    const std::string other = (dir_ / "other").string();
    const Result b = run_cli("sweep " + file() + " --out " + other + " --slurm " + bad);
    EXPECT_EQ(b.code, 2) << bad << "\n" << b.out;
    EXPECT_EQ(count_lines(b.out), 1) << b.out;
    EXPECT_FALSE(fs::exists(other)) << bad;
  }
}

}  // namespace
