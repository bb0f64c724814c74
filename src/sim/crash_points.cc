#include "sim/crash_points.h"

namespace zk::sim {

const char* CrashPointName(CrashPoint p) {
  switch (p) {
    case CrashPoint::kAfterAcceptedEpoch:
      return "after-accepted-epoch";
    case CrashPoint::kAfterCurrentEpoch:
      return "after-current-epoch";
    case CrashPoint::kAfterSnapshot:
      return "after-snapshot";
    case CrashPoint::kAfterLogAppend:
      return "after-log-append";
    case CrashPoint::kAfterSync:
      return "after-sync";
    case CrashPoint::kBeforeAck:
      return "before-ack";
    case CrashPoint::kAfterAck:
      return "after-ack";
    case CrashPoint::kBeforeNewLeaderAck:
      return "before-newleader-ack";
    case CrashPoint::kAfterNewLeaderAck:
      return "after-newleader-ack";
    case CrashPoint::kBeforeAckEpoch:
      return "before-ackepoch";
    case CrashPoint::kAfterAckEpoch:
      return "after-ackepoch";
    case CrashPoint::kBeforeConfigFile:
      return "before-config-file";
  }
  return "?";
}

const std::vector<CrashPoint>& AllCrashPoints() {
  static const std::vector<CrashPoint> all = {
      CrashPoint::kAfterAcceptedEpoch, CrashPoint::kAfterCurrentEpoch,
      CrashPoint::kAfterSnapshot,      CrashPoint::kAfterLogAppend,
      CrashPoint::kAfterSync,          CrashPoint::kBeforeAck,
      CrashPoint::kAfterAck,           CrashPoint::kBeforeNewLeaderAck,
      CrashPoint::kAfterNewLeaderAck,  CrashPoint::kBeforeAckEpoch,
      CrashPoint::kAfterAckEpoch,      CrashPoint::kBeforeConfigFile};
  return all;
}

std::optional<CrashPoint> ParseCrashPoint(const std::string& name) {
  for (CrashPoint p : AllCrashPoints()) {
    if (name == CrashPointName(p)) return p;
  }
  return std::nullopt;
}

}  // namespace zk::sim
