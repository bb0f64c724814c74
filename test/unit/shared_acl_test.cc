#include <gtest/gtest.h>

#include "tree/acl.h"

namespace zk {
namespace {

const Id kDigest{"digest", "u:hash"};

TEST(SharedAclTest, OpenAndReadUnsafe_AreOneListEach_OthersAreTheirOwn) {
  SharedAcl a(OpenAclUnsafe());
  SharedAcl b(OpenAclUnsafe());
  EXPECT_TRUE(a.SameObject(b));
  EXPECT_TRUE(a.SameObject(SharedAcl::Open()));
  EXPECT_EQ(*a, OpenAclUnsafe());
  EXPECT_TRUE(SharedAcl(ReadAclUnsafe()).SameObject(SharedAcl(ReadAclUnsafe())));
  EXPECT_FALSE(a.SameObject(SharedAcl(ReadAclUnsafe())));

  AclList digest{Acl{perm::kAll, kDigest}};
  SharedAcl c(digest);
  SharedAcl d(digest);
  EXPECT_FALSE(c.SameObject(d));
  EXPECT_EQ(c, d) << "equal contents compare equal";
  EXPECT_NE(c, a);
  SharedAcl copy = c;
  EXPECT_TRUE(copy.SameObject(c)) << "a copy shares the list";
  EXPECT_TRUE(SharedAcl()->empty());
}

TEST(SharedAclTest, FixupAcl_OpenNeedsNoList_AuthResolvesToTheCallersIds) {
  SharedAcl out;
  ASSERT_TRUE(FixupAcl(OpenAclUnsafe(), {}, &out));
  EXPECT_TRUE(out.SameObject(SharedAcl::Open()));

  ASSERT_TRUE(FixupAcl({Acl{perm::kRead, Id{"auth", ""}}}, {kDigest}, &out));
  EXPECT_EQ(*out, (AclList{Acl{perm::kRead, kDigest}}));
  EXPECT_TRUE(CheckAcl(out, perm::kRead, {kDigest}));
  EXPECT_FALSE(CheckAcl(out, perm::kWrite, {kDigest}));

  EXPECT_FALSE(FixupAcl({Acl{perm::kRead, Id{"auth", ""}}}, {}, &out)) << "auth without ids";
  EXPECT_FALSE(FixupAcl(AclList{}, {}, &out)) << "empty list";
}

}  // namespace
}  // namespace zk
