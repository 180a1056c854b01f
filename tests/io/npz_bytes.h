// Hand-made archives for the NPZ reader tests: a minimal ZIP writer (stored entries, optionally with a wrong CRC)
// and NPY byte strings with arbitrary header dicts -- files that write_npz cannot produce.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace grokscope::npz_test {

inline uint32_t crc32(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (const unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}
inline void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

struct RawEntry {
  std::string name;
  std::string data;
  bool bad_crc = false;
};

inline std::string make_stored_zip(const std::vector<RawEntry>& entries) {
  std::string out, central;
  for (const RawEntry& e : entries) {
    const auto offset = static_cast<uint32_t>(out.size());
    const uint32_t crc = crc32(e.data) ^ (e.bad_crc ? 1u : 0u);
    const auto size = static_cast<uint32_t>(e.data.size());
    put32(out, 0x04034b50);
    put16(out, 20);     // version needed
    put16(out, 0);      // flags
    put16(out, 0);      // stored
    put16(out, 0);      // time
    put16(out, 0x21);   // date 1980-01-01
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, static_cast<uint32_t>(e.name.size()));
    put16(out, 0);
    out += e.name;
    out += e.data;

    put32(central, 0x02014b50);
    put16(central, 20);   // made by
    put16(central, 20);   // needed
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<uint32_t>(e.name.size()));
    put16(central, 0);    // extra
    put16(central, 0);    // comment
    put16(central, 0);    // disk
    put16(central, 0);    // internal attributes
    put32(central, 0);    // external attributes
    put32(central, offset);
    central += e.name;
  }
  const auto central_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(entries.size()));
  put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);
  return out;
}

// An NPY file with the given header dict text (padded like numpy) and raw data bytes.
inline std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + len_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += static_cast<char>(0);
  if (major == 1) put16(out, static_cast<uint32_t>(header.size()));
  else put32(out, static_cast<uint32_t>(header.size()));
  return out + header + data;
}

template <typename T>
inline std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

}  // namespace grokscope::npz_test
