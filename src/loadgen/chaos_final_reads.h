// The end of a chaos run, after the final heal (chaos_run.h): wait until every member has the
// same last zxid, then on each member read the register, list the workload's znodes (sequential
// and session workloads) and take a digest of the workload's subtree: the convergence facts
// the checker compares and the final reads it adds to the history.
#pragma once

#include <string>
#include <vector>

#include "chaos/history.h"
#include "loadgen/bench_cluster.h"
#include "loadgen/chaos_client.h"

namespace pc::loadgen {

// Appends each member's facts (and the listings) to *history; returns the final reads of the
// register, for the history (register workload; empty for the others).
std::vector<chaos::Op> FinalReads(const std::vector<Member>& members, const std::string& workload,
                                  const ChaosShared& shared, chaos::History* history);

}  // namespace pc::loadgen
