// Probe selection: every probe that applies to the run's model and task, filtered by eval.probes.
#include "grokscope/train/probes.h"

#include <algorithm>

#include "grokscope/data/modular.h"
#include "probes/basic.h"
#include "probes/modular.h"
#include "probes/margin_targets.h"
#include "probes/models.h"
#include "probes/ntk.h"
#include "probes/ntk_binary.h"
#include "probes/population.h"
#include "probes/transformer_fourier.h"
#include "probes/zero_loss.h"

namespace grokscope {

const std::vector<std::string>& probe_names() {
  static const std::vector<std::string> names = {"kernel", "margin", "grad",         "spectral",
                                                 "fourier", "gates", "fourier_loss", "model", "ntk",
                                                 "zero_loss_direction", "margin_targets", "population"};
  return names;
}

template <class T>
std::vector<std::unique_ptr<Probe<T>>> make_probes(const RunConfig& config, const Model<T>& model,
                                                   const TaskData<T>& data) {
  const auto& wanted = config.eval.probes;
  const bool all = std::find(wanted.begin(), wanted.end(), "default") != wanted.end();
  auto on = [&](const char* name) { return all || std::find(wanted.begin(), wanted.end(), name) != wanted.end(); };
  const ParamLayout& layout = model.layout();
  std::vector<std::unique_ptr<Probe<T>>> probes;
  using namespace detail;
  if (on("kernel")) probes.push_back(std::make_unique<KernelProbe<T>>());
  if (on("margin") && data.target != TargetKind::regression) probes.push_back(std::make_unique<MarginProbe<T>>());
  if (on("grad")) probes.push_back(std::make_unique<GradProbe<T>>(layout));
  if (on("spectral")) probes.push_back(std::make_unique<SpectralProbe<T>>(layout));
  const FirstLayerView view = first_layer_view(layout, config.task);
  const auto fourier_cache = std::make_shared<LayerFourierCache>();   // one transform per evaluation for both
  if (on("fourier") && view.valid()) probes.push_back(std::make_unique<FourierProbe<T>>(view, fourier_cache));
  if (on("gates") && GateProbe<T>::applies(layout, config.model, data.train))
    probes.push_back(std::make_unique<GateProbe<T>>(layout, data.train));
  if (on("fourier_loss") && view.valid() && config.task.op == "add" && config.task.pairs == PairSet::ordered &&
      data.target == TargetKind::classes)
    probes.push_back(std::make_unique<FourierLossProbe<T>>(config.task, data, view, model, fourier_cache));
  // The transformer: Nanda's measures on W_E and W_L = W_out W_U (first_layer_view finds no MLP table there).
  const TransformerView tview = transformer_view(layout, config.model, config.task);
  const auto transformer_cache = std::make_shared<TransformerFourierCache>();
  if (on("fourier") && tview.valid())
    probes.push_back(std::make_unique<TransformerFourierProbe<T>>(tview, transformer_cache));
  if (on("fourier_loss") && tview.valid() && config.task.op == "add" && config.task.pairs == PairSet::ordered &&
      data.target == TargetKind::classes)
    probes.push_back(std::make_unique<TransformerFourierLossProbe<T>>(data, tview, model, transformer_cache));
  if (on("model")) {
    if (DeepLinearProbe<T>::applies(layout, config.model))
      probes.push_back(std::make_unique<DeepLinearProbe<T>>(layout, config.optim.weight_decay));
    if (config.model.kind == ModelKind::diagonal)
      probes.push_back(std::make_unique<DiagonalProbe<T>>(layout, config.model.depth, data));
    if (config.model.kind == ModelKind::matrix_factorization) probes.push_back(std::make_unique<MatrixProbe<T>>(layout));
  }
  // Diagonal net on sparse_regression: the exact population loss, and theta_GF's (a gradient flow at the first eval).
  if (on("population") && PopulationProbe<T>::applies(config))
    probes.push_back(std::make_unique<PopulationProbe<T>>(config));
  // Opt-in (not part of "default"): one backward pass per (row, output) of the train and test sets at the first eval.
  if (std::find(wanted.begin(), wanted.end(), "ntk") != wanted.end() && NtkProbe<T>::applies(data))
    probes.push_back(std::make_unique<NtkProbe<T>>());
  // Binary classification: the NTK max-margin classifier (a CLP QP over the training rows) at the first eval.
  if (std::find(wanted.begin(), wanted.end(), "ntk") != wanted.end() && NtkBinaryProbe<T>::applies(model, data))
    probes.push_back(std::make_unique<NtkBinaryProbe<T>>(model, data));
  // Opt-in: the diagonal net's max-L1- and max-L2-margin classifiers (CLP LP and QP) at the first eval.
  if (std::find(wanted.begin(), wanted.end(), "margin_targets") != wanted.end() &&
      MarginTargetsProbe<T>::applies(config.model, data))
    probes.push_back(std::make_unique<MarginTargetsProbe<T>>(layout, config.model.depth));
  // Opt-in: a GD projection and the (n_train * outputs) x P output Jacobian with its QR at every evaluation.
  if (std::find(wanted.begin(), wanted.end(), "zero_loss_direction") != wanted.end() &&
      ZeroLossProbe<T>::applies(data))
    probes.push_back(std::make_unique<ZeroLossProbe<T>>(config, layout));
  return probes;
}

template std::vector<std::unique_ptr<Probe<float>>> make_probes<float>(const RunConfig&, const Model<float>&,
                                                                       const TaskData<float>&);
template std::vector<std::unique_ptr<Probe<double>>> make_probes<double>(const RunConfig&, const Model<double>&,
                                                                         const TaskData<double>&);

}  // namespace grokscope
