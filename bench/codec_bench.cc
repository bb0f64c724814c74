// Wire codec: what a request and its reply cost to encode and decode, as whole framed packets
// (4-byte length, RequestHeader / ReplyHeader, record), and what FrameReader costs to split a
// byte stream into packets. Encoders write into a fresh JuteWriter each time, as the server and
// the C client do; decoders read the fields the server reads (DecodeWriteRequest for a multi, the
// request path's own decoder).
// items_per_second = packets (or, for frames, frames) per second.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/prepare.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "server/frame_reader.h"
#include "tree/acl.h"

namespace zk {
namespace {

// A packet as a client sends it: length placeholder, header, record, then the length patched.
template <typename WriteBody>
std::string Framed(const RequestHeader& h, WriteBody&& body) {
  JuteWriter w;
  w.Int(0);
  h.Write(w);
  body(w);
  w.PatchInt(0, static_cast<int32_t>(w.size() - 4));
  return w.Take();
}

void Count(benchmark::State& state, size_t packet_bytes) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(packet_bytes));
  state.counters["packet_bytes"] = static_cast<double>(packet_bytes);
}

// ---- ConnectRequest (the first packet of a connection: no RequestHeader) ----

ConnectRequest SampleConnect() {
  ConnectRequest c;
  c.last_zxid_seen = 0x100000123;
  c.timeout_ms = 30000;
  c.session_id = 0x1000000000abcdef;
  c.passwd = std::string(16, 'p');
  c.read_only = false;
  c.has_read_only = true;
  return c;
}

void BM_Codec_ConnectRequest_Encode(benchmark::State& state) {
  ConnectRequest c = SampleConnect();
  size_t bytes = 0;
  for (auto _ : state) {
    JuteWriter w;
    w.Int(0);
    c.Write(w);
    w.PatchInt(0, static_cast<int32_t>(w.size() - 4));
    bytes = w.size();
    benchmark::DoNotOptimize(w.data().data());
  }
  Count(state, bytes);
}
BENCHMARK(BM_Codec_ConnectRequest_Encode);

void BM_Codec_ConnectRequest_Decode(benchmark::State& state) {
  JuteWriter w;
  SampleConnect().Write(w);
  const std::string body = w.Take();
  for (auto _ : state) {
    JuteReader r(body);
    ConnectRequest c;
    if (!c.Read(r)) std::abort();
    benchmark::DoNotOptimize(c);
  }
  Count(state, body.size() + 4);
}
BENCHMARK(BM_Codec_ConnectRequest_Decode);

// ---- CreateRequest; Arg = data bytes ----

CreateRequest SampleCreate(size_t data_bytes) {
  return CreateRequest{"/app/queue/item-0000001234", std::string(data_bytes, 'd'), OpenAclUnsafe(),
                       0, 0};
}

void BM_Codec_CreateRequest_Encode(benchmark::State& state) {
  CreateRequest c = SampleCreate(static_cast<size_t>(state.range(0)));
  size_t bytes = 0;
  int32_t xid = 0;
  for (auto _ : state) {
    std::string packet =
        Framed({++xid, ToInt(OpCode::kCreate)}, [&](JuteWriter& w) { c.Write(w, false); });
    bytes = packet.size();
    benchmark::DoNotOptimize(packet.data());
  }
  Count(state, bytes);
}
BENCHMARK(BM_Codec_CreateRequest_Encode)->Arg(32)->Arg(1024);

void BM_Codec_CreateRequest_Decode(benchmark::State& state) {
  CreateRequest sample = SampleCreate(static_cast<size_t>(state.range(0)));
  const std::string packet =
      Framed({7, ToInt(OpCode::kCreate)}, [&](JuteWriter& w) { sample.Write(w, false); });
  for (auto _ : state) {
    JuteReader r(std::string_view(packet).substr(4));
    RequestHeader h;
    CreateRequest c;
    if (!h.Read(r) || !c.Read(r, false)) std::abort();
    benchmark::DoNotOptimize(c);
  }
  Count(state, packet.size());
}
BENCHMARK(BM_Codec_CreateRequest_Decode)->Arg(32)->Arg(1024);

// ---- SetDataRequest; Arg = data bytes ----

void BM_Codec_SetDataRequest_Encode(benchmark::State& state) {
  SetDataRequest s{"/app/config/feature-flags",
                   std::string(static_cast<size_t>(state.range(0)), 'd'), 41, false};
  size_t bytes = 0;
  int32_t xid = 0;
  for (auto _ : state) {
    std::string packet =
        Framed({++xid, ToInt(OpCode::kSetData)}, [&](JuteWriter& w) { s.Write(w); });
    bytes = packet.size();
    benchmark::DoNotOptimize(packet.data());
  }
  Count(state, bytes);
}
BENCHMARK(BM_Codec_SetDataRequest_Encode)->Arg(32)->Arg(1024);

void BM_Codec_SetDataRequest_Decode(benchmark::State& state) {
  SetDataRequest sample{"/app/config/feature-flags",
                        std::string(static_cast<size_t>(state.range(0)), 'd'), 41, false};
  const std::string packet =
      Framed({7, ToInt(OpCode::kSetData)}, [&](JuteWriter& w) { sample.Write(w); });
  for (auto _ : state) {
    JuteReader r(std::string_view(packet).substr(4));
    RequestHeader h;
    SetDataRequest s;
    if (!h.Read(r) || !s.Read(r)) std::abort();
    benchmark::DoNotOptimize(s);
  }
  Count(state, packet.size());
}
BENCHMARK(BM_Codec_SetDataRequest_Decode)->Arg(32)->Arg(1024);

// ---- getData reply: ReplyHeader, data buffer, Stat; Arg = data bytes ----

Stat SampleStat(int32_t data_length) {
  Stat s;
  s.czxid = 0x100000010;
  s.mzxid = 0x100000abc;
  s.ctime = 1'700'000'000'000;
  s.mtime = 1'700'000'123'456;
  s.version = 41;
  s.data_length = data_length;
  s.pzxid = 0x100000010;
  return s;
}

void BM_Codec_GetDataReply_Encode(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'd');
  const Stat stat = SampleStat(static_cast<int32_t>(data.size()));
  size_t bytes = 0;
  int32_t xid = 0;
  for (auto _ : state) {
    JuteWriter w;
    w.Int(0);
    ReplyHeader{++xid, 0x100000abc, 0}.Write(w);
    w.MaybeNullBuffer(data, false);
    stat.Write(w);
    w.PatchInt(0, static_cast<int32_t>(w.size() - 4));
    bytes = w.size();
    benchmark::DoNotOptimize(w.data().data());
  }
  Count(state, bytes);
}
BENCHMARK(BM_Codec_GetDataReply_Encode)->Arg(32)->Arg(1024);

void BM_Codec_GetDataReply_Decode(benchmark::State& state) {
  JuteWriter w;
  w.Int(0);
  ReplyHeader{7, 0x100000abc, 0}.Write(w);
  w.Buffer(std::string(static_cast<size_t>(state.range(0)), 'd'));
  SampleStat(static_cast<int32_t>(state.range(0))).Write(w);
  w.PatchInt(0, static_cast<int32_t>(w.size() - 4));
  const std::string packet = w.Take();
  for (auto _ : state) {
    JuteReader r(std::string_view(packet).substr(4));
    ReplyHeader h;
    Stat stat;
    if (!h.Read(r)) std::abort();
    std::string data = r.Buffer();
    if (!stat.Read(r)) std::abort();
    benchmark::DoNotOptimize(data.data());
    benchmark::DoNotOptimize(stat);
  }
  Count(state, packet.size());
}
BENCHMARK(BM_Codec_GetDataReply_Decode)->Arg(32)->Arg(1024);

// ---- multi: Arg = ops, cycling create / setData / check / delete, 32-byte values ----

void WriteMultiBody(JuteWriter& w, int ops) {
  for (int i = 0; i < ops; ++i) {
    std::string path = "/app/batch/node-" + std::to_string(i);
    switch (i % 4) {
      case 0:
        MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
        CreateRequest{path, std::string(32, 'd'), OpenAclUnsafe(), 0, 0}.Write(w, false);
        break;
      case 1:
        MultiHeader{ToInt(OpCode::kSetData), false, -1}.Write(w);
        SetDataRequest{path, std::string(32, 'd'), -1, false}.Write(w);
        break;
      case 2:
        MultiHeader{ToInt(OpCode::kCheck), false, -1}.Write(w);
        PathAndVersion{path, 3}.Write(w);
        break;
      default:
        MultiHeader{ToInt(OpCode::kDelete), false, -1}.Write(w);
        PathAndVersion{path, -1}.Write(w);
        break;
    }
  }
  MultiHeader{-1, true, -1}.Write(w);
}

void BM_Codec_MultiRequest_Encode(benchmark::State& state) {
  const int ops = static_cast<int>(state.range(0));
  size_t bytes = 0;
  int32_t xid = 0;
  for (auto _ : state) {
    std::string packet =
        Framed({++xid, ToInt(OpCode::kMulti)}, [&](JuteWriter& w) { WriteMultiBody(w, ops); });
    bytes = packet.size();
    benchmark::DoNotOptimize(packet.data());
  }
  Count(state, bytes);
  state.counters["ops_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Codec_MultiRequest_Encode)->Arg(4)->Arg(64);

void BM_Codec_MultiRequest_Decode(benchmark::State& state) {
  const int ops = static_cast<int>(state.range(0));
  const std::string packet =
      Framed({7, ToInt(OpCode::kMulti)}, [&](JuteWriter& w) { WriteMultiBody(w, ops); });
  DecodedWrite decoded;
  for (auto _ : state) {
    decoded.multi.clear();
    // The body after the RequestHeader, as the request path hands it to the core.
    if (!DecodeWriteRequest(OpCode::kMulti, std::string_view(packet).substr(12), &decoded)) {
      std::abort();
    }
    benchmark::DoNotOptimize(decoded.multi.data());
  }
  if (decoded.multi.size() != static_cast<size_t>(ops)) std::abort();
  Count(state, packet.size());
  state.counters["ops_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Codec_MultiRequest_Decode)->Arg(4)->Arg(64);

// ---- FrameReader ----

// Many small frames in one read (a pipelining client): Args = {frames per read, frame bytes}.
void BM_Frame_SmallFramesInOneRead(benchmark::State& state) {
  const int frames = static_cast<int>(state.range(0));
  const size_t frame_bytes = static_cast<size_t>(state.range(1));
  std::string stream;
  for (int i = 0; i < frames; ++i) {
    char len[4];
    StoreBigEndian32(len, static_cast<int32_t>(frame_bytes));
    stream.append(len, 4);
    stream.append(frame_bytes, 'f');
  }
  FrameReader reader(1 << 20);
  for (auto _ : state) {
    reader.Feed(stream);
    std::string_view frame;
    int got = 0;
    while (reader.Next(&frame) == FrameReader::Status::kFrame) {
      benchmark::DoNotOptimize(frame.data());
      ++got;
    }
    if (got != frames) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * frames);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_Frame_SmallFramesInOneRead)->Args({1000, 40})->Args({1000, 300});

// One large frame (a 1 MiB setData) arriving in reads of Arg bytes (libuv reads up to 64 KiB).
void BM_Frame_LargeFrameInPieces(benchmark::State& state) {
  const size_t piece = static_cast<size_t>(state.range(0));
  const size_t frame_bytes = 1 << 20;
  std::string stream(4 + frame_bytes, 'f');
  StoreBigEndian32(stream.data(), static_cast<int32_t>(frame_bytes));
  FrameReader reader(static_cast<int64_t>(frame_bytes));
  for (auto _ : state) {
    std::string_view frame;
    bool done = false;
    for (size_t at = 0; at < stream.size(); at += piece) {
      reader.Feed(std::string_view(stream).substr(at, piece));
      if (reader.Next(&frame) == FrameReader::Status::kFrame) done = true;
    }
    if (!done || frame.size() != frame_bytes) std::abort();
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
  state.counters["reads_per_frame"] = static_cast<double>((stream.size() + piece - 1) / piece);
}
BENCHMARK(BM_Frame_LargeFrameInPieces)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zk
