#include "proto/codes.h"

namespace zk {

bool IsWriteOp(OpCode op) {
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
    case OpCode::kSetAcl:
    case OpCode::kSetData:
    case OpCode::kCheck:
    case OpCode::kMulti:
    case OpCode::kReconfig:
    case OpCode::kCreateSession:
    case OpCode::kCloseSession:
    case OpCode::kError:
      return true;
    default:
      return false;
  }
}

std::string_view OpTag(OpCode op) {
  switch (op) {
    case OpCode::kPing: return "PING";
    case OpCode::kCreateSession: return "SESS";
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer: return "CREA";
    case OpCode::kDelete:
    case OpCode::kDeleteContainer: return "DELE";
    case OpCode::kSetData: return "SETD";
    case OpCode::kReconfig: return "RECO";
    case OpCode::kSetAcl: return "SETA";
    case OpCode::kCloseSession: return "CLOS";
    case OpCode::kSync: return "SYNC";
    case OpCode::kCheck: return "CHEC";
    case OpCode::kExists: return "EXIS";
    case OpCode::kGetData: return "GETD";
    case OpCode::kSetWatches: return "SETW";
    case OpCode::kSetWatches2: return "STW2";
    case OpCode::kAddWatch: return "ADDW";
    case OpCode::kGetAcl: return "GETA";
    case OpCode::kGetChildren:
    case OpCode::kGetChildren2: return "GETC";
    case OpCode::kGetAllChildrenNumber: return "GETACN";
    case OpCode::kGetEphemerals: return "GETE";
    case OpCode::kCheckWatches: return "CHKW";
    case OpCode::kRemoveWatches: return "REMW";
    case OpCode::kMulti: return "MULT";
    case OpCode::kMultiRead: return "MLTR";
    case OpCode::kWhoAmI: return "HOMI";
    case OpCode::kAuth: return "AUTH";
    default: return "NA";
  }
}

std::string_view ErrName(Err e) {
  switch (e) {
    case Err::kOk: return "OK";
    case Err::kSystemError: return "SYSTEMERROR";
    case Err::kRuntimeInconsistency: return "RUNTIMEINCONSISTENCY";
    case Err::kDataInconsistency: return "DATAINCONSISTENCY";
    case Err::kConnectionLoss: return "CONNECTIONLOSS";
    case Err::kMarshallingError: return "MARSHALLINGERROR";
    case Err::kUnimplemented: return "UNIMPLEMENTED";
    case Err::kOperationTimeout: return "OPERATIONTIMEOUT";
    case Err::kBadArguments: return "BADARGUMENTS";
    case Err::kUnknownSession: return "UNKNOWNSESSION";
    case Err::kNewConfigNoQuorum: return "NEWCONFIGNOQUORUM";
    case Err::kReconfigInProgress: return "RECONFIGINPROGRESS";
    case Err::kApiError: return "APIERROR";
    case Err::kNoNode: return "NONODE";
    case Err::kNoAuth: return "NOAUTH";
    case Err::kBadVersion: return "BADVERSION";
    case Err::kNoChildrenForEphemerals: return "NOCHILDRENFOREPHEMERALS";
    case Err::kNodeExists: return "NODEEXISTS";
    case Err::kNotEmpty: return "NOTEMPTY";
    case Err::kSessionExpired: return "SESSIONEXPIRED";
    case Err::kInvalidCallback: return "INVALIDCALLBACK";
    case Err::kInvalidAcl: return "INVALIDACL";
    case Err::kAuthFailed: return "AUTHFAILED";
    case Err::kSessionMoved: return "SESSIONMOVED";
    case Err::kNotReadOnly: return "NOTREADONLY";
    case Err::kEphemeralOnLocalSession: return "EPHEMERALONLOCALSESSION";
    case Err::kNoWatcher: return "NOWATCHER";
    case Err::kRequestTimeout: return "REQUESTTIMEOUT";
    case Err::kReconfigDisabled: return "RECONFIGDISABLED";
    case Err::kSessionClosedRequireSaslAuth: return "SESSIONCLOSEDREQUIRESASLAUTH";
    case Err::kQuotaExceeded: return "QUOTAEXCEEDED";
    case Err::kThrottledOp: return "THROTTLEDOP";
  }
  return "UNKNOWN";
}

}  // namespace zk
