#include "loadgen/chaos_client.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <utility>

namespace pc::loadgen {

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

void RegisterClient::Run() {
  const double per_client = options_.rate / std::max(1, options_.clients);
  const int64_t gap_ns = per_client > 0 ? static_cast<int64_t>(1e9 / per_client) : 0;
  int64_t next = shared_->Since();
  while (!shared_->stop) {
    if (!client_ || !client_->usable()) {
      if (client_) {
        process_ += options_.clients;  // the session expired: a new process
      }
      client_.reset();
      std::string error;
      client_ = ZkClient::Connect(hosts_, kSessionTimeoutMs, 2000, &error);
      if (!client_) {
        SleepMs(200);
        continue;
      }
      if (options_.workload == "session") {
        Listen();
      }
    }
    if (!client_->connected()) {
      // Between servers: an op now would only come back as a connection loss at once (an
      // info, for a write) and tell nothing. Wait for the client to reconnect.
      SleepMs(20);
      continue;
    }
    const int64_t now = shared_->Since();
    if (now < next) {
      SleepMs((next - now) / 1'000'000 + 1);
    }
    next = std::max(next + gap_ns, shared_->Since());
    if (shared_->stop) {
      break;
    }
    OneOp();
  }
  if (options_.workload == "session") {
    FinalWrite();
  }
  client_.reset();
}

void RegisterClient::OneOp() {
  chaos::Op op;
  op.process = process_;
  op.session = client_->SessionId();
  if (options_.workload == "sequential") {
    CreateOp(&op);
    return Record(std::move(op));
  }
  if (options_.workload == "session") {
    return SessionOp(std::move(op));
  }
  const int pick = static_cast<int>(rng_() % 10);
  op.kind = pick < 4   ? chaos::OpKind::kRead
            : pick < 7 ? chaos::OpKind::kWrite
                       : chaos::OpKind::kCas;
  op.invoke_ns = shared_->Since();
  int rc = ZOK;
  const int t = options_.op_timeout_ms;
  if (op.kind == chaos::OpKind::kRead) {
    std::string data;
    int32_t version = -1;
    rc = client_->Get(kRegister, t, &data, &version);
    op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
    if (rc == ZOK) {
      op.value = std::atoll(data.c_str());
      op.version = version;
    }
  } else if (op.kind == chaos::OpKind::kWrite) {
    op.value = static_cast<int64_t>(rng_() % kValues);
    int32_t version = -1;
    rc = client_->Set(kRegister, std::to_string(op.value), -1, t, &version);
    op.result = WriteResult(rc);
    if (rc == ZOK) {
      op.version = version;
    }
  } else {
    op.from = static_cast<int64_t>(rng_() % kValues);
    op.value = static_cast<int64_t>(rng_() % kValues);
    std::string data;
    int32_t seen = -1;
    rc = client_->Get(kRegister, t, &data, &seen);
    if (rc != ZOK) {
      op.result = chaos::Result::kFail;  // nothing was written
    } else {
      op.read_value = std::atoll(data.c_str());
      op.read_version = seen;
      if (*op.read_value != op.from) {
        op.result = chaos::Result::kFail;
      } else {
        int32_t version = -1;
        rc = client_->Set(kRegister, std::to_string(op.value), seen, t, &version);
        op.result = rc == ZBADVERSION ? chaos::Result::kFail : WriteResult(rc);
        if (rc == ZOK) {
          op.version = version;
        }
      }
    }
  }
  op.complete_ns = shared_->Since();
  if (rc != ZOK) {
    op.error = zerror(rc);
  }
  Record(std::move(op));
}

void RegisterClient::CreateOp(chaos::Op* op) {
  op->kind = chaos::OpKind::kCreate;
  op->path = std::string(kSequential) + "/p" + std::to_string(process_) + "-";
  op->invoke_ns = shared_->Since();
  std::string created;
  const int rc = client_->Create(op->path, "", ZOO_SEQUENCE, options_.op_timeout_ms, &created);
  op->complete_ns = shared_->Since();
  op->result = rc == ZNODEEXISTS || rc == ZNONODE ? chaos::Result::kFail : WriteResult(rc);
  if (rc == ZOK) {
    op->created = created;
  } else {
    op->error = zerror(rc);
  }
}

void RegisterClient::Listen() {
  const std::string session = client_->SessionId();
  const int64_t process = process_;
  watch_armed_ = false;  // a new session has no watches
  client_->OnEvent([this, session, process](int type, int state, const std::string& path) {
    std::lock_guard<std::mutex> lock(events_mu_);
    const int64_t now = shared_->Since();
    if (type == ZOO_SESSION_EVENT) {
      if (state == ZOO_EXPIRED_SESSION_STATE) {
        ends_.push_back({0, process, session, "expired", now});
      }
      return;
    }
    const char* event = type == ZOO_CREATED_EVENT   ? "NodeCreated"
                        : type == ZOO_DELETED_EVENT ? "NodeDeleted"
                        : type == ZOO_CHANGED_EVENT ? "NodeDataChanged"
                        : type == ZOO_CHILD_EVENT   ? "NodeChildrenChanged"
                                                    : nullptr;
    if (event != nullptr) {
      notes_.push_back({0, process, session, path, event, now});
    }
    if (path == kWatched) {
      watch_armed_ = false;
    }
  });
}

void RegisterClient::SessionOp(chaos::Op op) {
  const int t = options_.op_timeout_ms;
  int pick = static_cast<int>(rng_() % 100);
  if (pick >= 25 && pick < 45 && own_.empty()) {
    pick = 0;
  }
  // One watch armed at a time: a second exists-watch issued while one is armed may reach the
  // server after a change whose notification fires the first, and the history could not tell
  // which watch a notification belongs to. So a session re-arms only after it fired.
  if (pick >= 45 && pick < 65 && watch_armed_) {
    pick = 70;
  }
  op.invoke_ns = shared_->Since();
  int rc = ZOK;
  if (pick < 25) {
    op.kind = chaos::OpKind::kCreate;
    op.ephemeral = true;
    op.path = std::string(kEphemerals) + "/p" + std::to_string(process_) + "-" +
              std::to_string(created_++);
    std::string created;
    rc = client_->Create(op.path, "", ZOO_EPHEMERAL, t, &created);
    op.result = rc == ZNODEEXISTS || rc == ZNONODE ? chaos::Result::kFail : WriteResult(rc);
    if (rc == ZOK) {
      op.created = created;
      own_.push_back(created);
    }
  } else if (pick < 45) {
    op.kind = chaos::OpKind::kExists;
    op.path = own_[rng_() % own_.size()];
    int32_t version = -1;
    rc = client_->Exists(op.path, false, t, &version);
    op.result = rc == ZOK ? chaos::Result::kOk : chaos::Result::kFail;
    op.exists = version >= 0;
  } else if (pick < 65) {
    op.kind = chaos::OpKind::kWatch;
    op.path = kWatched;
    op.watch_kind = "data";
    int32_t version = -1;
    watch_armed_ = true;  // before the request: its notification may beat its answer
    rc = client_->Exists(kWatched, true, t, &version);
    // A watch whose answer never came may still have been set: info.
    op.result = rc == ZOK ? chaos::Result::kOk : WriteResult(rc);
    if (rc == ZOK) {
      op.version = version;
    }
  } else if (pick < 97) {
    rc = WriteWatched(&op);
  } else {
    op.kind = chaos::OpKind::kClose;
    // zookeeper_close sends closeSession only over a live connection; without one the
    // session just times out later, so the close is not known to have happened.
    const bool was_connected = client_->connected();
    rc = client_->Close();
    op.result = rc == ZOK && was_connected ? chaos::Result::kOk : chaos::Result::kInfo;
    own_.clear();
    watch_armed_ = false;
  }
  op.complete_ns = shared_->Since();
  if (rc != ZOK) {
    op.error = zerror(rc);
  }
  const bool closed = op.kind == chaos::OpKind::kClose;
  Record(std::move(op));
  if (closed) {
    client_.reset();
    if (ops_.back().ok()) {
      process_ += options_.clients;  // a new session: a new process
    }
  }
}

int RegisterClient::WriteWatched(chaos::Op* op) {
  op->kind = chaos::OpKind::kWrite;
  op->path = kWatched;
  op->value = static_cast<int64_t>(rng_() % kValues);
  int32_t version = -1;
  const int rc =
      client_->Set(kWatched, std::to_string(op->value), -1, options_.op_timeout_ms, &version);
  op->result = WriteResult(rc);
  if (rc == ZOK) {
    op->version = version;
  }
  return rc;
}

void RegisterClient::FinalWrite() {
  while (!shared_->final_write && !shared_->release) {
    SleepMs(20);
  }
  for (int i = 0; i < 200 && client_ && client_->usable() && !client_->connected(); ++i) {
    SleepMs(50);
  }
  if (client_ && client_->usable() && !shared_->release) {
    chaos::Op op;
    op.process = process_;
    op.session = client_->SessionId();
    op.invoke_ns = shared_->Since();
    const int rc = WriteWatched(&op);
    op.complete_ns = shared_->Since();
    if (rc != ZOK) {
      op.error = zerror(rc);
    }
    Record(std::move(op));
  }
  ++shared_->final_done;
  while (!shared_->release) {
    SleepMs(20);
  }
}

void RegisterClient::Record(chaos::Op op) {
  (op.ok() ? shared_->ok : op.fail() ? shared_->fail : shared_->info)++;
  if (op.info()) {
    process_ += options_.clients;
  }
  ops_.push_back(std::move(op));
}

chaos::Result RegisterClient::WriteResult(int rc) {
  if (rc == ZOK) {
    return chaos::Result::kOk;
  }
  if (rc == ZINVALIDSTATE || rc == ZSESSIONEXPIRED || rc == ZBADARGUMENTS) {
    return chaos::Result::kFail;
  }
  return chaos::Result::kInfo;
}

}  // namespace pc::loadgen
