// The metrics.csv column reference (train/column_docs.h). Keep an entry per column pattern that some run can write;
// tests/train/column_docs_test.cpp fails when a written column has no entry, an entry matches no column of its test
// runs, or docs/columns.md differs from columns_markdown().
#include "grokscope/train/column_docs.h"

#include <regex>
#include <sstream>

namespace grokscope {

const std::vector<ColumnDoc>& column_docs() {
  static const std::vector<ColumnDoc> docs = {
      {"step", "trainer", "optimizer updates done (the row describes the parameters after them)"},
      {"time", "trainer", "continuous time: the sum of the learning rates so far; gradient flow: the integrated time; loss_scaled: e^log_time (inf past e^709) [outputs.md]"},
      {"loss_train", "trainer", "mean loss over the training set (cross-entropy, or MSE in the loss.mse_reduction convention)"},
      {"loss_test", "trainer", "the same on the test set"},
      {"acc_train", "trainer", "fraction of training rows whose argmax logit is the label (binary: sign agreement; NaN for regression)"},
      {"acc_test", "trainer", "the same on the test set"},
      {"margin_train", "trainer", "min_i (z_{i,y_i} - max_{j != y_i} z_{ij}) over the training rows; negative while a row is misclassified (NaN for regression)"},
      {"margin_test", "trainer", "the same on the test set"},
      {"log_time", "trainer (optim.schedule = loss_scaled)", "ln of the continuous time sum eta / L_t, accumulated in log space [theory.md]"},
      {"log_loss_train", "trainer (optim.schedule = loss_scaled)", "ln of the training loss, finite where loss_train underflows to 0"},
      {"flow_evals", "trainer (optim.kind = gradient_flow)", "gradient evaluations of the integrator so far (its cost)"},
      {"flow_steps", "trainer (optim.kind = gradient_flow)", "accepted integrator steps so far"},
      {"flow_rejected", "trainer (optim.kind = gradient_flow)", "rejected integrator attempts so far"},
      {"flow_forced", "trainer (optim.kind = gradient_flow)", "steps accepted at optim.flow_dt_floor with too large an error estimate"},
      {"flow_dt", "trainer (optim.kind = gradient_flow)", "the last accepted step in time"},
      {"norm_<param>", "trainer", "Frobenius norm of a parameter tensor (norm_w1, norm_b1, norm_E, norm_u, ...)"},
      {"norm_total", "trainer", "||theta||_2 over all parameters"},
      {"dist_init_rel", "probe kernel", "||theta - theta_0|| / ||theta_0|| (NaN if theta_0 = 0) [diagnostics.md]"},
      {"cos_init", "probe kernel", "cos(theta, theta_0); the rich regime shows as it falls [diagnostics.md]"},
      {"nmargin_train", "probe margin", "q_min / ||theta||^L, the normalized margin of an L-homogeneous model (NaN otherwise) [diagnostics.md]"},
      {"grad_norm_<group>", "probe grad", "||grad_group L_train||_F, the full-batch loss gradient without weight decay restricted to a parameter group (input, embedding, hidden, head, diagonal, factors; the transformer's embedding, attention, mlp, layer_norm, head); NaN without a full-batch gradient (minibatch runs, the final row)"},
      {"grad_ratio_head_<group>", "probe grad", "grad_norm_head / grad_norm_<group> for the lowest group (input, or embedding for the embedding MLP): Tan Prop. 4.2's head-vs-embedding ratio"},
      {"srank_<matrix>", "probe spectral", "stable rank ||A||_F^2 / ||A||_2^2 of a weight matrix [diagnostics.md]"},
      {"erank_<matrix>", "probe spectral", "effective rank exp(-sum p_i log p_i), p_i = sigma_i / sum sigma [diagnostics.md]"},
      {"nuc_<matrix>", "probe spectral", "nuclear norm sum sigma_i [diagnostics.md]"},
      {"fourier_gini", "probe fourier", "Gini coefficient of the first layer's Fourier-frequency norms over the residues (constant excluded) [diagnostics.md]"},
      {"fourier_keys", "probe fourier", "number of key frequencies: the distinct top frequencies of the concentrated first-layer neurons (MLP), or those above the largest gap (>= 2x) in E's sorted frequency norms (embedding MLP); 0 = no Fourier structure [diagnostics.md]"},
      {"neuron_ipr", "probe fourier", "mean over first-layer ReLU neurons of the inverse participation ratio of their Fourier energy, sum_k e_k^2 / (sum_k e_k)^2 (1/K flat, 1 one frequency; Gromov 2023) [diagnostics.md]"},
      {"neuron_conc_frac", "probe fourier", "fraction of first-layer ReLU neurons whose top frequency holds >= 90% of their non-constant Fourier energy [diagnostics.md]"},
      {"s_rule", "probe fourier", "Tan's rule gap: share of the first layer's energy outside the key-frequency subspace [diagnostics.md]"},
      {"circle_rho_logdev", "probe fourier", "mean over key k of |log rho_k|, rho_k = ||Re F_k|| / ||Im F_k|| (0 for circles; Musat) [diagnostics.md]"},
      {"circle_cos_abs", "probe fourier", "mean over key k of |cos(Re F_k, Im F_k)| (0 for circles; Musat) [diagnostics.md]"},
      {"gate_flip_frac", "probe gates", "share of the first ReLU layer's training-set gates [pre > 0] that changed since the previous evaluation (NaN at the first) [diagnostics.md]"},
      {"preact_min_abs", "probe gates", "min over training rows and units of |pre-activation| (Tan App. F.3's gate margin) [diagnostics.md]"},
      {"s_sep", "probe gates", "Tan's class-separation gap of the last hidden activations [diagnostics.md]"},
      {"fourier_gini_we", "probe fourier (transformer)", "Gini coefficient of the Fourier-frequency norms (k = 1..p/2, constant excluded) of W_E's residue rows [diagnostics.md]"},
      {"fourier_gini_wl", "probe fourier (transformer)", "the same for the neuron-logit map W_L = W_out W_U over its logit axis [diagnostics.md]"},
      {"fourier_keys_we", "probe fourier (transformer)", "number of key frequencies of W_E: those above the largest gap (>= 2x) in its sorted frequency norms; 0 = none [diagnostics.md]"},
      {"fourier_keys_wl", "probe fourier (transformer)", "the same for W_L; these keys are the ones loss_restricted and loss_excluded use [diagnostics.md]"},
      {"loss_restricted", "probe fourier_loss", "Nanda's restricted loss: CE of the logits kept to the key-frequency components (with the per-class mean); MLP: on the training pairs; transformer: over all p^2 pairs, keys of W_L (none: the per-class-mean logits) [diagnostics.md]"},
      {"loss_excluded", "probe fourier_loss", "Nanda's excluded loss: CE on the training pairs of the logits without the key-frequency components (transformer: keys of W_L; none: the training loss) [diagnostics.md]"},
      {"srank_A", "probe model (deep linear net)", "stable rank of the end-to-end map A = W_L ... W_1"},
      {"nuc_A", "probe model (deep linear net)", "nuclear norm of A"},
      {"penalty_induced", "probe model (deep linear net)", "(lambda L / 2) sum sigma_i(A)^(2/L), the Schatten penalty that layerwise weight decay induces (Tan Eq. 2.7)"},
      {"penalty_actual", "probe model (deep linear net)", "(lambda / 2) sum_l ||W_l||_F^2 (>= induced; equal iff the layers are balanced)"},
      {"sv_A_<i>", "probe model (deep linear net)", "the i-th largest singular value of A (i = 1 .. min(out, in)); Tan Prop. 4.3 compares their relative decay rates"},
      {"imbalance_<l>", "probe model (deep linear net)", "||W_{l+1}^T W_{l+1} - W_l W_l^T||_F (decays as e^{-2 lambda t})"},
      {"w_l1_over_l2", "probe model (diagonal net)", "||w||_1 / ||w||_2 of w = u^L - v^L (a sparsity proxy)"},
      {"cos_w_star", "probe model (diagonal net)", "cos(w, w*) with the task's teacher w*"},
      {"loss_population", "probe population (diagonal net on sparse_regression)", "||w - w*||^2, the exact population loss E_x (<w, x> - <w*, x>)^2 for isotropic Gaussian x (LY-8)"},
      {"loss_population_gf", "probe population (diagonal net on sparse_regression)", "||w_GF - w*||^2 of the gradient-flow limit theta_GF from the same init on the clean training set (constant)"},
      {"dist_w_gf", "probe population (diagonal net on sparse_regression)", "||w - w_GF|| / ||w_GF||"},
      {"loss_train_gf", "probe population (diagonal net on sparse_regression)", "training loss at theta_GF: how close the flow got to zero loss (constant)"},
      {"rank_W", "probe model (matrix factorization)", "numerical rank of W = U U^T - V V^T"},
      {"ntk_cos_test", "probe ntk (opt-in)", "regression: cos(f(theta_t) - f(theta_0), f_ntk - f(theta_0)) on the test outputs; binary: cos(f(theta_t) - f(theta_0), f_ntk) [diagnostics.md, theory.md]"},
      {"ntk_dist_test", "probe ntk (opt-in, regression)", "||f(theta_t; X_test) - f_ntk(X_test)|| / ||f_ntk(X_test)||"},
      {"ntk_loss_test", "probe ntk (opt-in, regression)", "test loss of the kernel predictor itself (constant)"},
      {"ntk_agree_test", "probe ntk (opt-in, binary)", "share of test rows where sign f(theta_t) = sign f_ntk (ties count 1/2)"},
      {"ntk_acc_test", "probe ntk (opt-in, binary)", "test accuracy of the NTK max-margin classifier (constant)"},
      {"ntk_margin", "probe ntk (opt-in, binary)", "gamma_ntk = 1 / ||h*|| of the NTK max-margin classifier (constant)"},
      {"ntk_support", "probe ntk (opt-in, binary)", "support vectors of the NTK max-margin classifier (constant)"},
      {"cos_w_l1", "probe margin_targets (opt-in)", "cos(w, w*_1) with the max-L1-margin classifier [theory.md]"},
      {"cos_w_l2", "probe margin_targets (opt-in)", "cos(w, w*_2) with the max-L2-margin classifier"},
      {"margin_ratio_l1", "probe margin_targets (opt-in)", "(min_i y_i <w, x_i> / ||w||_1) / gamma_1: 1 on a max-L1-margin classifier"},
      {"margin_ratio_l2", "probe margin_targets (opt-in)", "(min_i y_i <w, x_i> / ||w||_2) / gamma_2: 1 on a max-L2-margin classifier"},
      {"acc_test_w_l1", "probe margin_targets (opt-in)", "test accuracy of w*_1 (constant)"},
      {"acc_test_w_l2", "probe margin_targets (opt-in)", "test accuracy of w*_2 (constant)"},
      {"zl_cos_dtheta_gtilde", "probe zero_loss_direction (opt-in)", "cos(theta_e - theta_{e-c}, g~), the update over c steps against Musat's norm-minimizing tangent direction [theory.md]"},
      {"zl_cos_dtheta_grad", "probe zero_loss_direction (opt-in)", "cos(theta_e - theta_{e-c}, -(grad L + wd theta))"},
      {"zl_dist", "probe zero_loss_direction (opt-in)", "||theta - theta'||, theta' the GD projection onto the zero-loss set (dist_Z estimate)"},
      {"zl_loss", "probe zero_loss_direction (opt-in)", "training loss at theta' (should be ~0)"},
      {"zl_steps", "probe zero_loss_direction (opt-in)", "projection steps taken"},
      {"zl_rank", "probe zero_loss_direction (opt-in)", "numerical rank of the output Jacobian J at theta'"},
      {"zl_tangent_frac", "probe zero_loss_direction (opt-in)", "||g~|| / ||theta||, the share of -theta tangent to the zero-loss set"},
  };
  return docs;
}

bool column_matches(const std::string& pattern, const std::string& column) {
  std::string re;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '<') {
      const size_t end = pattern.find('>', i);
      if (end != std::string::npos) {
        re += "[A-Za-z0-9_.]+";   // dots: the transformer's TransformerLens names (embed.W_E)
        i = end;
        continue;
      }
    }
    if (std::string("\\^$.|?*+()[]{}").find(pattern[i]) != std::string::npos) re += '\\';
    re += pattern[i];
  }
  return std::regex_match(column, std::regex(re));
}

std::string columns_markdown() {
  std::ostringstream md;
  md << "# metrics.csv columns\n\n"
        "Generated by `grokscope columns --markdown` from the code's own table (`src/train/column_docs.cpp`); a test\n"
        "keeps this page, the table and the columns that runs actually write in step. Placeholders: `<param>` a\n"
        "parameter tensor, `<matrix>` a weight matrix (at least 2 x 2), `<group>` a parameter group, `<l>` an integer.\n"
        "Which probes a run has is set by `eval.probes` ([config.md](config.md)); the formulas are in\n"
        "[diagnostics.md](diagnostics.md) and [theory.md](theory.md). Runs of `grokscope theory isolated` and\n"
        "`grokscope theory landscape` write their own columns ([theory.md](theory.md)).\n\n"
        "| column | written by | meaning |\n|---|---|---|\n";
  for (const auto& d : column_docs()) md << "| `" << d.pattern << "` | " << d.source << " | " << d.meaning << " |\n";
  return md.str();
}

}  // namespace grokscope
