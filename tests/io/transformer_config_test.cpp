// The transformer's config: its keys, the model-dependent default of task.encoding, and the one-line errors of the
// combinations validate() refuses.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "grokscope/train/config.h"

namespace grokscope {
namespace {

using config_test::error_of;
using config_test::parse;

// The message validate() throws for the config text (a test failure when it accepts it).
std::string invalid(const std::string& text) {
  const RunConfig c = parse(text);
  const std::string what = error_of([&] { validate(c); }).what();
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  return what;
}

TEST(TransformerConfig, KeysAndTokenEncodingDefault) {
  const RunConfig c = parse(
      "[model]\nkind = \"transformer\"\nlayers = 2\nd_model = 64\nheads = 8\nd_mlp = 256\nlayer_norm = true\n"
      "attn_bias = true\nunembed_bias = true\nmlp_bias = false\n");
  EXPECT_EQ(c.task.encoding, Encoding::tokens);
  EXPECT_EQ(c.model.layers, 2);
  EXPECT_EQ(c.model.d_model, 64);
  EXPECT_EQ(c.model.heads, 8);
  EXPECT_EQ(c.model.d_mlp, 256);
  EXPECT_TRUE(c.model.layer_norm && c.model.attn_bias && c.model.unembed_bias);
  EXPECT_FALSE(c.model.mlp_bias);
  validate(c);
  // Nanda's defaults; and the MLP's encoding default is unchanged.
  const RunConfig d = parse("[model]\nkind = \"transformer\"\n");
  EXPECT_EQ(d.model.layers, 1);
  EXPECT_EQ(d.model.d_model, 128);
  EXPECT_EQ(d.model.heads, 4);
  EXPECT_EQ(d.model.d_mlp, 512);
  EXPECT_FALSE(d.model.layer_norm || d.model.attn_bias || d.model.unembed_bias);
  EXPECT_TRUE(d.model.mlp_bias);
  EXPECT_EQ(parse("").task.encoding, Encoding::concat);
  // --set overrides count as given keys.
  EXPECT_EQ(parse("", {"model.kind=transformer"}).task.encoding, Encoding::tokens);
}

TEST(TransformerConfig, RefusedCombinations) {
  EXPECT_EQ(invalid("[task]\nencoding = \"concat\"\n[model]\nkind = \"transformer\"\n"),
            "task.encoding = \"concat\": must be \"tokens\" with model.kind = \"transformer\" (its input is the "
            "sequence [a, b, =])");
  EXPECT_EQ(invalid("[task]\nencoding = \"tokens\"\n"),
            "task.encoding = \"tokens\": is the transformer's input: needs model.kind = \"transformer\", not \"mlp\"");
  EXPECT_EQ(invalid("[model]\nkind = \"transformer\"\nd_model = 100\nheads = 3\n"),
            "model.heads = 3: must divide model.d_model (100): d_head = d_model / heads");
  EXPECT_EQ(invalid("[model]\nkind = \"transformer\"\nlayers = 0\n"), "model.layers = 0: must be >= 1");
  EXPECT_EQ(invalid("[model]\nkind = \"transformer\"\nhidden = [64]\n"),
            "model.hidden = [64]: is an MLP key; the transformer does not use it (leave it out)");
  const std::string task = invalid("[task]\nkind = \"sparse_linear\"\n[model]\nkind = \"transformer\"\n[loss]\n"
                                   "kind = \"logistic\"\n");
  EXPECT_EQ(task.rfind("model.kind = \"transformer\": needs token sequences (task.kind = \"modular\")", 0), 0u)
      << task;
}

}  // namespace
}  // namespace grokscope
