// SPDX-License-Identifier: MIT
#include "sweep_commands.hpp"

#include <memory>
#include <string>
#include <vector>

#include "xbarsim/sweep/runner.hpp"

namespace xbarsim::cli {
namespace {

/// Exit status of `xbarsim sweep` (the codes main() uses for errors: 1 bad input, 2 run failure).
int exitCode(sweep::SweepStatus status) {
  switch (status) {
    case sweep::SweepStatus::Complete:
    case sweep::SweepStatus::ReportedByRank0: return 0;
    case sweep::SweepStatus::BadInput: return 1;
    case sweep::SweepStatus::Incomplete:
    case sweep::SweepStatus::RunFailed: return 2;
    case sweep::SweepStatus::PointsFailed: return 4;
  }
  return 2;
}

}  // namespace

void addSweepCommands(CLI::App& app, Options& options) {
  struct SweepArgs {
    ConfigArgs config;
    std::string out, backend, netlist, model, shard;
    bool resume = false, progress = false, quiet = false;
  };
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run the [sweep] of a configuration (serially, or under `mpirun -np K`); one HDF5 file, "
               "exit 4 if some points failed");
  sweep->add_option("--config,-c", args->config.path, "configuration with a [sweep] section (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  sweep
      ->add_option("--set", args->config.overrides,
                   "override a key of the base configuration, key=value (repeatable; the axes "
                   "still set theirs)")
      ->type_name("KEY=VALUE");
  sweep->add_option("--out,-o", args->out, "result file (HDF5); the journal is <out>.journal")->required();
  sweep->add_option("--backend,-b", args->backend, "circuit solver (default: ngspice for extract, native for evaluate)")->check(CLI::IsMember({"ngspice", "native"}));
  sweep->add_option("--netlist,-n", args->netlist, "user ngspice deck (overrides netlist.file)")
      ->check(CLI::ExistingFile);
  sweep->add_option("--model,-m", args->model, "network model (job = \"evaluate\")")->check(CLI::ExistingFile);
  sweep->add_flag("--resume", args->resume, "keep the points already done (after a crash or kill) and compute the rest");
  sweep->add_option("--shard", args->shard, "compute shard i/n only (points dealt to n shards by estimated cost; job arrays)");
  sweep->add_flag("--progress", args->progress, "progress on stderr even when it is not a terminal");
  sweep->add_flag("--quiet,-q", args->quiet, "no progress output");
  setExample(
      *sweep,
      "build/xbarsim sweep --config examples/wire_sweep.toml --backend native --out wire.h5");
  sweep->callback([&options, args] {
    options.run = [&options, args] {
      sweep::RunOptions run;
      run.config = args->config.path;
      run.overrides = args->config.overrides;
      run.out = args->out;
      run.job.backend = args->backend;
      run.job.netlist = args->netlist;
      run.job.model = args->model;
      run.resume = args->resume;
      if (!args->shard.empty()) run.shard = sweep::parseShard(args->shard);
      run.progress = args->quiet      ? sweep::ProgressMode::Never
                     : args->progress ? sweep::ProgressMode::Always
                                      : sweep::ProgressMode::Auto;
      run.command_line = options.command_line;
      return exitCode(sweep::runSweep(run));
    };
  });

  auto merge_args = std::make_shared<std::pair<std::vector<std::string>, std::string>>();
  CLI::App* merge = app.add_subcommand("merge", "Join the shard files of one sweep (--shard i/n) into one file");
  merge->add_option("shards", merge_args->first, "shard files (all n of them)")->required()->check(CLI::ExistingFile);
  merge->add_option("--out,-o", merge_args->second, "merged result file (HDF5)")->required();
  setExample(*merge,
             "build/xbarsim sweep -c examples/wire_sweep.toml -b native --shard 0/2 -o s0.h5 && "
             "build/xbarsim sweep -c examples/wire_sweep.toml -b native --shard 1/2 -o s1.h5 && "
             "build/xbarsim merge s0.h5 s1.h5 --out wire.h5");
  merge->callback([&options, merge_args] {
    options.run = [&options, merge_args] {
      std::vector<std::filesystem::path> shards(merge_args->first.begin(), merge_args->first.end());
      sweep::mergeShards(shards, merge_args->second, options.command_line);
      return 0;
    };
  });

  auto inspect_args = std::make_shared<std::pair<std::string, bool>>("", false);
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Summarise a result file: command, configuration, axes, points done/failed, headline metrics");
  inspect->add_option("file", inspect_args->first, "result file (HDF5)")->required()->check(CLI::ExistingFile);
  inspect->add_flag("--full-config", inspect_args->second, "print the whole resolved configuration");
  setExample(*inspect,
             "build/xbarsim demo --crossbar --out demo.h5 && build/xbarsim inspect demo.h5");
  inspect->callback([&options, inspect_args] {
    options.run = [inspect_args] {
      sweep::inspectFile(inspect_args->first, stdout, inspect_args->second);
      return 0;
    };
  });
}

}  // namespace xbarsim::cli
