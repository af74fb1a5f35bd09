// SPDX-License-Identifier: MIT
// xbarsim merge: the shard files of one sweep -> one file with the datasets of a single run.
#include <fmt/format.h>

#include <algorithm>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/sweep/runner.hpp"
#include "xbarsim/sweep/sweep_file.hpp"

namespace xbarsim::sweep {
namespace {

struct ShardInfo {
  std::filesystem::path path;
  std::size_t index = 0;
  std::vector<std::int64_t> status;
};

[[noreturn]] void bad(const std::filesystem::path& file, const std::string& problem) {
  throw ConfigError(file.string(), 0, "", problem);
}

}  // namespace

void mergeShards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                 const std::string& command_line) {
  if (shards.empty()) throw ConfigError("command line", 0, "merge", "no shard files given");
  std::string fingerprint;
  std::size_t count = 0, points = 0;
  std::vector<ShardInfo> infos;
  for (const auto& path : shards) {
    const auto h5 = io::H5File::openReadOnly(path);
    for (const char* attr : {"sweep_fingerprint", "shard_index", "shard_count", "sweep_points"})
      if (!h5.hasAttribute("/", attr))
        bad(path, fmt::format("not a sweep shard file (no root attribute {}; written with --shard i/n?)", attr));
    const std::string fp = h5.readStringAttribute("/", "sweep_fingerprint");
    const auto n = static_cast<std::size_t>(h5.readIntAttribute("/", "shard_count"));
    const auto np = static_cast<std::size_t>(h5.readIntAttribute("/", "sweep_points"));
    if (infos.empty()) {
      fingerprint = fp;
      count = n;
      points = np;
    } else if (fp != fingerprint || n != count || np != points) {
      bad(path, fmt::format("belongs to a different sweep than {}", shards.front().string()));
    }
    ShardInfo info{path, static_cast<std::size_t>(h5.readIntAttribute("/", "shard_index")), h5.readInts("/status")};
    for (const auto& other : infos)
      if (other.index == info.index)
        bad(path, fmt::format("shard {}/{} given twice (also {})", info.index, count, other.path.string()));
    const auto pending = h5.readIntAttribute("/", "points_pending");
    if (pending > 0)
      bad(path, fmt::format("shard {}/{} is incomplete ({} points pending): finish it with `xbarsim sweep "
                            "... --shard {}/{} --resume`",
                            info.index, count, pending, info.index, count));
    infos.push_back(std::move(info));
  }
  if (infos.size() != count) {
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < count; ++i)
      if (std::none_of(infos.begin(), infos.end(), [&](const ShardInfo& s) { return s.index == i; }))
        missing.push_back(i);
    throw ConfigError("command line", 0, "merge",
                      fmt::format("{} shard files given but the sweep has {} shards; missing: {}", infos.size(),
                                  count, fmt::format("{}", fmt::join(missing, ", "))));
  }
  std::sort(infos.begin(), infos.end(), [](const ShardInfo& a, const ShardInfo& b) { return a.index < b.index; });

  // Every point is done or failed in exactly one shard (each shard is complete).
  std::vector<std::size_t> owner(points, infos.size());
  for (std::size_t s = 0; s < infos.size(); ++s)
    for (std::size_t k = 0; k < points && k < infos[s].status.size(); ++k)
      if (infos[s].status[k] != 0) {
        if (owner[k] != infos.size())
          bad(infos[s].path, fmt::format("point {} is also in {}: not shards of one sweep", k,
                                         infos[owner[k]].path.string()));
        owner[k] = s;
      }
  for (std::size_t k = 0; k < points; ++k)
    if (owner[k] == infos.size())
      throw ConfigError("command line", 0, "merge", fmt::format("point {} is in none of the shards", k));

  io::AtomicFile target(out);
  std::filesystem::copy_file(infos.front().path, target.tempPath(),
                             std::filesystem::copy_options::overwrite_existing);
  std::size_t done = 0, failed = 0;
  {
    auto h5 = io::H5File::openReadWrite(target.tempPath());
    const std::vector<std::string> fields = splitNames(h5.readStringAttribute("/", "sweep_fields"));
    std::vector<double> shard_wall;
    for (std::size_t s = 0; s < infos.size(); ++s) {
      const ShardInfo& shard = infos[s];
      const auto in = io::H5File::openReadOnly(shard.path);
      shard_wall.push_back(in.hasAttribute("/provenance", "wall_time_s")
                               ? in.readDoubleAttribute("/provenance", "wall_time_s")
                               : 0.0);
      std::vector<std::size_t> mine;
      for (std::size_t k = 0; k < points; ++k)
        if (owner[k] == s) {
          mine.push_back(k);
          if (shard.status[k] == 1) ++done;
          if (shard.status[k] == 2) ++failed;
        }
      if (s == 0) continue;  // already in the copy
      const auto messages = in.readStrings("/message");
      const auto ranks = in.readInts("/provenance/point_rank");
      const auto walls = in.readReals("/provenance/point_wall_s");
      for (const std::string& field : fields) {
        std::vector<std::size_t> dims;
        const std::vector<double> data = in.readReals("/" + field, &dims);
        std::size_t row = 1;
        for (std::size_t d = 1; d < dims.size(); ++d) row *= dims[d];
        std::vector<double> rows;
        rows.reserve(mine.size() * row);
        for (const std::size_t k : mine)
          rows.insert(rows.end(), data.begin() + static_cast<std::ptrdiff_t>(k * row),
                      data.begin() + static_cast<std::ptrdiff_t>((k + 1) * row));
        h5.writeRealsRows("/" + field, mine, rows);
      }
      std::vector<std::int64_t> status, rank;
      std::vector<std::string> message;
      std::vector<double> wall;
      for (const std::size_t k : mine) {
        status.push_back(shard.status[k]);
        message.push_back(messages[k]);
        rank.push_back(ranks[k]);
        wall.push_back(walls[k]);
      }
      h5.writeIntsAt("/status", mine, status);
      h5.writeStringsAt("/message", mine, message);
      h5.writeIntsAt("/provenance/point_rank", mine, rank);
      h5.writeRealsRows("/provenance/point_wall_s", mine, wall);
    }
    h5.removeAttribute("/", "shard_index");
    h5.removeAttribute("/", "shard_count");
    h5.setAttribute("/", "command_line", command_line);
    h5.setAttribute("/", "points_done", static_cast<std::int64_t>(done));
    h5.setAttribute("/", "points_failed", static_cast<std::int64_t>(failed));
    h5.setAttribute("/", "points_pending", std::int64_t{0});
    h5.setAttribute("/provenance", "runner", "merge");
    h5.setAttribute("/provenance", "shards", static_cast<std::int64_t>(count));
    h5.setAttribute("/provenance", "shard_wall_time_s", shard_wall);
    h5.setAttribute("/provenance", "finished", isoTimestampUtc());
    h5.close();
  }
  target.commit();
  fmt::print("merge: {} shards, {} points: {} done, {} failed -> {}\n", count, points, done, failed, out.string());
}

}  // namespace xbarsim::sweep
