#include "loadgen/chaos_final_reads.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace pc::loadgen {

namespace {

// A digest of the workload's subtree as one member serves it: path, data and version of every
// child of the root and the names of their children, FNV-1a. Empty when the member did not answer.
std::string SubtreeDigest(ZkClient* client, int timeout_ms) {
  std::vector<std::string> children;
  if (client->Children(kRoot, timeout_ms, &children) != ZOK) {
    return {};
  }
  std::sort(children.begin(), children.end());
  std::string text;
  for (const std::string& child : children) {
    std::string data;
    int32_t version = -1;
    const std::string path = std::string(kRoot) + "/" + child;
    if (client->Get(path, timeout_ms, &data, &version) != ZOK) {
      return {};
    }
    text.append(path).append("=").append(data).append("@").append(std::to_string(version));
    text += "\n";
    std::vector<std::string> names;
    if (client->Children(path, timeout_ms, &names) != ZOK) {
      return {};
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      text.append(path).append("/").append(name).append("\n");
    }
  }
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h = (h ^ c) * 1099511628211ull;
  }
  char out[20];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace

std::vector<chaos::Op> FinalReads(const std::vector<Member>& members, const std::string& workload,
                                  const ChaosShared& shared, chaos::History* history) {
  std::string error;
  // Every member caught up: the same last zxid everywhere (waits up to 30 s). Taken for all
  // members before the final reads, whose sessions are transactions too.
  std::vector<int64_t> last_zxids(members.size(), -1);
  for (int i = 0; i < 300; ++i) {
    std::set<int64_t> seen;
    for (size_t k = 0; k < members.size(); ++k) {
      SrvrReply r;
      last_zxids[k] = AskSrvr(members[k].client_port, &r) ? static_cast<int64_t>(r.zxid) : -1;
      seen.insert(last_zxids[k]);
    }
    if (seen.size() == 1) {
      break;
    }
    SleepMs(100);
  }
  // The final reads and digests, member by member.
  std::vector<chaos::Op> finals;
  for (size_t k = 0; k < members.size(); ++k) {
    const Member& m = members[k];
    chaos::MemberFacts facts;
    facts.member = m.id;
    facts.last_zxid = last_zxids[k];
    auto c = ZkClient::Connect(HostOf(m), kSessionTimeoutMs, 10000, &error);
    chaos::Op op;
    op.process = 100000 + m.id;
    op.kind = chaos::OpKind::kRead;
    op.final_read = true;
    op.invoke_ns = shared.Since();
    if (c) {
      op.session = c->SessionId();
      if (workload == "session") {
        chaos::Listing listing;
        listing.member = m.id;
        listing.path = kEphemerals;
        if (c->Children(kEphemerals, 20000, &listing.children) == ZOK) {
          for (const std::string& child : listing.children) {
            std::string data;
            int32_t version = -1;
            int64_t owner = 0;
            if (c->Get(std::string(kEphemerals) + "/" + child, 10000, &data, &version, &owner) ==
                    ZOK &&
                owner != 0) {
              char hex[32];
              std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(owner));
              listing.owners[child] = hex;
            }
          }
          listing.time_ns = shared.Since();
          history->listings.push_back(std::move(listing));
        }
      }
      if (workload == "sequential") {
        chaos::Listing listing;
        listing.member = m.id;
        listing.path = kSequential;
        if (c->Children(kSequential, 20000, &listing.children) == ZOK) {
          listing.time_ns = shared.Since();
          history->listings.push_back(std::move(listing));
        }
      }
      std::string data;
      int32_t version = -1;
      const int rc = c->Get(kRegister, 10000, &data, &version);
      op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
      if (rc == ZOK) {
        op.value = std::atoll(data.c_str());
        op.version = version;
      } else {
        op.error = zerror(rc);
      }
      facts.digest = SubtreeDigest(c.get(), 10000);
    } else {
      op.result = chaos::Result::kFail;
      op.error = error;
    }
    op.complete_ns = shared.Since();
    facts.time_ns = op.complete_ns;
    if (workload == "register") {
      finals.push_back(op);
    }
    history->members.push_back(facts);
  }
  return finals;
}

}  // namespace pc::loadgen
