// ACL checks (docs/data-tree.md, Permissions and ACLs): world / digest / ip / auth / super, and
// sasl when zoo.cfg registers SASLAuthenticationProvider (authProvider.N).
// Pure: no I/O. The digest scheme's SHA-1 is implemented here (a small, self-contained function)
// because none of the project's libraries offers it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/codes.h"
#include "proto/records.h"

namespace zk {

// SHA-1 of `data` as 20 raw bytes.
std::string Sha1(std::string_view data);
std::string Base64(std::string_view bytes);
// "user:password" → "user:base64(sha1(user:password))" (DigestAuthenticationProvider).
std::string DigestId(std::string_view user_password);

// Does a caller holding `auth` have `perm` on a node with `acl`?
// `super_id` is the "super:<digest>" id configured by the super-digest setting (or empty).
bool CheckAcl(const AclList& acl, int32_t perm, const std::vector<Id>& auth);
bool IsSuper(const std::vector<Id>& auth);

// Validates an ACL from a request and resolves "auth" ids into the caller's authenticated ids
// (digest, super, and sasl with `sasl_scheme`) as ZooKeeper's fixupACL. Returns false for an
// empty list, an unknown scheme (sasl without `sasl_scheme`: no provider registered), a
// malformed id, or an "auth" entry while the caller has no authenticated ids — all INVALIDACL.
bool FixupAcl(const AclList& in, const std::vector<Id>& auth, AclList* out,
              bool sasl_scheme = false);
// A sasl id as SASLAuthenticationProvider.isValid takes it (a Kerberos-style name): any name
// without '@', or "name[/host]@realm".
bool IsValidSaslId(std::string_view id);

// Does the ip id pattern ("10.0.0.1" or "10.0.0.0/8") match the client address?
bool IpMatches(std::string_view pattern, std::string_view client_ip);

inline AclList OpenAclUnsafe() { return {Acl{perm::kAll, Id{"world", "anyone"}}}; }
inline AclList ReadAclUnsafe() { return {Acl{perm::kRead, Id{"world", "anyone"}}}; }

// The ACL a node, a pending record or a txn holds: one immutable list shared by every copy (a
// reference count), as ZooKeeper's DataTree keeps one list per distinct ACL. OPEN_ACL_UNSAFE
// and READ_ACL_UNSAFE are built once, so the usual million nodes created with the open ACL hold
// a pointer each instead of a list each, and copying a node's ACL costs no allocation.
class SharedAcl {
 public:
  SharedAcl();  // the empty list (no entry: nobody but super may do anything)
  SharedAcl(AclList list);  // NOLINT(google-explicit-constructor): a list converts as is
  static SharedAcl Open();   // OPEN_ACL_UNSAFE, without building a list
  const AclList& operator*() const { return *list_; }
  const AclList* operator->() const { return list_.get(); }
  // Same list object (not only equal contents): a quick test before comparing contents.
  bool SameObject(const SharedAcl& other) const { return list_ == other.list_; }
  friend bool operator==(const SharedAcl& a, const SharedAcl& b) {
    return a.list_ == b.list_ || *a.list_ == *b.list_;
  }

 private:
  explicit SharedAcl(std::shared_ptr<const AclList> list) : list_(std::move(list)) {}
  std::shared_ptr<const AclList> list_;
};

inline bool CheckAcl(const SharedAcl& acl, int32_t perm, const std::vector<Id>& auth) {
  return CheckAcl(*acl, perm, auth);
}
// FixupAcl into a SharedAcl: OPEN_ACL_UNSAFE (the usual request) needs no allocation.
bool FixupAcl(const AclList& in, const std::vector<Id>& auth, SharedAcl* out,
              bool sasl_scheme = false);

}  // namespace zk
