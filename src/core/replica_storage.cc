// Replica: the storage rule (replica.h). A member that could not write an epoch file or a
// snapshot leaves its role and waits, out of the quorum, for the shell to say a write succeeds;
// then it rejoins through a normal election and sync. Kept apart from the Zab phases on purpose:
// it is the one way a member stops for storage, whatever phase it was in.
#include <cassert>

#include "core/replica.h"

namespace zk {

void Replica::StorageFailed(const DurableState& on_disk) {
  assert(on_disk.accepted_epoch <= durable_.accepted_epoch);
  assert(on_disk.current_epoch <= durable_.current_epoch);
  // Forget what did not reach the disk, as a restart would: an epoch promised or joined only in
  // memory must be promised and joined again, on disk first, before this member acts in it.
  durable_ = on_disk;
  if (storage_failed_) return;
  storage_failed_ = true;
  if (state_ == PeerState::kLooking) {
    StartElection();  // ends read-only serving and the election; reports storage_failed
  } else {
    LeaveRole("storage_failed");
  }
  assert(state_ == PeerState::kLooking && !serving_ && !read_only_);
}

void Replica::StorageRecovered() {
  if (!storage_failed_) return;
  storage_failed_ = false;
  StartElection();
}

}  // namespace zk
