/* SPDX-License-Identifier: MIT
 * Writes the small broken model files of the bad-input corpus (model format v1, docs/architecture.md
 * §7.1, with one defect each). Run once from this folder; the outputs are committed:
 *   h5cc -o /tmp/make_bad_models make_bad_models.c && /tmp/make_bad_models
 * model_truncated/ holds the first 1024 bytes of data/models/mlp_hwa.h5 (head -c 1024).
 */
#include <hdf5.h>
#include <string.h>

#include "bad_h5_attributes.h"

static void floats(hid_t group, const char* name, int rank, const hsize_t* dims) {
  float data[64];
  for (int k = 0; k < 64; ++k) data[k] = 0.01f * (float)(k % 7 - 3);
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(group, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d);
  H5Sclose(space);
}

/* Input 1x2x2 (4 values) -> dense 3x4 (relu) -> dense 2x{in2}. */
static void model(const char* path, const char* format, double version, int weight0, hsize_t in2) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(f, "format", format);
  doubleAttr(f, "version", version);
  doubleAttr(f, "input_scale", 1.0);
  doubleAttr(f, "input_offset", 0.0);
  const long long shape[3] = {1, 2, 2};
  const hsize_t three = 3;
  hid_t space = H5Screate_simple(1, &three, NULL);
  hid_t a = H5Acreate2(f, "input_shape", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_LLONG, shape);
  H5Aclose(a);
  H5Sclose(space);
  hid_t layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g0 = H5Gcreate2(layers, "000", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(g0, "type", "dense");
  stringAttr(g0, "activation", "relu");
  const hsize_t w0[2] = {3, 4}, b0[1] = {3};
  if (weight0) floats(g0, "weight", 2, w0);
  floats(g0, "bias", 1, b0);
  H5Gclose(g0);
  hid_t g1 = H5Gcreate2(layers, "001", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(g1, "type", "dense");
  stringAttr(g1, "activation", "none");
  const hsize_t w1[2] = {2, in2}, b1[1] = {2};
  floats(g1, "weight", 2, w1);
  floats(g1, "bias", 1, b1);
  H5Gclose(g1);
  H5Gclose(layers);
  H5Fclose(f);
}

int main(void) {
  model("model_wrong_format/model.h5", "keras", 1.0, 1, 3);
  model("model_wrong_version/model.h5", "xbarsim-model", 3.0, 1, 3);
  model("model_missing_weight/model.h5", "xbarsim-model", 1.0, 0, 3);
  model("model_shape_mismatch/model.h5", "xbarsim-model", 1.0, 1, 5);
  return 0;
}
