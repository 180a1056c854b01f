// NumPy .npz reading and writing on top of libzip.
#include "grokscope/io/npz.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "grokscope/core/error.h"
#include "grokscope/io/write_fault.h"

namespace grokscope {

static_assert(std::endian::native == std::endian::little,
              "npz I/O copies element bytes as they are in memory; a big-endian host would need byte swapping");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;   // numpy >= 1.23 pads the preamble to a multiple of 64 bytes

struct ZipDiscard {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct ZipFileClose {
  void operator()(zip_file_t* zf) const { zip_fclose(zf); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;

std::string zip_error_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw IoError("npz '" + path + "': " + reason);
}
[[noreturn]] void fail_entry(const std::string& path, const std::string& entry, const std::string& reason) {
  throw IoError("npz '" + path + "': entry '" + entry + "': " + reason);
}

// ---------------------------------------------------------------------------------------------------- writing

struct DtypeInfo {
  const char* descr;
  size_t item_size;
  const void* bytes;
  size_t count;
};

DtypeInfo dtype_info(const NpyArray& array) {
  return std::visit(
      [](const auto& v) -> DtypeInfo {
        using T = typename std::decay_t<decltype(v)>::value_type;
        const char* descr = std::is_same_v<T, float>     ? "<f4"
                            : std::is_same_v<T, double>  ? "<f8"
                            : std::is_same_v<T, int64_t> ? "<i8"
                                                         : "<i4";
        return {descr, sizeof(T), v.data(), v.size()};
      },
      array.data);
}

// The NPY 1.0 preamble: magic, version, header length, header dict padded with spaces to end in '\n' on a multiple
// of kAlign bytes. Empty when the header does not fit the 16-bit length of format 1.0.
std::string npy_preamble(const char* descr, const std::vector<int64_t>& shape) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(shape[i]);
  }
  if (shape.size() == 1) dict += ",";
  dict += "), }";
  const size_t unpadded = kMagicLen + 4 + dict.size() + 1;   // + '\n'
  const size_t padding = (kAlign - unpadded % kAlign) % kAlign;
  const size_t header_len = dict.size() + padding + 1;
  if (header_len > std::numeric_limits<uint16_t>::max()) return {};
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(1);
  out += static_cast<char>(0);
  out += static_cast<char>(header_len & 0xff);
  out += static_cast<char>(header_len >> 8);
  out += dict;
  out.append(padding, ' ');
  out += '\n';
  return out;
}

// 1980-01-01 00:00 local time, the earliest MS-DOS timestamp (libzip converts with localtime).
time_t fixed_mtime() {
  std::tm tm{};
  tm.tm_year = 80;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

void fsync_file(const std::string& file, const std::string& path) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot reopen '" + file + "' to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) fail(path, "cannot sync '" + file + "': " + std::strerror(saved));
}

// Writes an archive with no entries (libzip deletes an empty archive on close instead of writing it).
void write_empty_zip(const std::string& file, const std::string& path) {
  static const char kEndOfCentralDirectory[22] = {'P', 'K', 5, 6};
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "cannot create '" + file + "': " + std::strerror(errno));
  out.write(kEndOfCentralDirectory, sizeof kEndOfCentralDirectory);
  out.close();
  if (!out) fail(path, "cannot write '" + file + "'");
}

void write_zip(const std::string& tmp, const std::string& path, const std::vector<NpyArray>& arrays) {
  int code = 0;
  ZipPtr za(zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!za) fail(path, "cannot create '" + tmp + "': " + zip_error_message(code));
  const time_t mtime = fixed_mtime();

  // Sources refer to these buffers until zip_close; reserve so that they never move.
  std::vector<std::string> preambles;
  preambles.reserve(arrays.size());
  std::vector<std::vector<zip_buffer_fragment_t>> fragments;
  fragments.reserve(arrays.size());
  for (const NpyArray& array : arrays) {
    const std::string entry = array.name + ".npy";
    const DtypeInfo info = dtype_info(array);
    preambles.push_back(npy_preamble(info.descr, array.shape));
    if (preambles.back().empty()) fail_entry(path, entry, "too many dimensions for an NPY 1.0 header");
    auto& frags = fragments.emplace_back();
    frags.push_back({reinterpret_cast<zip_uint8_t*>(preambles.back().data()), preambles.back().size()});
    if (info.count > 0)
      frags.push_back({const_cast<zip_uint8_t*>(static_cast<const zip_uint8_t*>(info.bytes)),
                       static_cast<zip_uint64_t>(info.count * info.item_size)});
    zip_source_t* source = zip_source_buffer_fragment(za.get(), frags.data(), frags.size(), 0);
    if (!source) fail_entry(path, entry, std::string("cannot create source: ") + zip_strerror(za.get()));
    const zip_int64_t index = zip_file_add(za.get(), entry.c_str(), source, ZIP_FL_ENC_GUESS);
    if (index < 0) {
      const std::string reason = zip_strerror(za.get());
      zip_source_free(source);
      fail_entry(path, entry, "cannot add: " + reason);
    }
    const auto uindex = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(za.get(), uindex, ZIP_CM_STORE, 0) != 0)
      fail_entry(path, entry, std::string("cannot set compression: ") + zip_strerror(za.get()));
    if (zip_file_set_mtime(za.get(), uindex, mtime, 0) != 0)
      fail_entry(path, entry, std::string("cannot set time: ") + zip_strerror(za.get()));
  }
  if (zip_close(za.get()) != 0) fail(path, "cannot write '" + tmp + "': " + zip_strerror(za.get()));
  za.release();   // zip_close freed it
}

// ---------------------------------------------------------------------------------------------------- reading

// A cursor over the Python literal of an NPY header dict.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path, const std::string& entry)
      : s_(text), path_(path), entry_(entry) {}

  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool at_end() {
    skip_ws();
    return pos_ == s_.size();
  }
  bool peek(char c) {
    skip_ws();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) error(std::string("expected '") + c + "'");
  }
  std::string string_literal() {
    skip_ws();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) error("expected a string");
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) error("unterminated string");
    std::string out(s_.substr(pos_, end - pos_));
    if (out.find('\\') != std::string::npos) error("escapes in strings are not supported");
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_ws();
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    error("expected True or False");
  }
  int64_t non_negative_int() {
    skip_ws();
    const size_t start = pos_;
    int64_t value = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const int digit = s_[pos_++] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) error("dimension out of range");
      value = value * 10 + digit;
    }
    if (pos_ == start) error("expected a non-negative integer");
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;   // Python 2 long
    return value;
  }
  std::vector<int64_t> int_tuple() {
    expect('(');
    std::vector<int64_t> out;
    while (!accept(')')) {
      out.push_back(non_negative_int());
      if (!accept(',')) {
        expect(')');
        if (out.size() == 1) error("'(n)' is not a tuple");
        break;
      }
    }
    return out;
  }
  [[noreturn]] void error(const std::string& what) const {
    std::string_view shown = s_;
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n')) shown.remove_suffix(1);
    fail_entry(path_, entry_, "malformed NPY header (" + what + " at offset " + std::to_string(pos_) + "): " +
                                  std::string(shown));
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  const std::string& path_;
  const std::string& entry_;
};

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

NpyHeader parse_header(std::string_view text, const std::string& path, const std::string& entry) {
  HeaderParser p(text, path, entry);
  NpyHeader header;
  bool have_descr = false, have_order = false, have_shape = false;
  p.expect('{');
  while (!p.accept('}')) {
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      if (!p.peek('\'') && !p.peek('"')) fail_entry(path, entry, "structured dtypes are not supported");
      header.descr = p.string_literal();
      have_descr = true;
    } else if (key == "fortran_order") {
      header.fortran_order = p.boolean();
      have_order = true;
    } else if (key == "shape") {
      header.shape = p.int_tuple();
      have_shape = true;
    } else {
      p.error("unexpected key '" + key + "'");
    }
    if (!p.accept(',')) {
      p.expect('}');
      break;
    }
  }
  if (!p.at_end()) p.error("trailing characters");
  if (!have_descr || !have_order || !have_shape) p.error("missing one of 'descr', 'fortran_order', 'shape'");
  return header;
}

class EntryReader {
 public:
  EntryReader(zip_file_t* zf, const std::string& path, const std::string& entry)
      : zf_(zf), path_(path), entry_(entry) {}

  void read(void* dst, uint64_t n) {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
      const zip_int64_t got = zip_fread(zf_, out, n);
      if (got < 0) fail_entry(path_, entry_, std::string("read failed: ") + zip_file_strerror(zf_));
      if (got == 0) fail_entry(path_, entry_, "truncated");
      out += got;
      n -= static_cast<uint64_t>(got);
    }
  }
  // Reads to the end of the entry, which also makes libzip verify its CRC.
  void expect_end() {
    char extra = 0;
    const zip_int64_t got = zip_fread(zf_, &extra, 1);
    if (got < 0) fail_entry(path_, entry_, std::string("read failed: ") + zip_file_strerror(zf_));
    if (got > 0) fail_entry(path_, entry_, "unexpected bytes after the array data");
  }

 private:
  zip_file_t* zf_;
  const std::string& path_;
  const std::string& entry_;
};

template <typename T>
void read_data(NpyArray& array, int64_t count, EntryReader& reader) {
  std::vector<T> values(static_cast<size_t>(count));
  reader.read(values.data(), static_cast<uint64_t>(count) * sizeof(T));
  array.data = std::move(values);
}

// numpy writes headers of a few hundred bytes (format 1.0 allows 64 KiB); a longer one is a corrupt file.
constexpr uint64_t kMaxHeaderLen = uint64_t{1} << 20;

NpyArray read_entry(zip_t* za, zip_uint64_t index, const std::string& path) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, index, 0, &st) != 0)
    fail(path, "cannot stat entry " + std::to_string(index) + ": " + zip_strerror(za));
  std::string entry = "#";   // only when the archive has no name for it
  if ((st.valid & ZIP_STAT_NAME) && st.name) entry = st.name;
  else entry += std::to_string(index);
  if (!(st.valid & ZIP_STAT_SIZE)) fail_entry(path, entry, "unknown size");
  // The sizes in the archive's directory are claims: nothing is allocated from them before they are checked against
  // the bytes actually stored (found by fuzzing: a 276-byte file claiming a 4 GiB entry). A stored entry is as long
  // as its data; deflate expands at most 1032:1.
  if (st.valid & ZIP_STAT_COMP_SIZE) {
    const bool stored = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE;
    if ((stored && st.size != st.comp_size) || st.size / 1032 > st.comp_size)
      fail_entry(path, entry, "claims " + std::to_string(st.size) + " bytes from " + std::to_string(st.comp_size) +
                                  " stored bytes (corrupt archive)");
  }

  ZipFilePtr zf(zip_fopen_index(za, index, 0));
  if (!zf) fail_entry(path, entry, std::string("cannot open: ") + zip_strerror(za));
  EntryReader reader(zf.get(), path, entry);

  char prefix[8];
  if (st.size < sizeof prefix) fail_entry(path, entry, "not an NPY array (too short)");
  reader.read(prefix, sizeof prefix);
  if (std::memcmp(prefix, kMagic, kMagicLen) != 0) fail_entry(path, entry, "not an NPY array (bad magic)");
  const auto major = static_cast<unsigned char>(prefix[6]);
  const auto minor = static_cast<unsigned char>(prefix[7]);
  uint64_t header_len = 0;
  uint64_t preamble = sizeof prefix;
  if (major == 1) {
    unsigned char len[2];
    reader.read(len, 2);
    header_len = len[0] | (uint64_t{len[1]} << 8);
    preamble += 2;
  } else if (major == 2 || major == 3) {
    unsigned char len[4];
    reader.read(len, 4);
    header_len = len[0] | (uint64_t{len[1]} << 8) | (uint64_t{len[2]} << 16) | (uint64_t{len[3]} << 24);
    preamble += 4;
  } else {
    fail_entry(path, entry,
               "unsupported NPY format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  if (st.size < preamble || header_len > st.size - preamble) fail_entry(path, entry, "truncated NPY header");
  if (header_len > kMaxHeaderLen)
    fail_entry(path, entry, "NPY header of " + std::to_string(header_len) + " bytes (at most 1 MiB is accepted)");
  std::string text(header_len, '\0');
  reader.read(text.data(), header_len);
  preamble += header_len;
  const NpyHeader header = parse_header(text, path, entry);

  if (header.fortran_order) fail_entry(path, entry, "fortran_order True is not supported");
  size_t item_size = 0;
  if (header.descr == "<f4" || header.descr == "<i4") item_size = 4;
  else if (header.descr == "<f8" || header.descr == "<i8") item_size = 8;
  else fail_entry(path, entry, "unsupported dtype '" + header.descr + "' (expected <f4, <f8, <i8 or <i4)");

  int64_t count = 1;
  for (const int64_t dim : header.shape) {
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(item_size) / dim)
      fail_entry(path, entry, "shape too large");
    count *= dim;
  }
  const uint64_t data_bytes = static_cast<uint64_t>(count) * item_size;
  if (st.size - preamble != data_bytes)
    fail_entry(path, entry,
               "data is " + std::to_string(st.size - preamble) + " bytes, shape and dtype need " +
                   std::to_string(data_bytes));

  NpyArray array;
  array.name = entry;
  if (array.name.size() > 4 && array.name.ends_with(".npy")) array.name.resize(array.name.size() - 4);
  array.shape = header.shape;
  if (header.descr == "<f4") read_data<float>(array, count, reader);
  else if (header.descr == "<f8") read_data<double>(array, count, reader);
  else if (header.descr == "<i8") read_data<int64_t>(array, count, reader);
  else read_data<int32_t>(array, count, reader);
  reader.expect_end();
  return array;
}

}  // namespace

void write_npz(const std::string& path, const std::vector<NpyArray>& arrays) {
  std::set<std::string> names;
  for (const NpyArray& array : arrays) {
    GS_CHECK(!array.name.empty());
    GS_CHECK(names.insert(array.name).second);
    for (const int64_t dim : array.shape) GS_CHECK(dim >= 0);
    GS_CHECK(std::visit([](const auto& v) { return static_cast<int64_t>(v.size()); }, array.data) == array.size());
  }

  check_write_fault(path);
  const std::string tmp = path + ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);   // a leftover of an earlier crash
  try {
    if (arrays.empty()) write_empty_zip(tmp, path);
    else write_zip(tmp, path, arrays);
    fsync_file(tmp, path);
  } catch (...) {
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail(path, "cannot rename '" + tmp + "' into place: " + ec.message());
  }
}

std::vector<NpyArray> read_npz(const std::string& path) {
  int code = 0;
  ZipPtr za(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!za) fail(path, "cannot open: " + zip_error_message(code));
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0) fail(path, std::string("cannot list entries: ") + zip_strerror(za.get()));
  std::error_code ec;
  if (n == 0 && std::filesystem::file_size(path, ec) == 0 && !ec) fail(path, "empty file, not a ZIP archive");
  std::vector<NpyArray> arrays;
  arrays.reserve(static_cast<size_t>(n));
  for (zip_int64_t i = 0; i < n; ++i) arrays.push_back(read_entry(za.get(), static_cast<zip_uint64_t>(i), path));
  return arrays;
}

}  // namespace grokscope
