#include "server/sasl_digest.h"

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include <cstring>
#include <utility>

namespace zk {
namespace {

// ZooKeeper's fixed names (ZooKeeperSaslServer / SecurityUtils.createSaslServer).
constexpr const char* kService = "zookeeper";
constexpr const char* kServerName = "zk-sasl-md5";
constexpr const char* kMechanism = "DIGEST-MD5";
constexpr const char* kAuxpropName = "zkd-jaas";
constexpr size_t kTokenBytesMax = 64 * 1024;  // a DIGEST-MD5 response is a few hundred bytes

// Cyrus's plugins and options are per process (see the header): so is the user map they read.
std::map<std::string, std::string>* g_users = nullptr;
bool g_ready = false;

// Every option Cyrus or a plugin asks for comes from here, so no /etc/sasl2 file is read and
// no sasldb is opened.
int GetOpt(void*, const char*, const char* option, const char** result, unsigned* len) {
  const char* value = nullptr;
  if (std::strcmp(option, "mech_list") == 0) value = kMechanism;
  if (std::strcmp(option, "auxprop_plugin") == 0) value = kAuxpropName;
  if (std::strcmp(option, "pwcheck_method") == 0) value = "auxprop";
  if (std::strcmp(option, "log_level") == 0) value = "0";
  if (value == nullptr) return SASL_FAIL;  // "not set": Cyrus takes its default
  *result = value;
  if (len != nullptr) *len = static_cast<unsigned>(std::strlen(value));
  return SASL_OK;
}

// The password of `user` from the JAAS users. Cyrus may hand the name qualified with the realm
// ("bob@zk-sasl-md5"): the realm is ZooKeeper's fixed one, not part of the JAAS name.
const std::string* PasswordOf(std::string_view user) {
  if (g_users == nullptr) return nullptr;
  if (auto it = g_users->find(std::string(user)); it != g_users->end()) return &it->second;
  const std::string suffix = std::string("@") + kServerName;
  if (user.size() > suffix.size() &&
      user.compare(user.size() - suffix.size(), suffix.size(), suffix) == 0) {
    user.remove_suffix(suffix.size());
    if (auto it = g_users->find(std::string(user)); it != g_users->end()) return &it->second;
  }
  return nullptr;
}

// The auxprop lookup: fills the authentication id's password property ("*userPassword") that
// the DIGEST-MD5 plugin asks for; other properties stay unset.
int LookupUser(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
               unsigned ulen) {
  if (flags & SASL_AUXPROP_AUTHZID) return SASL_OK;  // only the authentication id has one
  const std::string* password = PasswordOf(std::string_view(user, ulen));
  if (password == nullptr) return SASL_NOUSER;
  const propval* wanted = sparams->utils->prop_get(sparams->propctx);
  if (wanted == nullptr) return SASL_OK;
  for (const propval* p = wanted; p->name != nullptr; ++p) {
    if (std::strcmp(p->name, SASL_AUX_PASSWORD) != 0) continue;
    if (p->values != nullptr) {
      if (!(flags & SASL_AUXPROP_OVERRIDE)) continue;
      sparams->utils->prop_erase(sparams->propctx, p->name);
    }
    sparams->utils->prop_set(sparams->propctx, p->name, password->c_str(),
                             static_cast<int>(password->size()));
  }
  return SASL_OK;
}

sasl_auxprop_plug_t g_auxprop = {
    0, 0, nullptr, nullptr, LookupUser, const_cast<char*>(kAuxpropName), nullptr,
};

int InitAuxprop(const sasl_utils_t*, int max_version, int* out_version, sasl_auxprop_plug_t** plug,
                const char*) {
  if (max_version < SASL_AUXPROP_PLUG_VERSION) return SASL_BADVERS;
  *out_version = SASL_AUXPROP_PLUG_VERSION;
  *plug = &g_auxprop;
  return SASL_OK;
}

sasl_callback_t g_callbacks[] = {
    // Cyrus stores every callback as int (*)(void); void (*)() is the warning-free way there.
    {SASL_CB_GETOPT, reinterpret_cast<int (*)()>(reinterpret_cast<void (*)()>(GetOpt)), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};

std::string CyrusError(sasl_conn_t* conn, int code) {
  const char* detail = conn != nullptr ? sasl_errdetail(conn) : nullptr;
  return detail != nullptr ? detail : sasl_errstring(code, nullptr, nullptr);
}

}  // namespace

std::string StartSaslDigest(std::map<std::string, std::string> users) {
  if (g_ready) return "SASL is already started";
  g_users = new std::map<std::string, std::string>(std::move(users));  // lives with the process
  if (int rc = sasl_server_init(g_callbacks, kService); rc != SASL_OK) {
    return std::string("cannot start Cyrus SASL: ") + sasl_errstring(rc, nullptr, nullptr);
  }
  if (int rc = sasl_auxprop_add_plugin(kAuxpropName, InitAuxprop); rc != SASL_OK) {
    return std::string("cannot register the JAAS user lookup with Cyrus SASL: ") +
           sasl_errstring(rc, nullptr, nullptr);
  }
  // Is the DIGEST-MD5 plugin there? A throwaway connection lists what Cyrus can offer.
  sasl_conn_t* probe = nullptr;
  const char* mechs = nullptr;
  bool found = false;
  if (sasl_server_new(kService, kServerName, kServerName, nullptr, nullptr, nullptr, 0, &probe) ==
          SASL_OK &&
      sasl_listmech(probe, nullptr, "", " ", "", &mechs, nullptr, nullptr) == SASL_OK) {
    found = mechs != nullptr && std::strstr(mechs, kMechanism) != nullptr;
  }
  sasl_dispose(&probe);
  if (!found) {
    return "Cyrus SASL has no DIGEST-MD5 plugin (install Debian's libsasl2-modules)";
  }
  g_ready = true;
  return {};
}

bool SaslDigestReady() { return g_ready; }

SaslDigestExchange::~SaslDigestExchange() {
  if (conn_ != nullptr) sasl_dispose(&conn_);
}

SaslDigestExchange::Result SaslDigestExchange::Fail(std::string why) {
  failed_ = true;
  error_ = std::move(why);
  return Result::kFailed;
}

SaslDigestExchange::Result SaslDigestExchange::Step(std::string_view token, std::string* reply) {
  reply->clear();
  if (failed_) return Fail(error_);
  if (done_) return Fail("SASL authentication already completed");
  if (!g_ready) return Fail("SASL is not configured (no Server section in a JAAS file)");
  if (token.size() > kTokenBytesMax) return Fail("SASL token too large");
  const char* out = nullptr;
  unsigned out_len = 0;
  int rc;
  if (conn_ == nullptr) {
    // DIGEST-MD5 has no initial response. Java's DIGEST-MD5 server, ZooKeeper's, ignores one
    // and sends its challenge all the same; so does this. (A PLAIN client then believes it is
    // done and goes on without a sasl id.)
    rc = sasl_server_new(kService, kServerName, kServerName, nullptr, nullptr, nullptr,
                         SASL_SUCCESS_DATA, &conn_);
    if (rc != SASL_OK) return Fail("cannot start a SASL exchange: " + CyrusError(conn_, rc));
    sasl_security_properties_t props{};
    props.min_ssf = 0;
    props.max_ssf = 0;  // qop=auth only: ZooKeeper's clients use no security layer
    props.maxbufsize = 0;
    sasl_setprop(conn_, SASL_SEC_PROPS, &props);
    rc = sasl_server_start(conn_, kMechanism, nullptr, 0, &out, &out_len);
  } else {
    rc = sasl_server_step(conn_, token.data(), static_cast<unsigned>(token.size()), &out, &out_len);
  }
  if (rc != SASL_OK && rc != SASL_CONTINUE) return Fail(CyrusError(conn_, rc));
  if (out != nullptr) reply->assign(out, out_len);
  if (rc == SASL_CONTINUE) return Result::kContinue;
  const void* name = nullptr;
  if (sasl_getprop(conn_, SASL_AUTHUSER, &name) != SASL_OK || name == nullptr) {
    return Fail("SASL succeeded without an authentication id");
  }
  user_ = static_cast<const char*>(name);
  // The JAAS name, without the realm Cyrus may have qualified it with.
  const std::string suffix = std::string("@") + kServerName;
  if (user_.size() > suffix.size() &&
      user_.compare(user_.size() - suffix.size(), suffix.size(), suffix) == 0) {
    user_.resize(user_.size() - suffix.size());
  }
  done_ = true;
  return Result::kDone;
}

}  // namespace zk
