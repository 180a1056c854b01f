// Helpers of the sweep-file parser: config key lookup, clock names, default fit laws. Private to src/sweep.
#pragma once

#include <string>
#include <vector>

#include "grokscope/io/config_toml.h"
#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

// The type of a dotted config key as config_keys() names it ("float", "int (32-bit)", "uint64", "enum", ...), or ""
// for an unknown key. optim.groups.<name>.lr and .weight_decay are known for any name.
// instrument "isolated" / "landscape": the isolated.* / landscape.* keys of the theory instrument instead.
std::string config_key_type(const std::string& key, Instrument instrument = Instrument::train);
// "unknown config key (did you mean model.init_scale?)".
std::string unknown_key_reason(const std::string& key, Instrument instrument = Instrument::train);
// The keys runs of this instrument take.
std::vector<ConfigKeyInfo> instrument_keys(Instrument instrument);
// "" when `clock` names a clock a fit can use, else the reason. eps_axis: the fit's x is "eps".
std::string check_clock_name(const std::string& clock, bool eps_axis, bool t_below_enabled);
// The default law of a fit against this axis (spec.h, effective_fits).
FitLaw default_law(const AxisSpec& axis);

}  // namespace grokscope::sweep
