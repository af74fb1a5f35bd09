/* SPDX-License-Identifier: MIT
 * Writes the small broken HDF5 files of the bounded-read and plausibility cases of the bad-input
 * corpus (conductance files and models, model format v1, one defect each). Run once from this
 * folder; the outputs are committed:
 *   h5cc -o /tmp/make_bad_hdf5 make_bad_hdf5.c && /tmp/make_bad_hdf5
 */
#include <hdf5.h>

#include "bad_h5_attributes.h"

/* A dataset of `rank` dims; `data` (row-major) written unless NULL: then it is chunked and
 * never written, so the file stays tiny whatever the declared shape. */
static void dataset(hid_t loc, const char* name, hid_t type, int rank, const hsize_t* dims,
                    const double* data) {
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (data == NULL) {
    hsize_t chunk[4] = {64, 64, 64, 64};
    for (int k = 0; k < rank; ++k) if (chunk[k] > dims[k]) chunk[k] = dims[k];
    H5Pset_chunk(dcpl, rank, chunk);
  }
  hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (data != NULL) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
}

static void conductances(const char* path, hsize_t rows, hsize_t cols, const double* data) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[2] = {rows, cols};
  dataset(f, "g", H5T_IEEE_F64LE, 2, dims, data);
  H5Fclose(f);
}

/* A filter id of the range HDF5 reserves for testing (256-511): registered only here, so a
 * reader finds a dataset it cannot decode ("unavailable filter"). Its function passes the bytes
 * through unchanged. */
#define TEST_FILTER_ID 305

static size_t passThrough(unsigned int flags, size_t cd_nelmts, const unsigned int cd_values[],
                          size_t nbytes, size_t* buf_size, void** buf) {
  (void)flags, (void)cd_nelmts, (void)cd_values, (void)buf_size, (void)buf;
  return nbytes;
}

static void registerTestFilter(void) {
  const H5Z_class2_t filter = {H5Z_CLASS_T_VERS, TEST_FILTER_ID, 1, 1, "xbarsim test filter",
                               NULL, NULL, passThrough};
  H5Zregister(&filter);
}

/* A chunked dataset written through the test filter (mandatory). */
static void filteredDataset(hid_t loc, const char* name, hid_t type, int rank, const hsize_t* dims,
                            const double* data) {
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, rank, dims);
  H5Pset_filter(dcpl, TEST_FILTER_ID, H5Z_FLAG_MANDATORY, 0, NULL);
  hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
}

static const double kSmall[64] = {0.01, -0.02, 0.03, 0.01, 0.02, -0.01, 0.0, 0.01,
                                  0.01, -0.02, 0.03, 0.01, 0.02, -0.01, 0.0, 0.01};

/* Root attributes of a v1 model with input (1, 2, 2); `format_as_number` writes format wrongly. */
static hid_t modelFile(const char* path, int format_as_number) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (format_as_number) doubleAttr(f, "format", 1.0);
  else stringAttr(f, "format", "xbarsim-model");
  doubleAttr(f, "version", 1.0);
  doubleAttr(f, "input_scale", 1.0);
  doubleAttr(f, "input_offset", 0.0);
  const long long shape[3] = {1, 2, 2};
  const hsize_t three = 3;
  hid_t space = H5Screate_simple(1, &three, NULL);
  hid_t a = H5Acreate2(f, "input_shape", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_LLONG, shape);
  H5Aclose(a);
  H5Sclose(space);
  return f;
}

/* Dense layer `name` of shape (out, in); weights unwritten (chunked) if `declared_only`. */
static void dense(hid_t layers, const char* name, hsize_t out, hsize_t in, int declared_only) {
  hid_t g = H5Gcreate2(layers, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(g, "type", "dense");
  stringAttr(g, "activation", "none");
  const hsize_t w[2] = {out, in}, b[1] = {out};
  dataset(g, "weight", H5T_IEEE_F32LE, 2, w, declared_only ? NULL : kSmall);
  dataset(g, "bias", H5T_IEEE_F32LE, 1, b, kSmall);
  H5Gclose(g);
}

/* Datasets written with a filter the reader does not have: conductances and a model weight. */
static void filterCases(void) {
  registerTestFilter();
  hid_t f = H5Fcreate("conductance_h5_unavailable_filter/g.h5", H5F_ACC_TRUNC, H5P_DEFAULT,
                      H5P_DEFAULT);
  const hsize_t dims[2] = {2, 2};
  const double g[4] = {1e-6, 2e-6, 3e-6, 4e-6};
  filteredDataset(f, "g", H5T_IEEE_F64LE, 2, dims, g);
  H5Fclose(f);

  f = modelFile("model_unavailable_filter/model.h5", 0);
  hid_t layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t layer = H5Gcreate2(layers, "000", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(layer, "type", "dense");
  stringAttr(layer, "activation", "none");
  const hsize_t w[2] = {2, 4}, b[1] = {2};
  filteredDataset(layer, "weight", H5T_IEEE_F32LE, 2, w, kSmall);
  dataset(layer, "bias", H5T_IEEE_F32LE, 1, b, kSmall);
  H5Gclose(layer);
  H5Gclose(layers);
  H5Fclose(f);
}

int main(void) {
  /* Conductances: a 20000 x 20000 dataset declared in a few KB; 2 S (uS meant); subnormal. */
  conductances("conductance_h5_huge_shape/g.h5", 20000, 20000, NULL);
  const double siemens[4] = {1e-6, 2.0, 3e-6, 4e-6};
  conductances("conductance_h5_above_1s/g.h5", 2, 2, siemens);
  const double subnormal[4] = {1e-6, 2e-6, 1e-310, 4e-6};
  conductances("conductance_h5_subnormal/g.h5", 2, 2, subnormal);

  /* Models. */
  hid_t f = modelFile("model_dense_zero_outputs/model.h5", 0);
  hid_t layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  dense(layers, "000", 0, 4, 0);
  H5Gclose(layers);
  H5Fclose(f);

  f = modelFile("model_huge_shape/model.h5", 0);
  layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  dense(layers, "000", 15000, 15000, 1); /* 225e6 floats declared, nothing stored */
  H5Gclose(layers);
  H5Fclose(f);

  f = modelFile("model_attribute_type/model.h5", 1);
  layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  dense(layers, "000", 2, 4, 0);
  H5Gclose(layers);
  H5Fclose(f);

  f = modelFile("model_link_loop/model.h5", 0);
  layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Lcreate_soft("/layers/000", layers, "000", H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(layers);
  H5Fclose(f);

  f = modelFile("model_batchnorm_zero_var/model.h5", 0);
  layers = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g = H5Gcreate2(layers, "000", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(g, "type", "batchnorm");
  doubleAttr(g, "eps", 0.0);
  const hsize_t one[1] = {1};
  const double gamma = 1.0, zero = 0.0;
  dataset(g, "gamma", H5T_IEEE_F32LE, 1, one, &gamma);
  dataset(g, "beta", H5T_IEEE_F32LE, 1, one, &zero);
  dataset(g, "mean", H5T_IEEE_F32LE, 1, one, &zero);
  dataset(g, "var", H5T_IEEE_F32LE, 1, one, &zero);
  H5Gclose(g);
  g = H5Gcreate2(layers, "001", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  stringAttr(g, "type", "flatten");
  H5Gclose(g);
  dense(layers, "002", 2, 4, 0);
  H5Gclose(layers);
  H5Fclose(f);

  filterCases();
  return 0;
}
