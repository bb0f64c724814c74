// The `sasl` ACL scheme (SASLAuthenticationProvider): valid only when zoo.cfg registers the
// provider, matched by user name (the user "super" passes every sasl entry), and resolved from
// the caller's sasl id by an "auth" entry.
#include <gtest/gtest.h>

#include "tree/acl.h"

namespace zk {
namespace {

const Id kBob{"sasl", "bob"};
const Acl kBobAll{perm::kAll, kBob};

TEST(SaslAclTest, SaslScheme_ValidOnlyWithTheProvider) {
  AclList out;
  EXPECT_FALSE(FixupAcl({kBobAll}, {}, &out)) << "no provider: no such scheme, INVALIDACL";
  ASSERT_TRUE(FixupAcl({kBobAll}, {}, &out, /*sasl_scheme=*/true));
  EXPECT_EQ(out, (AclList{kBobAll}));
}

TEST(SaslAclTest, SaslIds_KerberosShapedNamesOnly) {
  EXPECT_TRUE(IsValidSaslId("bob"));
  EXPECT_TRUE(IsValidSaslId("zk/host@EXAMPLE.ORG"));
  EXPECT_TRUE(IsValidSaslId("client@EXAMPLE.ORG"));
  EXPECT_FALSE(IsValidSaslId("a@b@c"));
  EXPECT_FALSE(IsValidSaslId("a/b/c@R"));
  AclList out;
  EXPECT_FALSE(FixupAcl({Acl{perm::kAll, Id{"sasl", "a@b@c"}}}, {}, &out, true));
}

TEST(SaslAclTest, CheckAcl_MatchesTheUser_SuperUserPassesEverySaslEntry) {
  AclList acl{kBobAll};
  EXPECT_TRUE(CheckAcl(acl, perm::kRead, {kBob}));
  EXPECT_FALSE(CheckAcl(acl, perm::kRead, {Id{"sasl", "alice"}}));
  EXPECT_FALSE(CheckAcl(acl, perm::kRead, {Id{"digest", "bob"}})) << "another scheme";
  EXPECT_TRUE(CheckAcl(acl, perm::kRead, {Id{"sasl", "super"}}));
}

TEST(SaslAclTest, AuthEntry_TakesTheSaslIdWhenTheProviderIsOn) {
  AclList out;
  const AclList auth_entry{Acl{perm::kRead, Id{"auth", ""}}};
  ASSERT_TRUE(FixupAcl(auth_entry, {Id{"ip", "127.0.0.1"}, kBob}, &out, true));
  EXPECT_EQ(out, (AclList{Acl{perm::kRead, kBob}}));
  EXPECT_FALSE(FixupAcl(auth_entry, {Id{"ip", "127.0.0.1"}, kBob}, &out))
      << "without the provider a sasl id is no authenticated id";
}

}  // namespace
}  // namespace zk
