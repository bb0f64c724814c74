// libFuzzer target: decoding of client frames and every request record.
// Any input must decode or fail cleanly; never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "proto/jute.h"
#include "proto/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk;
  const char* p = reinterpret_cast<const char*>(data);
  {
    JuteReader r(p, size);
    ConnectRequest c;
    c.Read(r);
  }
  JuteReader r(p, size);
  RequestHeader h;
  if (!h.Read(r)) return 0;
  switch (static_cast<OpCode>(h.type)) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer: {
      CreateRequest c;
      c.Read(r, false);
      break;
    }
    case OpCode::kCreateTtl: {
      CreateRequest c;
      c.Read(r, true);
      break;
    }
    case OpCode::kSetData: {
      SetDataRequest s;
      s.Read(r);
      break;
    }
    case OpCode::kSetAcl: {
      SetAclRequest s;
      s.Read(r);
      break;
    }
    case OpCode::kSetWatches:
    case OpCode::kSetWatches2: {
      SetWatchesRequest s;
      s.Read(r, h.type == ToInt(OpCode::kSetWatches2));
      break;
    }
    case OpCode::kMulti:
    case OpCode::kMultiRead: {
      for (int i = 0; i < 1000 && r.ok(); ++i) {
        MultiHeader m;
        if (!m.Read(r) || m.done) break;
        CreateRequest c;
        c.Read(r, false);
      }
      break;
    }
    default: {
      PathAndWatch pw;
      pw.Read(r);
      break;
    }
  }
  return 0;
}
