// The JAAS login configuration zkd reads its SASL users from (server/jaas_file.h): the file
// format, the user_<name> options, and where the path comes from.
#include "server/jaas_file.h"

#include <gtest/gtest.h>

namespace zk {
namespace {

TEST(JaasFileTest, ServerSection_UsersFromUserOptions_CommentsAndOtherSectionsSkipped) {
  const char* text = R"(// ZooKeeper's server side
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="super_secret"   /* the admin */
    user_jaasuser="jaas_password"
    debug=true;
};
Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="bob"
         password="x\"y"; };
)";
  JaasParse p = ParseJaasText(text, "jaas.conf");
  ASSERT_TRUE(p.ok()) << p.error;
  ASSERT_EQ(p.sections.count("Server"), 1u);
  auto users = DigestUsers(p.sections["Server"]);
  EXPECT_EQ(users, (std::map<std::string, std::string>{{"super", "super_secret"},
                                                       {"jaasuser", "jaas_password"}}));
  EXPECT_EQ(p.sections["Client"][0].options["password"], "x\"y");
  EXPECT_EQ(p.sections["Client"][0].flag, "required");
}

TEST(JaasFileTest, MalformedFile_OneLineNamingFileLineAndWhatIsExpected) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"Server {\n  Mod required user_bob \"x\";\n};",
       "jaas.conf:2: expected '=' after option user_bob"},
      {"Server {\n  Mod needed;\n};",
       "jaas.conf:2: expected required, requisite, sufficient or optional after Mod"},
      {"Server {\n  Mod required a=\"open\n};",
       "jaas.conf:2: expected a value (a word or a \"quoted string\") for option a"},
      {"Server {\n  Mod required;\n}", "jaas.conf:3: expected ';' after the '}' of section Server"},
      {"Server\n  Mod required;", "jaas.conf:2: expected '{' after section Server"},
      {"{ };", "jaas.conf:1: expected a section name such as Server"},
  };
  for (const Case& c : cases) {
    JaasParse p = ParseJaasText(c.text, "jaas.conf");
    EXPECT_EQ(p.error, c.error) << c.text;
  }
}

TEST(JaasFileTest, JvmProperty_LastOneWins_QuotesAndDoubleEqualsDropped) {
  const std::string key = "java.security.auth.login.config";
  EXPECT_EQ(JvmProperty("-Xmx1g -Djava.security.auth.login.config=/a/jaas.conf", key),
            "/a/jaas.conf");
  EXPECT_EQ(JvmProperty("SERVER_JVMFLAGS=\"-Djava.security.auth.login.config=/a.conf\"\n"
                        "export SERVER_JVMFLAGS=\"$SERVER_JVMFLAGS "
                        "-Djava.security.auth.login.config==/c.conf\"",
                        key),
            "/c.conf");
  EXPECT_EQ(JvmProperty("export SERVER_JVMFLAGS=\"$SERVER_JVMFLAGS "
                        "-Djava.security.auth.login.config=/b.conf\"",
                        key),
            "/b.conf");
  EXPECT_EQ(JvmProperty("SERVER_JVMFLAGS='-Djava.security.auth.login.config=/d.conf'", key),
            "/d.conf");
  EXPECT_EQ(JvmProperty("-Djava.security.auth.login.configX=/no", key), "");
}

TEST(JaasFileTest, FindJaasFile_CfgKeyThenJavaEnvThenJvmflagsThenServerJvmflags) {
  ServerConfig config;
  config.path = "/conf/zoo.cfg";
  const char* flag = "-Djava.security.auth.login.config=/from/";
  std::string env_text = std::string(flag) + "java.env";
  std::string jvm = std::string(flag) + "jvmflags", server = std::string(flag) + "server";
  EXPECT_EQ(FindJaasFile(config, "", nullptr, nullptr).path, "");
  EXPECT_EQ(FindJaasFile(config, "", nullptr, server.c_str()).path, "/from/server");
  EXPECT_EQ(FindJaasFile(config, "", jvm.c_str(), server.c_str()).path, "/from/jvmflags");
  EXPECT_EQ(FindJaasFile(config, env_text, jvm.c_str(), server.c_str()).path, "/from/java.env");
  EXPECT_EQ(FindJaasFile(config, env_text, jvm.c_str(), server.c_str()).source, "/conf/java.env");
  config.jaas_login_config = "jaas.conf";
  JaasLocation cfg = FindJaasFile(config, env_text, jvm.c_str(), server.c_str());
  EXPECT_EQ(cfg.path, "/conf/jaas.conf") << "relative to zoo.cfg's directory";
  EXPECT_EQ(cfg.source, "/conf/zoo.cfg: jaasLoginConfig");
}

}  // namespace
}  // namespace zk
