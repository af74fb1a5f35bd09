// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/job.hpp"

#include <fmt/format.h>

#include <cstring>

#include "xbarsim/core/error.hpp"

#ifdef XBARSIM_SWEEP_HAVE_DNN
#include "evaluate_job.hpp"
#endif

namespace xbarsim::sweep {
namespace {

class Writer {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  void putString(std::string_view s) {
    put<std::uint64_t>(s.size());
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string getString() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  void getDoubles(std::vector<double>& out, std::uint64_t n) {
    if (n > (in_.size() - pos_) / sizeof(double)) fail();
    out.resize(n);
    if (n > 0) std::memcpy(out.data(), in_.data() + pos_, n * sizeof(double));
    pos_ += n * sizeof(double);
  }
  bool atEnd() const { return pos_ == in_.size(); }

 private:
  void need(std::uint64_t n) const {
    if (n > in_.size() - pos_) fail();
  }
  [[noreturn]] static void fail() { throw Error("sweep: corrupt point record (truncated)"); }
  std::string_view in_;
  std::size_t pos_ = 0;
};

constexpr std::uint32_t kOutcomeVersion = 1;

}  // namespace

std::string serialize(const PointOutcome& o) {
  Writer w;
  w.put(kOutcomeVersion);
  w.put<std::uint64_t>(o.index);
  w.put<std::int64_t>(static_cast<std::int64_t>(o.status));
  w.put(o.wall_s);
  w.put(o.rank);
  w.putString(o.message);
  w.put<std::uint64_t>(o.fields.size());
  for (const FieldValue& f : o.fields) {
    w.putString(f.name);
    w.put<std::uint64_t>(f.shape.size());
    for (const std::size_t d : f.shape) w.put<std::uint64_t>(d);
    w.put<std::uint64_t>(f.data.size());
    for (const double x : f.data) w.put(x);
  }
  return w.take();
}

PointOutcome deserialize(std::string_view bytes) {
  Reader r(bytes);
  if (r.get<std::uint32_t>() != kOutcomeVersion) throw Error("sweep: point record of unknown version");
  PointOutcome o;
  o.index = r.get<std::uint64_t>();
  const auto status = r.get<std::int64_t>();
  if (status < 0 || status > 2) throw Error("sweep: corrupt point record (status)");
  o.status = static_cast<PointStatus>(status);
  o.wall_s = r.get<double>();
  o.rank = r.get<std::int64_t>();
  o.message = r.getString();
  const auto nfields = r.get<std::uint64_t>();
  if (nfields > 10000) throw Error("sweep: corrupt point record (fields)");
  for (std::uint64_t k = 0; k < nfields; ++k) {
    FieldValue f;
    f.name = r.getString();
    const auto rank = r.get<std::uint64_t>();
    if (rank > 8) throw Error("sweep: corrupt point record (rank)");
    std::size_t expected = 1;
    for (std::uint64_t d = 0; d < rank; ++d) {
      f.shape.push_back(r.get<std::uint64_t>());
      expected *= f.shape.back();
    }
    const auto n = r.get<std::uint64_t>();
    if (n != expected) throw Error("sweep: corrupt point record (shape)");
    r.getDoubles(f.data, n);
    o.fields.push_back(std::move(f));
  }
  if (!r.atEnd()) throw Error("sweep: corrupt point record (trailing bytes)");
  return o;
}

double Job::cost(const core::Config&) const { return 1.0; }

std::unique_ptr<Job> makeJob(const SweepSpec& spec, const JobOptions& options,
                             const core::Config& base) {
  if (spec.job == "extract") return makeExtractJob(spec, options, base);
  if (spec.job == "evaluate") {
#ifdef XBARSIM_SWEEP_HAVE_DNN
    return makeEvaluateJob(spec, options, base);
#else
    throw ConfigError(base.sourceName(), 0, "sweep.job",
                      "job evaluate needs the dnn module (this xbarsim was built without it)");
#endif
  }
  throw ConfigError(base.sourceName(), 0, "sweep.job",
                    fmt::format("unknown job \"{}\": choose extract or evaluate", spec.job));
}

}  // namespace xbarsim::sweep
