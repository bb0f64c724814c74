// MergeZooCfg: `up` keeps a learner's hand edits of zoo.cfg and owns only its own keys.
#include "supervisor/zoo_cfg_merge.h"

#include <gtest/gtest.h>

namespace pc {
namespace {

const char* kWritten =
    "# node 1 of cluster 'default' (written by pseudo-cluster)\n"
    "tickTime=2000\n"
    "dataDir=/c/node1/data\n"
    "clientPort=2181\n"
    "4lw.commands.whitelist=*\n"
    "admin.enableServer=false\n"
    "server.1=127.0.0.1:2881:3881\n"
    "server.2=127.0.0.1:2882:3882\n";

TEST(MergeZooCfg, UneditedFileIsWrittenAnewWithoutNotes) {
  const std::string fresh = std::string(kWritten) + "server.3=127.0.0.1:2883:3883\n";
  ZooCfgMerge m = MergeZooCfg(kWritten, kWritten, fresh);
  EXPECT_EQ(m.text, fresh);
  EXPECT_TRUE(m.notes.empty());
  EXPECT_EQ(MergeZooCfg("", "", fresh).text, fresh);
}

TEST(MergeZooCfg, KeepsAddedAndChangedLinesOverridesOwnedOnes) {
  std::string edited = kWritten;
  edited += "autopurge.purgeInterval=1\n";
  edited.replace(edited.find("4lw.commands.whitelist=*"), 24, "4lw.commands.whitelist=srvr, ruok");
  edited.replace(edited.find("clientPort=2181"), 15, "clientPort=2190");
  ZooCfgMerge m = MergeZooCfg(edited, kWritten, kWritten);
  EXPECT_NE(m.text.find("autopurge.purgeInterval=1\n"), std::string::npos);
  EXPECT_NE(m.text.find("4lw.commands.whitelist=srvr, ruok\n"), std::string::npos);
  EXPECT_NE(m.text.find("clientPort=2181\n"), std::string::npos);
  EXPECT_EQ(m.text.find("clientPort=2190"), std::string::npos);
  ASSERT_EQ(m.notes.size(), 3u);
  // In the file's order.
  EXPECT_EQ(m.notes[0].rfind("replaced 'clientPort=2190' by 'clientPort=2181'", 0), 0u);
  EXPECT_EQ(m.notes[1], "kept your line '4lw.commands.whitelist=srvr, ruok'");
  EXPECT_EQ(m.notes[2], "kept your line 'autopurge.purgeInterval=1'");
}

TEST(MergeZooCfg, OwnedValuesPseudoClusterChangesItselfAreNotReported) {
  std::string edited = std::string(kWritten) + "autopurge.purgeInterval=1\n";
  std::string fresh = kWritten;
  fresh.replace(fresh.find("clientPort=2181"), 15, "clientPort=3181");  // new --base-ports
  ZooCfgMerge m = MergeZooCfg(edited, kWritten, fresh);
  EXPECT_NE(m.text.find("clientPort=3181\n"), std::string::npos);
  EXPECT_NE(m.text.find("autopurge.purgeInterval=1\n"), std::string::npos);
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_EQ(m.notes[0], "kept your line 'autopurge.purgeInterval=1'");
}

TEST(MergeZooCfg, DeletedLinesOwnedComeBackOthersStayOut) {
  std::string edited = kWritten;
  edited.erase(edited.find("4lw.commands.whitelist=*\n"), 25);
  edited.erase(edited.find("server.2=127.0.0.1:2882:3882\n"), 29);
  ZooCfgMerge m = MergeZooCfg(edited, kWritten, kWritten);
  EXPECT_EQ(m.text.find("4lw.commands.whitelist"), std::string::npos);
  EXPECT_NE(m.text.find("server.2=127.0.0.1:2882:3882\n"), std::string::npos);
  ASSERT_EQ(m.notes.size(), 2u);
  EXPECT_EQ(m.notes[0], "left out '4lw.commands.whitelist=*' as you removed it");
  EXPECT_EQ(m.notes[1].rfind("restored 'server.2=127.0.0.1:2882:3882'", 0), 0u);
}

TEST(MergeZooCfg, OwnedKeys) {
  for (const char* key : {"clientPort", "dataDir", "server.7", "tickTime", "peerType"}) {
    EXPECT_TRUE(ZooCfgKeyOwned(key)) << key;
  }
  for (const char* key : {"4lw.commands.whitelist", "autopurge.purgeInterval", "maxClientCnxns"}) {
    EXPECT_FALSE(ZooCfgKeyOwned(key)) << key;
  }
}

}  // namespace
}  // namespace pc
