// ClientServer's write path: each connection's outbox, coalesced into one uv_write per loop
// iteration (dirty connections flushed after and before each poll), TLS sealing on the secure
// port, the direct write of large replies, and the shutdown that follows a last reply.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/client_server.h"

namespace zk {

namespace {

// Replies at least this large skip the outbox when the connection is idle (Send).
constexpr size_t kDirectWriteBytes = 64 * 1024;

}  // namespace

// ---- writing ----

void ClientServer::Send(ClientConnection* c, std::string_view frame, std::string_view more) {
  if (c->state == ClientConnection::State::kClosing) return;
  size_t bytes = frame.size() + more.size();
  if (c->backlog_bytes() + bytes > limits_.buffered_bytes_per_connection_max) {
    spdlog::warn("closing {}: {} bytes of replies unread (buffered_bytes_per_connection_max {})",
                 c->stats.remote, c->backlog_bytes() + bytes,
                 limits_.buffered_bytes_per_connection_max);
    Close(c, nullptr);
    return;
  }
  if (more.size() >= kDirectWriteBytes && c->outbox.empty() && !c->write_in_flight &&
      c->state == ClientConnection::State::kSession && c->tls == nullptr) {
    // A large reply (getChildren of a wide node) on an idle connection goes to the socket from
    // the caller's buffer; only what the socket does not take at once is copied into the
    // outbox. Copying a 1.6 MB reply first cost about as much as building it. Nothing is queued
    // before it, so the order of replies holds; errors are left to the ordinary write.
    uv_buf_t bufs[2] = {uv_buf_init(const_cast<char*>(frame.data()), frame.size()),
                        uv_buf_init(const_cast<char*>(more.data()), more.size())};
    int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), bufs, 2);
    if (n > 0) {
      size_t sent = static_cast<size_t>(n);
      size_t from_frame = std::min(sent, frame.size());
      frame.remove_prefix(from_frame);
      more.remove_prefix(sent - from_frame);
      if (frame.empty() && more.empty()) return;
    }
  }
  c->outbox.append(frame);
  c->outbox.append(more);
  MarkDirty(c);
}

void ClientServer::MarkDirty(ClientConnection* c) {
  if (c->dirty) return;
  c->dirty = true;
  dirty_.push_back(c->id);
}

void ClientServer::OnFlushAfterPoll(uv_check_t* check) {
  static_cast<ClientServer*>(check->data)->FlushDirty();
}

void ClientServer::OnFlushBeforePoll(uv_prepare_t* prepare) {
  static_cast<ClientServer*>(prepare->data)->FlushDirty();
}

void ClientServer::FlushDirty() {
  std::vector<uint64_t> ids;
  ids.swap(dirty_);
  for (uint64_t id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    it->second->dirty = false;
    Flush(it->second);
  }
}

void ClientServer::Flush(ClientConnection* c) {
  if (c->state == ClientConnection::State::kClosing || c->write_in_flight) return;
  if (c->tls != nullptr) {
    // The outbox holds plaintext (nothing is answered before the handshake ends); it leaves
    // as TLS records, after whatever the handshake still has to send.
    std::string plain;
    plain.swap(c->outbox);
    c->tls->TakeOutgoing(&c->outbox);
    if (!plain.empty() && !c->tls->Seal(plain)) {
      Close(c, c->tls->error().c_str());
      return;
    }
    if (c->close_after_flush) c->tls->Shutdown();
    c->tls->TakeOutgoing(&c->outbox);
  }
  if (c->outbox.empty()) {
    if (c->close_after_flush) {
      c->state = ClientConnection::State::kClosing;
      int rc = uv_shutdown(&c->shutdown_req, reinterpret_cast<uv_stream_t*>(&c->tcp), OnShutdown);
      if (rc != 0) {
        c->state = ClientConnection::State::kFourLetter;
        Close(c, nullptr);
      }
    }
    return;
  }
  c->writing.swap(c->outbox);
  c->outbox.clear();
  uv_buf_t buf = uv_buf_init(c->writing.data(), static_cast<unsigned>(c->writing.size()));
  c->write_in_flight = true;
  c->write_req.data = c;
  int rc = uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1, OnWrite);
  if (rc != 0) {
    c->write_in_flight = false;
    Close(c, uv_strerror(rc));
  }
}

void ClientServer::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<ClientConnection*>(req->data);
  ClientServer* self = c->server;
  c->write_in_flight = false;
  c->writing.clear();
  if (c->state == ClientConnection::State::kClosing) return;
  if (status < 0) {
    self->Close(c, uv_strerror(status));
    return;
  }
  if (!c->outbox.empty() || c->close_after_flush) self->MarkDirty(c);
}

void ClientServer::OnShutdown(uv_shutdown_t* req, int) {
  auto* c = static_cast<ClientConnection*>(req->handle->data);
  ClientServer* self = c->server;
  // State is already kClosing; finish the bookkeeping and close the handle.
  c->state = ClientConnection::State::kFourLetter;
  self->Close(c, nullptr);
}

void ClientServer::CloseAfterFlush(ClientConnection* c) {
  c->close_after_flush = true;
  MarkDirty(c);
}
}  // namespace zk
