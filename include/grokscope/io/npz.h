// NumPy .npz archives: a ZIP file with one .npy (format 1.0) entry per array, as written by numpy.savez.
// Supported element types are little-endian float32, float64, int64 and int32 ('<f4', '<f8', '<i8', '<i4'), C order.
#pragma once

#include <string>
#include <vector>

#include "grokscope/core/npy_array.h"

namespace grokscope {

// Writes arrays to path as an uncompressed (ZIP_CM_STORE) .npz readable by numpy.load, one entry "<name>.npy" per
// array, in the given order. The file is written to "<path>.tmp" and renamed into place, so a crash never leaves a
// half-written file at path. Entry timestamps are fixed, so equal input gives a byte-identical file.
// Throws IoError on failure (message names the path and the reason); GS_CHECK that each array's data size matches its
// shape, and that names are non-empty and unique.
void write_npz(const std::string& path, const std::vector<NpyArray>& arrays);

// Reads an .npz written by write_npz or by numpy.savez / numpy.savez_compressed (stored or deflated entries,
// NPY format 1.0, 2.0 or 3.0, little-endian '<f4' '<f8' '<i8' '<i4', C order), in archive order. An entry name
// ending in ".npy" loses that suffix. Throws IoError naming path and entry on anything unsupported or malformed
// (fortran_order True, another dtype, a truncated entry, a file that is not a ZIP archive, a missing file).
std::vector<NpyArray> read_npz(const std::string& path);

}  // namespace grokscope
