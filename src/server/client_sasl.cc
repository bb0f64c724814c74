// ClientServer's answer to the `sasl` request (op 102): GetSASLRequest{token} in,
// SetSASLResponse{token} out. Handled here in the shell, as ZooKeeper's processPacket handles it
// ahead of its request pipeline: the SASL exchange (sasl_digest.h) does I/O-free work but calls
// into Cyrus, which the pure core must not. What the core learns is the result only: the
// session's new auth id ("sasl", user) through Machine::AddAuth, the path an auth packet's
// digest id takes, so ACL checks, forwarded requests and whoami see it.
//
// As ZooKeeper 3.8: the reply header carries zxid 0; a failed exchange (wrong password, unknown
// user, a mechanism other than DIGEST-MD5) is answered AUTHFAILED with a null token and the
// connection closes (the session stays until it expires); the server serves everyone else on.
#include <spdlog/spdlog.h>

#include <memory>

#include "proto/jute.h"
#include "proto/zxid.h"
#include "server/client_server.h"
#include "server/sasl_digest.h"

namespace zk {

void ClientServer::HandleSasl(ClientConnection* c, int32_t xid, std::string_view body) {
  machine_->Touch(c->session_id);
  JuteReader r(body);
  std::string token = r.Buffer();
  if (!r.ok()) {
    spdlog::info("closing {}: undecodable SASL request", c->stats.remote);
    Close(c, nullptr);
    return;
  }
  if (!c->sasl) c->sasl = std::make_unique<SaslDigestExchange>();
  std::string reply;
  SaslDigestExchange::Result result = c->sasl->Step(token, &reply);
  if (result == SaslDigestExchange::Result::kFailed) {
    spdlog::warn("client {} (session {}) failed to SASL authenticate: {}; closing its connection",
                 c->stats.remote, ZxidHex(c->session_id), c->sasl->error());
    JuteWriter w;
    w.NullBuffer();
    SendReplyWithBody(c, xid, 0, Err::kAuthFailed, w.data());
    CloseAfterFlush(c);
    return;
  }
  if (result == SaslDigestExchange::Result::kDone) {
    const std::string& user = c->sasl->user();
    spdlog::info("session {}: adding SASL authorization for {}", ZxidHex(c->session_id), user);
    machine_->AddAuth(c->session_id, Id{"sasl", user});
    if (!config_.sasl_super_user.empty() && user == config_.sasl_super_user) {
      spdlog::info("session {}: SASL user {} is the super user", ZxidHex(c->session_id), user);
      machine_->AddAuth(c->session_id, Id{"super", ""});
    }
  }
  JuteWriter w;
  w.Buffer(reply);
  SendReplyWithBody(c, xid, 0, Err::kOk, w.data());
}

}  // namespace zk
