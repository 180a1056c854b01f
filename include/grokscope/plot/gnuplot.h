// Figures drawn by gnuplot (the Debian package gnuplot-nox): grokscope writes each figure's data (NAME.dat) and
// commands (NAME.gp) into a figures directory and runs one gnuplot process that renders every figure twice, to
// NAME.png (pngcairo) and NAME.svg (svg). `gnuplot render.gp` in that directory redraws them by hand. No plotting
// code of our own: this module only writes text and starts gnuplot.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace grokscope::plot {

// The gnuplot executable: $GROKSCOPE_GNUPLOT when set (a path or a name on PATH; "" or "none" means no gnuplot),
// else "gnuplot" found on PATH. nullopt when there is none.
std::optional<std::string> find_gnuplot();

// Whether the user turned figures off: GROKSCOPE_GNUPLOT set to "" or "none".
bool figures_disabled();

// The one-line message for a missing gnuplot.
inline constexpr const char* kNoGnuplot =
    "gnuplot not found: install the Debian package gnuplot-nox (or set GROKSCOPE_GNUPLOT to its path)";
inline constexpr const char* kFiguresDisabled = "figures disabled (GROKSCOPE_GNUPLOT=none)";
// The note in place of figures when there is no gnuplot: kFiguresDisabled or kNoGnuplot.
std::string no_figures_note();

struct Figure {
  std::string name;        // file stem: NAME.png, NAME.svg, NAME.gp
  std::string caption;     // one line for the report
  std::filesystem::path png, svg;
};

class FigureSet {
 public:
  // dir is created when missing; stale NAME.{png,svg,gp,dat} of earlier drawings are removed by render().
  explicit FigureSet(std::filesystem::path dir);

  // A data file in the figures directory (referenced from the bodies by its file name).
  void data(const std::string& file_name, const std::string& text);
  // A figure: gnuplot commands that draw one plot (or a multiplot) on the current terminal. The terminal, output
  // and a common style preamble are set by render(); the body should end with `unset multiplot` if it opened one.
  void figure(const std::string& name, const std::string& caption, const std::string& body, int width = 960,
              int height = 600);
  bool empty() const { return figures_.empty(); }

  // Writes NAME.gp for each figure and render.gp, runs gnuplot in the directory (stderr to gnuplot.log) and
  // returns the figures drawn. Throws IoError when gnuplot fails (with the last lines of its log).
  std::vector<Figure> render(const std::string& gnuplot);

 private:
  struct Pending {
    std::string name, caption, body;
    int width, height;
  };
  std::filesystem::path dir_;
  std::vector<Pending> figures_;
  std::vector<std::string> data_files_;
};

// Quotes text for a gnuplot single-quoted string ('it''s').
std::string gp_quote(const std::string& text);
// A number for a data file or a command: shortest exact form, NaN for non-finite values.
std::string gp_num(double v);
// Short human form of a number for labels: 1.23e+04, 0.001, 562.
std::string short_num(double v);

}  // namespace grokscope::plot
