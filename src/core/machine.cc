#include "core/machine.h"

namespace zk {

bool Ready::empty() const {
  return !accepted_epoch && !current_epoch && !snapshot_zxid && !truncate_zxid &&
         log_appends.empty() && election_messages.empty() && quorum_disconnects.empty() &&
         zab_messages.empty() && client_outputs.empty() && events.empty() && syncs.empty() &&
         activated_config.empty() && election_facts.empty() && election_facts_dropped == 0;
}

void Ready::Clear() {
  accepted_epoch.reset();
  current_epoch.reset();
  snapshot_zxid.reset();
  truncate_zxid.reset();
  log_appends.clear();
  election_messages.clear();
  quorum_disconnects.clear();
  zab_messages.clear();
  client_outputs.clear();
  events.clear();
  activated_config.clear();
  syncs.clear();
  election_facts.clear();
  election_facts_dropped = 0;
}

}  // namespace zk
