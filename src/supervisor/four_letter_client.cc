#include "supervisor/four_letter_client.h"

#include <cstdio>
#include <cstring>

namespace pc {

namespace {

struct Query {
  static constexpr size_t kReplyBytesMax = size_t{256} * 1024;
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_connect_t connect;
  uv_write_t write;
  char word[8];
  char buffer[4096];
  std::string reply;
  FourLetterDone done;
  int open_handles = 2;
  bool finished = false;
};

void OnClosed(uv_handle_t* handle) {
  auto* q = static_cast<Query*>(handle->data);
  if (--q->open_handles == 0) {
    delete q;
  }
}

void Finish(Query* q, bool ok) {
  if (q->finished) {
    return;
  }
  q->finished = true;
  FourLetterDone done = std::move(q->done);
  std::string reply = std::move(q->reply);
  uv_timer_stop(&q->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&q->timer), OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&q->tcp), OnClosed);
  if (done) {
    done(ok, reply);
  }
}

void OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* q = static_cast<Query*>(handle->data);
  *buf = uv_buf_init(q->buffer, sizeof q->buffer);
}

void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* q = static_cast<Query*>(stream->data);
  if (nread > 0) {
    q->reply.append(buf->base, static_cast<size_t>(nread));
    if (q->reply.size() > Query::kReplyBytesMax) {
      Finish(q, false);
    }
  } else if (nread == UV_EOF) {
    Finish(q, true);
  } else if (nread < 0) {
    Finish(q, false);
  }
}

void OnWrite(uv_write_t* req, int status) {
  auto* q = static_cast<Query*>(req->data);
  if (status != 0) {
    Finish(q, false);
  }
}

void OnConnect(uv_connect_t* req, int status) {
  auto* q = static_cast<Query*>(req->data);
  if (q->finished) {
    return;
  }
  if (status != 0) {
    Finish(q, false);
    return;
  }
  uv_buf_t buf = uv_buf_init(q->word, static_cast<unsigned>(std::strlen(q->word)));
  uv_write(&q->write, reinterpret_cast<uv_stream_t*>(&q->tcp), &buf, 1, OnWrite);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&q->tcp), OnAlloc, OnRead);
}

void OnTimeout(uv_timer_t* timer) { Finish(static_cast<Query*>(timer->data), false); }

}  // namespace

void QueryFourLetter(uv_loop_t* loop, int port, const char* word, int timeout_ms,
                     FourLetterDone done) {
  auto* q = new Query();
  std::snprintf(q->word, sizeof q->word, "%s", word);
  q->done = std::move(done);
  q->tcp.data = q;
  q->timer.data = q;
  q->connect.data = q;
  q->write.data = q;
  uv_tcp_init(loop, &q->tcp);
  uv_timer_init(loop, &q->timer);
  uv_timer_start(&q->timer, OnTimeout, timeout_ms, 0);
  sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", port, &addr);
  int rc =
      uv_tcp_connect(&q->connect, &q->tcp, reinterpret_cast<const sockaddr*>(&addr), OnConnect);
  if (rc != 0) {
    Finish(q, false);
  }
}

}  // namespace pc
