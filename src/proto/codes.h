// ZooKeeper's numeric constants, with the real values (docs/wire-format.md: Op codes, Error codes,
// Enumerations; docs/data-tree.md: Permissions and ACLs, TTL and container nodes).
// Pure header: no I/O. Shared by the codec, the tree, the core and the server shell.
#pragma once

#include <cstdint>
#include <string_view>

namespace zk {

enum class OpCode : int32_t {
  kNotification = 0,
  kCreate = 1,
  kDelete = 2,
  kExists = 3,
  kGetData = 4,
  kSetData = 5,
  kGetAcl = 6,
  kSetAcl = 7,
  kGetChildren = 8,
  kSync = 9,
  kPing = 11,
  kGetChildren2 = 12,
  kCheck = 13,
  kMulti = 14,
  kCreate2 = 15,
  kReconfig = 16,
  kCheckWatches = 17,
  kRemoveWatches = 18,
  kCreateContainer = 19,
  kDeleteContainer = 20,
  kCreateTtl = 21,
  kMultiRead = 22,
  kAuth = 100,
  kSetWatches = 101,
  kSasl = 102,
  kGetEphemerals = 103,
  kGetAllChildrenNumber = 104,
  kSetWatches2 = 105,
  kAddWatch = 106,
  kWhoAmI = 107,
  kCreateSession = -10,
  kCloseSession = -11,
  kError = -1,
};

// KeeperException codes. Errors are values; kOk costs nothing.
enum class Err : int32_t {
  kOk = 0,
  kSystemError = -1,
  kRuntimeInconsistency = -2,
  kDataInconsistency = -3,
  kConnectionLoss = -4,
  kMarshallingError = -5,
  kUnimplemented = -6,
  kOperationTimeout = -7,
  kBadArguments = -8,
  kUnknownSession = -12,
  kNewConfigNoQuorum = -13,
  kReconfigInProgress = -14,
  kApiError = -100,
  kNoNode = -101,
  kNoAuth = -102,
  kBadVersion = -103,
  kNoChildrenForEphemerals = -108,
  kNodeExists = -110,
  kNotEmpty = -111,
  kSessionExpired = -112,
  kInvalidCallback = -113,
  kInvalidAcl = -114,
  kAuthFailed = -115,
  kSessionMoved = -118,
  kNotReadOnly = -119,
  kEphemeralOnLocalSession = -120,
  kNoWatcher = -121,
  kRequestTimeout = -122,
  kReconfigDisabled = -123,
  kSessionClosedRequireSaslAuth = -124,
  kQuotaExceeded = -125,
  kThrottledOp = -127,
};

enum class EventType : int32_t {
  kNone = -1,
  kNodeCreated = 1,
  kNodeDeleted = 2,
  kNodeDataChanged = 3,
  kNodeChildrenChanged = 4,
  kDataWatchRemoved = 5,
  kChildWatchRemoved = 6,
  kPersistentWatchRemoved = 7,
};

enum class KeeperState : int32_t {
  kDisconnected = 0,
  kSyncConnected = 3,
  kAuthFailed = 4,
  kConnectedReadOnly = 5,
  kExpired = -112,
  kClosed = 7,
};

// Special xids (docs/wire-format.md, Special xids).
inline constexpr int32_t kXidNotification = -1;
inline constexpr int32_t kXidPing = -2;
inline constexpr int32_t kXidAuth = -4;
inline constexpr int32_t kXidSetWatches = -8;

namespace perm {
inline constexpr int32_t kRead = 1;
inline constexpr int32_t kWrite = 2;
inline constexpr int32_t kCreate = 4;
inline constexpr int32_t kDelete = 8;
inline constexpr int32_t kAdmin = 16;
inline constexpr int32_t kAll = 31;
}  // namespace perm

enum class CreateMode : int32_t {
  kPersistent = 0,
  kEphemeral = 1,
  kPersistentSequential = 2,
  kEphemeralSequential = 3,
  kContainer = 4,
  kPersistentWithTtl = 5,
  kPersistentSequentialWithTtl = 6,
};

// AddWatch modes and watcher types for check/removeWatches.
inline constexpr int32_t kAddWatchPersistent = 0;
inline constexpr int32_t kAddWatchPersistentRecursive = 1;
inline constexpr int32_t kWatcherTypeChildren = 1;
inline constexpr int32_t kWatcherTypeData = 2;
inline constexpr int32_t kWatcherTypeAny = 3;

// ephemeralOwner markers (docs/data-tree.md, TTL and container nodes).
inline constexpr int64_t kContainerOwner = INT64_MIN;
inline constexpr int64_t kTtlOwnerMask = static_cast<int64_t>(0xFF00000000000000ULL);
inline constexpr int64_t kMaxTtl = 0x00FFFFFFFFFFFFFFLL;

inline bool IsTtlOwner(int64_t owner) {
  return owner != kContainerOwner && (owner & kTtlOwnerMask) == kTtlOwnerMask;
}

// Is this op a write that takes a zxid (docs/wire-format.md, Write ops)?
bool IsWriteOp(OpCode op);
// Four-letter tag used by `cons` for the last operation (PING, CREA, GETD ...).
std::string_view OpTag(OpCode op);
std::string_view ErrName(Err e);

inline int32_t ToInt(Err e) { return static_cast<int32_t>(e); }
inline int32_t ToInt(OpCode o) { return static_cast<int32_t>(o); }

inline constexpr int64_t MakeZxid(int64_t epoch, int64_t counter) {
  return (epoch << 32) | (counter & 0xffffffffLL);
}
inline constexpr int64_t ZxidEpoch(int64_t zxid) { return zxid >> 32; }
inline constexpr int64_t ZxidCounter(int64_t zxid) { return zxid & 0xffffffffLL; }

}  // namespace zk
