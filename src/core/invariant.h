// ZK_ASSERT: an invariant of the pure core that must hold in every build, release included (the
// simulator's random runs rely on it, and a replica that broke one must stop rather than go on
// with a history it cannot vouch for). It does not depend on NDEBUG, unlike assert().
//
// Only for what this server's own state guarantees. Input from a peer or a client that
// breaks a rule is refused (ignored, or the connection closed), never asserted on: a bad
// message must not be able to stop a member.
//
// On failure: one line "zkd: invariant failed at file:line: condition" on stderr, then abort().
#pragma once

namespace zk {

[[noreturn]] void InvariantFailed(const char* condition, const char* file, int line);

}  // namespace zk

#define ZK_ASSERT(condition) \
  ((condition) ? static_cast<void>(0) : ::zk::InvariantFailed(#condition, __FILE__, __LINE__))
