// libFuzzer target: what a stranger can send to a member's election or quorum port — the
// connection hello, then length-prefixed frames holding election notifications or Zab packets
// and their payloads (core/peer_wire.h, core/zab_packet.h). Every decoder must accept or refuse
// any bytes without crashing or reading out of bounds, refuse lengths over the named limits,
// and whatever it accepts must encode back to a value that decodes the same.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/peer_wire.h"
#include "core/zab_packet.h"

namespace {

void CheckPayload(std::string_view payload) {
  using namespace zk;
  if (auto wn = DecodeNotification(payload)) {
    assert(wn->config.size() <= kElectionConfigMax);
    auto again = DecodeNotification(EncodeNotification(wn->n, wn->config));
    assert(again && *again == *wn);
  }
  if (auto p = DecodeZabPacket(payload)) {
    auto again = DecodeZabPacket(EncodeZabPacket(*p));
    assert(again && *again == *p);
    bool ok = false;
    DecodeLong(p->data, &ok);
    DecodeTouches(p->data);
    if (auto req = DecodeForwardedRequest(p->data)) {
      auto req_again = DecodeForwardedRequest(EncodeForwardedRequest(*req));
      assert(req_again && req_again->session_id == req->session_id && req_again->xid == req->xid &&
             req_again->op == req->op && req_again->body == req->body);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // The stream as a member's port reads it: hello first, then frames until one is bad.
  ElectionHello hello;
  size_t used = 0;
  FrameResult r = DecodeElectionHello(input, &hello, &used);
  if (r == FrameResult::kOk) {
    assert(used <= input.size() && hello.address.size() <= kElectionAddressMax);
    assert(EncodeElectionHello(hello) == input.substr(0, used));
  }
  std::string_view rest = r == FrameResult::kOk ? input.substr(used) : input;
  for (int frames = 0; frames < 1000; ++frames) {
    std::string_view payload;
    size_t consumed = 0;
    if (TakeFrame(rest, &payload, &consumed) != FrameResult::kOk) break;
    assert(consumed == payload.size() + 4 && consumed <= rest.size());
    assert(!payload.empty() && payload.size() <= kElectionFrameMax);
    assert(EncodeFrame(payload) == rest.substr(0, consumed));
    CheckPayload(payload);
    rest.remove_prefix(consumed);
  }
  // And the whole input as one payload, so the decoders see bytes no framing chose.
  CheckPayload(input);
  return 0;
}
