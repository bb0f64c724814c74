#include "core/standalone.h"

#include <utility>

namespace zk {
namespace {

CoreConfig AsStandalone(CoreConfig config) {
  config.role = CoreRole::kStandalone;
  return config;
}

}  // namespace

Standalone::Standalone(CoreConfig config, int64_t first_session_id)
    : Machine(AsStandalone(std::move(config)), first_session_id) {}

void Standalone::TakeReady(Ready* out) {
  out->Clear();
  core_.TakeOutputs(&outputs_);
  for (Output& o : outputs_) {
    if (o.kind == Output::Kind::kPersist) {
      out->log_appends.push_back({o.zxid, std::move(o.body), o.session_id});
    } else {
      out->client_outputs.push_back(std::move(o));
    }
  }
  outputs_.clear();
}

}  // namespace zk
