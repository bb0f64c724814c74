// ReplicaMember's storage rule, as EnsembleNode carries it out (src/server/ensemble_storage.cc):
// an epoch file that cannot be written (SimDisk::data_dir_full) takes the member out of the
// quorum — the Readies it still holds send nothing, the Replica falls back to the epochs on disk
// (Replica::StorageFailed) — and once the disk takes writes again a probe brings it back
// through a normal election (Replica::StorageRecovered). And the invariant behind the rule.
// Also the member's disk as a leader's log for a DIFF from it (SimLogSource).
#include "proto/zxid.h"
#include "sim/replica_member.h"

namespace zk::sim {
namespace {

constexpr int64_t kProbeTicks = 20;  // how often a member out of the quorum tries a write

constexpr int64_t kEntryOverheadBytes = 13;  // checksum, length and end byte, as zkd's log

}  // namespace

int64_t SimLogSource::SnapshotBytes() {
  return disk_->has_snapshot ? static_cast<int64_t>(disk_->snapshot.size()) : 0;
}

int64_t SimLogSource::LogBytesFrom(int64_t from) {
  int64_t bytes = 0;
  for (const SimLogEntry& e : disk_->log) {
    if (e.zxid >= from) bytes += kEntryOverheadBytes + static_cast<int64_t>(e.txn.size());
  }
  return bytes;
}

bool SimLogSource::Read(int64_t from, int64_t through,
                        std::vector<std::pair<int64_t, std::string>>* out) {
  for (const SimLogEntry& e : disk_->log) {
    if (e.zxid >= from && e.zxid <= through) out->emplace_back(e.zxid, e.txn);
  }
  return true;
}

void ReplicaMember::FailEpochWrite() {
  // Everything queued was produced in the epoch being promised or joined (or later): none of it
  // goes out, and no epoch of it is written.
  for (Queued& q : queue_) {
    q.ready.election_messages.clear();
    q.ready.zab_messages.clear();
    q.connection.clear();
    q.ready.accepted_epoch.reset();
    q.ready.current_epoch.reset();
  }
  replica_->StorageFailed(DurableState{disk_->accepted_epoch, disk_->current_epoch});
  events_.push_back(
      SimEvent{sid_, "cannot record an epoch (data dir full): out of the quorum", std::nullopt});
}

void ReplicaMember::ProbeStorage() {
  if (!replica_->storage_failed() || disk_->data_dir_full || ticks_ % kProbeTicks != 0) return;
  events_.push_back(SimEvent{sid_, "probe write succeeded: rejoining", std::nullopt});
  replica_->StorageRecovered();
}

void ReplicaMember::CheckRecorded(const ZabPacket& p) {
  // A leader's LEADERINFO promises its epoch; NEWLEADER, a PROPOSAL, COMMIT or INFORM act in it;
  // a learner's ACK (of NEWLEADER or of a proposal) joins it. Each needs the epoch on disk, or a
  // restart would forget what this member took part in (ZOOKEEPER-4643).
  const int64_t epoch = ZxidEpoch(p.zxid);
  const char* missing = nullptr;
  switch (p.type) {
    case ZabType::kLeaderInfo:
      if (epoch > disk_->accepted_epoch) missing = "acceptedEpoch";
      break;
    case ZabType::kNewLeader:
    case ZabType::kProposal:
    case ZabType::kCommit:
    case ZabType::kInform:
    case ZabType::kCommitAndActivate:
    case ZabType::kInformAndActivate:
    case ZabType::kAck:
      if (p.zxid > 0 && epoch > disk_->current_epoch) missing = "currentEpoch";
      break;
    default:
      break;
  }
  if (missing && failure_.empty()) {
    failure_ = "member " + std::to_string(sid_) + " sends " + ZabTypeName(p.type) + " " +
               ZxidHex(p.zxid) + " in epoch " + std::to_string(epoch) + " but its " + missing +
               " on disk is " +
               std::to_string(missing[0] == 'a' ? disk_->accepted_epoch : disk_->current_epoch);
  }
}

}  // namespace zk::sim
