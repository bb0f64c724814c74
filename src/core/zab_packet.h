// Zab packets between zkd servers on the quorum port: ZooKeeper's QuorumPacket shape
// (docs/zab.md, Packets: int type, long zxid, buffer data) with our own payloads. Pure: no I/O.
//
//   FOLLOWERINFO / OBSERVERINFO  zxid = makeZxid(acceptedEpoch, 0); data = long sid
//   LEADERINFO                   zxid = makeZxid(newEpoch, 0)
//   ACKEPOCH                     zxid = learner's last logged zxid (-1: it could not carry out
//                                a TRUNC, and asks for a SNAP); data = long currentEpoch
//   DIFF                         zxid = leader's last committed zxid
//   TRUNC                        zxid = the learner drops its log past this zxid (then a DIFF)
//   SNAP                         zxid = the snapshot's zxid; data = encoded state (StateCodec)
//   PROPOSAL / INFORM            zxid; data = encoded Txn
//   COMMIT / ACK                 zxid
//   COMMITANDACTIVATE            zxid of a reconfig; data = long designated leader, then the new
//                                config's text (ZooKeeper's layout)
//   INFORMANDACTIVATE            to observers: data = long designated leader, then the encoded Txn
//   NEWLEADER                    zxid = makeZxid(newEpoch, 0); data = long lastProcessedZxid,
//                                with reconfig then long mtime of /zookeeper/config and the
//                                leader's config text
//   UPTODATE                     zxid = -1
//   PING                         leader → learner: zxid = last committed;
//                                learner → leader: data = int n, then n × (long sid, int timeout)
//   REQUEST                      data = long sid, int xid, int op, buffer body, vector<Id> auth
//   SYNC                         data = long sid, int xid (the forwarded sync is answered)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core.h"

namespace zk {

enum class ZabType : int32_t {
  kRequest = 1,
  kProposal = 2,
  kAck = 3,
  kCommit = 4,
  kPing = 5,
  kSync = 7,
  kInform = 8,
  kCommitAndActivate = 9,
  kNewLeader = 10,
  kFollowerInfo = 11,
  kUpToDate = 12,
  kDiff = 13,
  kTrunc = 14,
  kSnap = 15,
  kObserverInfo = 16,
  kLeaderInfo = 17,
  kAckEpoch = 18,
  kInformAndActivate = 19,
};
const char* ZabTypeName(ZabType t);

struct ZabPacket {
  ZabType type = ZabType::kPing;
  int64_t zxid = 0;
  std::string data;
  bool operator==(const ZabPacket&) const = default;
};

inline constexpr size_t kZabPacketMax = 256 * 1024 * 1024;  // a SNAP of a big tree

std::string EncodeZabPacket(const ZabPacket& p);
// Total: nullopt for anything malformed (unknown type, short, trailing bytes).
std::optional<ZabPacket> DecodeZabPacket(std::string_view bytes);

// A payload that is one long (FOLLOWERINFO's sid, ACKEPOCH's current epoch).
std::string EncodeLong(int64_t v);
int64_t DecodeLong(std::string_view data, bool* ok);
// A long followed by raw bytes (COMMITANDACTIVATE, INFORMANDACTIVATE, NEWLEADER).
std::string EncodeLongThen(int64_t v, std::string_view rest);
// *ok false when data is shorter than a long; *rest is what follows it.
int64_t DecodeLongThen(std::string_view data, bool* ok, std::string_view* rest);

std::string EncodeForwardedRequest(const ClientRequest& req);
std::optional<ClientRequest> DecodeForwardedRequest(std::string_view data);

std::string EncodeTouches(const std::vector<std::pair<int64_t, int32_t>>& touches);
std::optional<std::vector<std::pair<int64_t, int32_t>>> DecodeTouches(std::string_view data);

}  // namespace zk
