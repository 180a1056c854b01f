// Tests of the .npz reader and writer: round trips, the NPY header layout, atomic replacement, malformed input
// (hand-made ZIP archives), and interoperability with numpy when /usr/bin/python3 has it.
#include "grokscope/io/npz.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "grokscope/core/error.h"
#include "io/npz_bytes.h"

namespace grokscope {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << file;
}

template <typename T>
NpyArray make(std::string name, std::vector<int64_t> shape, std::vector<T> values) {
  NpyArray a;
  a.name = std::move(name);
  a.shape = std::move(shape);
  a.data = std::move(values);
  return a;
}

// Same name, shape, dtype and bit pattern of every element (so NaN and -0.0 compare as written).
void expect_same(const NpyArray& expected, const NpyArray& actual) {
  SCOPED_TRACE("array '" + expected.name + "'");
  EXPECT_EQ(expected.name, actual.name);
  EXPECT_EQ(expected.shape, actual.shape);
  ASSERT_EQ(expected.data.index(), actual.data.index());
  std::visit(
      [&](const auto& want) {
        using V = std::decay_t<decltype(want)>;
        const V& got = std::get<V>(actual.data);
        ASSERT_EQ(want.size(), got.size());
        if (!want.empty()) {
          EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(typename V::value_type)));
        }
      },
      expected.data);
}

const NpyArray& find(const std::vector<NpyArray>& arrays, const std::string& name) {
  for (const NpyArray& a : arrays)
    if (a.name == name) return a;
  throw std::runtime_error("no array named " + name);
}

bool numpy_available() {
  static const bool available = std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
  return available;
}

// Runs a Python script with /usr/bin/python3; returns its exit status, with stderr in err_file.
int run_python(const fs::path& script, const std::vector<fs::path>& args, const fs::path& err_file) {
  std::string command = "/usr/bin/python3 '" + script.string() + "'";
  for (const fs::path& arg : args) command += " '" + arg.string() + "'";
  command += " 2> '" + err_file.string() + "'";
  return std::system(command.c_str());
}

using npz_test::make_npy;
using npz_test::make_stored_zip;
using npz_test::raw;
using npz_test::RawEntry;

class NpzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const fs::path candidate = fs::temp_directory_path() /
                                 ("grokscope_npz_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
      if (fs::create_directory(candidate)) {
        dir_ = candidate;
        return;
      }
    }
    FAIL() << "cannot create a temporary directory";
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Expects read_npz(file) to throw IoError whose message names the file and contains every one of parts.
  void expect_read_error(const std::string& file, const std::vector<std::string>& parts) {
    try {
      read_npz(file);
      ADD_FAILURE() << "read_npz did not throw for " << file;
    } catch (const IoError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file), std::string::npos) << what;
      for (const std::string& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what;
    }
  }

  fs::path dir_;
};

std::vector<NpyArray> sample_arrays() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  return {
      make<float>("f4_2d", {2, 3}, {0.5f, -1.25f, 3.0f, 4.0f, 5.5f, -6.0f}),
      make<float>("f4_0d", {}, {0.25f}),
      make<float>("f4_special", {4}, {nan, -0.0f, std::numeric_limits<float>::denorm_min(), 1e38f}),
      make<float>("f4_empty", {0}, {}),
      make<double>("f8_1d", {4}, {0.1, -2.5, 1e-300, 3.141592653589793}),
      make<double>("f8_0d", {}, {-inf}),
      make<double>("f8_empty2d", {3, 0}, {}),
      make<int64_t>("i8_0d", {}, {std::numeric_limits<int64_t>::min()}),
      make<int64_t>("i8_1d", {3}, {0, 1, std::numeric_limits<int64_t>::max()}),
      make<int64_t>("i8_empty", {0}, {}),
      make<int32_t>("i4_3d", {2, 1, 2}, {1, -2, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}),
      make<int32_t>("i4_0d", {}, {42}),
      make<int32_t>("i4_empty", {0}, {}),
  };
}

TEST_F(NpzTest, SizeIsProductOfShape) {
  EXPECT_EQ(make<float>("a", {}, {1.0f}).size(), 1);
  EXPECT_EQ(make<float>("a", {0}, {}).size(), 0);
  EXPECT_EQ(make<float>("a", {2, 0, 3}, {}).size(), 0);
  EXPECT_EQ(make<int32_t>("a", {2, 3}, {1, 2, 3, 4, 5, 6}).size(), 6);
}

TEST_F(NpzTest, RoundTripsAllDtypesAndRanks) {
  const std::vector<NpyArray> arrays = sample_arrays();
  const std::string file = path("all.npz");
  write_npz(file, arrays);
  const std::vector<NpyArray> back = read_npz(file);
  ASSERT_EQ(back.size(), arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) expect_same(arrays[i], back[i]);
}

TEST_F(NpzTest, RoundTripsLargeArray) {
  std::vector<double> values(300000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i) / 7.0;
  const std::vector<NpyArray> arrays = {make<double>("big", {600, 500}, values)};
  write_npz(path("big.npz"), arrays);
  const std::vector<NpyArray> back = read_npz(path("big.npz"));
  ASSERT_EQ(back.size(), 1u);
  expect_same(arrays[0], back[0]);
}

TEST_F(NpzTest, RoundTripsEmptyArchive) {
  write_npz(path("none.npz"), {});
  ASSERT_TRUE(fs::exists(path("none.npz")));
  EXPECT_TRUE(read_npz(path("none.npz")).empty());
}

TEST_F(NpzTest, HeadersArePaddedTo64BytesAndEntriesStored) {
  std::vector<NpyArray> arrays = {make<float>("a", {3, 4}, std::vector<float>(12, 1.0f)),
                                  make<double>("s", {}, {2.0}), make<int64_t>("v", {5}, std::vector<int64_t>(5, 3)),
                                  make<int32_t>("e", {0}, {})};
  // Ranks 0..11 of an empty int32 array move the dict length across the 64-byte boundaries.
  for (int rank = 0; rank < 12; ++rank) {
    std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
    if (rank > 0) shape[0] = 0;
    arrays.push_back(make<int32_t>("r" + std::to_string(rank), shape, rank > 0 ? std::vector<int32_t>{}
                                                                               : std::vector<int32_t>{7}));
  }
  const std::string file = path("aligned.npz");
  write_npz(file, arrays);
  const std::string bytes = read_bytes(file);

  const std::string magic = "\x93NUMPY";
  std::vector<std::string> dicts;
  for (size_t pos = bytes.find(magic); pos != std::string::npos; pos = bytes.find(magic, pos + 1)) {
    ASSERT_LE(pos + 10, bytes.size());
    EXPECT_EQ(bytes[pos + 6], 1);
    EXPECT_EQ(bytes[pos + 7], 0);
    const size_t hlen = static_cast<unsigned char>(bytes[pos + 8]) | (static_cast<unsigned char>(bytes[pos + 9]) << 8);
    EXPECT_EQ((10 + hlen) % 64, 0u) << "header length " << hlen;
    ASSERT_LE(pos + 10 + hlen, bytes.size());
    const std::string header = bytes.substr(pos + 10, hlen);
    ASSERT_FALSE(header.empty());
    EXPECT_EQ(header.back(), '\n');
    const size_t close = header.find('}');
    ASSERT_NE(close, std::string::npos);
    EXPECT_EQ(header.find_first_not_of(' ', close + 1), hlen - 1) << "padding is spaces then one newline";
    dicts.push_back(header.substr(0, close + 1));
  }
  ASSERT_EQ(dicts.size(), arrays.size());
  EXPECT_EQ(dicts[0], "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
  EXPECT_EQ(dicts[1], "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(dicts[2], "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }");
  EXPECT_EQ(dicts[3], "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }");

  // Every local file header says "stored" (compression method 0).
  const std::string local = std::string("PK\x03\x04", 4);
  size_t entries = 0;
  for (size_t pos = bytes.find(local); pos != std::string::npos; pos = bytes.find(local, pos + 1)) {
    ASSERT_LE(pos + 10, bytes.size());
    EXPECT_EQ(bytes[pos + 8], 0);
    EXPECT_EQ(bytes[pos + 9], 0);
    ++entries;
  }
  EXPECT_EQ(entries, arrays.size());
  EXPECT_EQ(read_npz(file).size(), arrays.size());
}

TEST_F(NpzTest, LeavesNoTemporaryFileAndReplacesAtomically) {
  const std::string file = path("out.npz");
  write_bytes(file + ".tmp", "stale leftover of a crash");
  write_npz(file, {make<int32_t>("x", {2}, {1, 2})});
  write_npz(file, {make<int32_t>("y", {3}, {4, 5, 6})});   // replaces the existing file
  EXPECT_TRUE(fs::exists(file));
  EXPECT_FALSE(fs::exists(file + ".tmp"));
  size_t n_files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++n_files;
    EXPECT_EQ(entry.path().filename(), "out.npz");
  }
  EXPECT_EQ(n_files, 1u);
  const std::vector<NpyArray> back = read_npz(file);
  ASSERT_EQ(back.size(), 1u);
  expect_same(make<int32_t>("y", {3}, {4, 5, 6}), back[0]);
}

TEST_F(NpzTest, OutputIsDeterministic) {
  write_npz(path("a.npz"), sample_arrays());
  write_npz(path("b.npz"), sample_arrays());
  EXPECT_EQ(read_bytes(path("a.npz")), read_bytes(path("b.npz")));
}

TEST_F(NpzTest, WriteFailureThrowsIoErrorNamingPath) {
  const std::string file = path("no_such_dir/out.npz");
  try {
    write_npz(file, {make<float>("a", {1}, {1.0f})});
    FAIL() << "write_npz did not throw";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(file + ".tmp"));
}

TEST_F(NpzTest, InconsistentArraysAreInternalErrors) {
  EXPECT_THROW(write_npz(path("bad.npz"), {make<float>("a", {2, 2}, {1.0f, 2.0f, 3.0f})}), std::logic_error);
  EXPECT_THROW(write_npz(path("bad.npz"), {make<float>("a", {}, {})}), std::logic_error);
  EXPECT_THROW(write_npz(path("bad.npz"), {make<float>("a", {1}, {1.0f}), make<double>("a", {1}, {1.0})}),
               std::logic_error);
  EXPECT_THROW(write_npz(path("bad.npz"), {make<float>("", {1}, {1.0f})}), std::logic_error);
  EXPECT_FALSE(fs::exists(path("bad.npz")));
  EXPECT_FALSE(fs::exists(path("bad.npz.tmp")));
}

TEST_F(NpzTest, ReadingMissingFileThrowsIoError) {
  const std::string file = path("missing.npz");
  EXPECT_THROW(read_npz(file), IoError);
  expect_read_error(file, {});
}

TEST_F(NpzTest, ReadingNonZipThrowsIoError) {
  write_bytes(path("garbage.npz"), "this is not a zip archive at all, just some text");
  expect_read_error(path("garbage.npz"), {});
  write_bytes(path("empty.npz"), "");
  expect_read_error(path("empty.npz"), {});
}

TEST_F(NpzTest, ReadsHandMadeHeaders) {
  // Double quotes, another key order, no trailing comma, a Python 2 long, NPY 2.0, an entry without ".npy".
  write_bytes(path("ok.npz"),
              make_stored_zip({{"a.npy", make_npy("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i4\"}",
                                                  raw(std::vector<int32_t>{7, -7}))},
                               {"b.npy", make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                                                  raw(std::vector<double>{1.5, 2.5}), 2)},
                               {"plain", make_npy("{'descr':'<i8','fortran_order':False,'shape':()}",
                                                  raw(std::vector<int64_t>{9}))}}));
  const std::vector<NpyArray> back = read_npz(path("ok.npz"));
  ASSERT_EQ(back.size(), 3u);
  expect_same(make<int32_t>("a", {2}, {7, -7}), back[0]);
  expect_same(make<double>("b", {1, 2}, {1.5, 2.5}), back[1]);
  expect_same(make<int64_t>("plain", {}, {9}), back[2]);
}

TEST_F(NpzTest, RejectsUnsupportedOrMalformedEntries) {
  const std::string f4x3 = raw(std::vector<float>{1, 2, 3});
  struct Case {
    std::string file;
    RawEntry entry;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"fortran.npz", {"a.npy", make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", f4x3)},
       {"a.npy", "fortran_order"}},
      {"bigendian.npz", {"b.npy", make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", f4x3)},
       {"b.npy", "unsupported dtype '>f4'"}},
      {"uint8.npz", {"c.npy", make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", "abc")},
       {"c.npy", "unsupported dtype '|u1'"}},
      {"structured.npz",
       {"d.npy", make_npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,), }", f4x3)},
       {"d.npy", "structured"}},
      {"short.npz", {"e.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f4x3)},
       {"e.npy", "bytes"}},
      {"long.npz", {"f.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4x3)},
       {"f.npy", "bytes"}},
      {"nomagic.npz", {"g.txt", "hello, world"}, {"g.txt", "not an NPY"}},
      {"badkey.npz", {"h.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", f4x3)},
       {"h.npy", "malformed"}},
      {"nokey.npz", {"i.npy", make_npy("{'descr': '<f4', 'shape': (3,)}", f4x3)}, {"i.npy", "malformed"}},
      {"badshape.npz", {"j.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }", f4x3)},
       {"j.npy", "malformed"}},
      {"version.npz", {"k.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4x3, 9)},
       {"k.npy", "version"}},
      {"crc.npz",
       {"l.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4x3), /*bad_crc=*/true},
       {"l.npy"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    write_bytes(path(c.file), make_stored_zip({c.entry}));
    expect_read_error(path(c.file), c.parts);
  }
}

TEST_F(NpzTest, NumpyLoadsWrittenFile) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import numpy";
  const std::vector<NpyArray> arrays = {
      make<float>("f4_2d", {2, 3}, {0.5f, -1.25f, 3.0f, 4.0f, 5.5f, -6.0f}),
      make<float>("f4_0d", {}, {0.25f}),
      make<double>("f8_1d", {4}, {0.1, -2.5, 1e-300, 3.141592653589793}),
      make<double>("f8_empty2d", {3, 0}, {}),
      make<int64_t>("i8_0d", {}, {std::numeric_limits<int64_t>::min()}),
      make<int64_t>("i8_1d", {3}, {0, 1, std::numeric_limits<int64_t>::max()}),
      make<int32_t>("i4_3d", {2, 1, 2}, {1, -2, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}),
      make<int32_t>("i4_empty", {0}, {}),
  };
  write_npz(path("ours.npz"), arrays);
  write_bytes(path("load.py"),
              "import sys\n"
              "import numpy as np\n"
              "with np.load(sys.argv[1], allow_pickle=False) as z, open(sys.argv[2], 'w') as f:\n"
              "    for k in z.files:\n"
              "        a = z[k]\n"
              "        f.write('%s %s %r %s %r\\n' % (k, a.dtype.str, a.shape, a.flags['C_CONTIGUOUS'],\n"
              "                                      a.ravel().tolist()))\n");
  ASSERT_EQ(run_python(path("load.py"), {path("ours.npz"), path("load.txt")}, path("load.err")), 0)
      << read_bytes(path("load.err"));
  EXPECT_EQ(read_bytes(path("load.txt")),
            "f4_2d <f4 (2, 3) True [0.5, -1.25, 3.0, 4.0, 5.5, -6.0]\n"
            "f4_0d <f4 () True [0.25]\n"
            "f8_1d <f8 (4,) True [0.1, -2.5, 1e-300, 3.141592653589793]\n"
            "f8_empty2d <f8 (3, 0) True []\n"
            "i8_0d <i8 () True [-9223372036854775808]\n"
            "i8_1d <i8 (3,) True [0, 1, 9223372036854775807]\n"
            "i4_3d <i4 (2, 1, 2) True [1, -2, 2147483647, -2147483648]\n"
            "i4_empty <i4 (0,) True []\n");

  // An archive with no arrays loads too.
  write_npz(path("none.npz"), {});
  ASSERT_EQ(run_python(path("load.py"), {path("none.npz"), path("none.txt")}, path("load.err")), 0)
      << read_bytes(path("load.err"));
  EXPECT_EQ(read_bytes(path("none.txt")), "");
}

TEST_F(NpzTest, ReadsNumpySavezAndSavezCompressed) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import numpy";
  write_bytes(path("save.py"),
              "import sys\n"
              "import numpy as np\n"
              "arrays = dict(\n"
              "    f4=np.arange(6, dtype='<f4').reshape(2, 3) * np.float32(0.5) - np.float32(1),\n"
              "    f8=np.array(3.25, dtype='<f8'),\n"
              "    i8=np.array([-(2**63), 2**63 - 1, 0], dtype='<i8'),\n"
              "    i4=np.arange(24, dtype='<i4').reshape(2, 3, 4) - 12,\n"
              "    empty=np.zeros((0,), dtype='<f8'),\n"
              "    empty3=np.zeros((2, 0, 3), dtype='<i4'),\n"
              "    big=np.arange(200000, dtype='<f8') / 7,\n"
              ")\n"
              "np.savez(sys.argv[1], **arrays)\n"
              "np.savez_compressed(sys.argv[2], **arrays)\n"
              "np.savez(sys.argv[3], a=np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))\n"
              "np.savez(sys.argv[4], a=np.arange(3, dtype='>f4'))\n"
              "np.savez_compressed(sys.argv[5], a=np.arange(3, dtype='u1'))\n"
              "np.savez(sys.argv[6], np.arange(3, dtype='<i4'))\n");
  ASSERT_EQ(run_python(path("save.py"),
                       {path("plain.npz"), path("compressed.npz"), path("fortran.npz"), path("bigendian.npz"),
                        path("uint8.npz"), path("positional.npz")},
                       path("save.err")),
            0)
      << read_bytes(path("save.err"));

  std::vector<double> big(200000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i) / 7.0;
  std::vector<int32_t> i4(24);
  for (int32_t i = 0; i < 24; ++i) i4[static_cast<size_t>(i)] = i - 12;
  const std::vector<NpyArray> expected = {
      make<float>("f4", {2, 3}, {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}),
      make<double>("f8", {}, {3.25}),
      make<int64_t>("i8", {3}, {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0}),
      make<int32_t>("i4", {2, 3, 4}, i4),
      make<double>("empty", {0}, {}),
      make<int32_t>("empty3", {2, 0, 3}, {}),
      make<double>("big", {200000}, big),
  };
  for (const char* file : {"plain.npz", "compressed.npz"}) {
    SCOPED_TRACE(file);
    const std::vector<NpyArray> back = read_npz(path(file));
    ASSERT_EQ(back.size(), expected.size());
    for (const NpyArray& want : expected) expect_same(want, find(back, want.name));
  }
  expect_read_error(path("fortran.npz"), {"a.npy", "fortran_order"});
  expect_read_error(path("bigendian.npz"), {"a.npy", "'>f4'"});
  expect_read_error(path("uint8.npz"), {"a.npy", "'|u1'"});
  const std::vector<NpyArray> positional = read_npz(path("positional.npz"));
  ASSERT_EQ(positional.size(), 1u);
  expect_same(make<int32_t>("arr_0", {3}, {0, 1, 2}), positional[0]);
}

// Found by fuzzing (fuzz_npz): a 276-byte archive whose directory claims a 4 GiB stored entry and whose NPY header
// claims a length near 1.5 GB. The reader must refuse it with one IoError line, never allocate what it claims.
TEST_F(NpzTest, ClaimedSizesAreCheckedBeforeAnythingIsAllocated) {
  const std::string file = std::string(GROKSCOPE_FIXTURES) + "/npz/claims_4gib_entry.npz";
  expect_read_error(file, {"x.npy", "corrupt archive"});
}

}  // namespace
}  // namespace grokscope
