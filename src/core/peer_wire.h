// Peer wire: the bytes zkd servers exchange on the election port (docs/election.md as a model; the
// format is ours, mixing zkd with Apache servers is not a goal).
//
//   connection hello   long protocol_version (kElectionProtocolVersion), long sid,
//                      int length + "host:port" of the sender's election address
//   frames             int length (0 < length <= kElectionFrameMax) + payload
//   notification       long sid, int state, long leader, long zxid, long election_epoch,
//                      long peer_epoch, int version (2), buffer config (the membership text,
//                      may be empty)
//
// All decoders are total: any input yields either a value or nullopt, never reads out of bounds,
// and reject trailing bytes, unknown states and versions, and lengths over the named limits.
// Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/election.h"

namespace zk {

inline constexpr int64_t kElectionProtocolVersion = -65536;
inline constexpr int32_t kNotificationVersion = 2;
inline constexpr size_t kElectionFrameMax = 512 * 1024;  // ZooKeeper's election message limit
inline constexpr size_t kElectionConfigMax = 64 * 1024;
inline constexpr size_t kElectionAddressMax = 1024;

// A notification and the membership text that travels with it.
struct WireNotification {
  Notification n;
  std::string config;
  bool operator==(const WireNotification&) const = default;
};

std::string EncodeNotification(const Notification& n, std::string_view config = {});
std::optional<WireNotification> DecodeNotification(std::string_view payload);

struct ElectionHello {
  int64_t sid = 0;
  std::string address;  // "host:port"
  bool operator==(const ElectionHello&) const = default;
};
std::string EncodeElectionHello(const ElectionHello& h);
// On success also says how many bytes the hello took (more may follow on the stream).
enum class FrameResult { kOk, kNeedMore, kBad };
FrameResult DecodeElectionHello(std::string_view bytes, ElectionHello* out, size_t* consumed);

// Length-prefixed frames on the election stream.
std::string EncodeFrame(std::string_view payload);
FrameResult TakeFrame(std::string_view bytes, std::string_view* payload, size_t* consumed);

}  // namespace zk
