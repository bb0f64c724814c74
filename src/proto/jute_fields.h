// One field list for both directions of a jute record. A record's fields are listed once, in
// wire order, in a generic lambda over `io`; JuteFieldWriter writes each field and
// JuteFieldReader reads into it, so a record's Write and Read are the same list and cannot drift
// apart. The reader keeps JuteReader's sticky failure: ReadFields checks ok() once at the end.
//
//   constexpr auto kXFields = [](auto& io, auto& x) {
//     io.Int(x.xid);
//     io.Long(x.zxid);
//   };
//   void X::Write(JuteWriter& w) const { WriteFields(w, *this, kXFields); }
//   bool X::Read(JuteReader& r) { return ReadFields(r, *this, kXFields); }
//
// Pure: no I/O. Each wraps a borrowed writer or reader for the length of one record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/jute.h"

namespace zk {

class JuteFieldWriter {
 public:
  static constexpr bool kReads = false;
  explicit JuteFieldWriter(JuteWriter& w) : w_(w) {}
  void Int(int32_t v) { w_.Int(v); }
  void Long(int64_t v) { w_.Long(v); }
  void Bool(bool v) { w_.Bool(v); }
  void String(std::string_view v) { w_.String(v); }
  void Buffer(std::string_view v) { w_.Buffer(v); }
  void MaybeNullBuffer(std::string_view v, bool is_null) { w_.MaybeNullBuffer(v, is_null); }
  void StringVector(const std::vector<std::string>& v) { w_.StringVector(v); }
  // An int-valued enum.
  template <typename Enum>
  void IntEnum(Enum v) {
    w_.Int(static_cast<int32_t>(v));
  }
  // A bool at the very end that old peers omit: written when `present`.
  void TrailingBool(bool v, bool present) {
    if (present) w_.Bool(v);
  }
  // A nested record (anything with Write(JuteWriter&)).
  template <typename R>
  void Record(const R& r) {
    r.Write(w_);
  }
  JuteWriter& writer() { return w_; }

 private:
  JuteWriter& w_;
};

class JuteFieldReader {
 public:
  static constexpr bool kReads = true;
  explicit JuteFieldReader(JuteReader& r) : r_(r) {}
  void Int(int32_t& v) { v = r_.Int(); }
  void Long(int64_t& v) { v = r_.Long(); }
  void Bool(bool& v) { v = r_.Bool(); }
  void String(std::string& v) { v = r_.String(); }
  void Buffer(std::string& v) { v = r_.Buffer(); }
  void MaybeNullBuffer(std::string& v, bool& is_null) { v = r_.Buffer(&is_null); }
  void StringVector(std::vector<std::string>& v) { v = r_.StringVector(); }
  template <typename Enum>
  void IntEnum(Enum& v) {
    v = static_cast<Enum>(r_.Int());
  }
  // Present when a byte is left after the rest of the record.
  void TrailingBool(bool& v, bool& present) {
    present = r_.ok() && r_.remaining() >= 1;
    if (present) v = r_.Bool();
  }
  template <typename R>
  void Record(R& r) {
    r.Read(r_);
  }
  JuteReader& reader() { return r_; }

 private:
  JuteReader& r_;
};

// A record's Write and Read through its field list (and any extra arguments the list takes).
template <typename R, typename Fields, typename... Args>
void WriteFields(JuteWriter& w, const R& record, Fields fields, Args... args) {
  JuteFieldWriter io(w);
  fields(io, record, args...);
}

template <typename R, typename Fields, typename... Args>
bool ReadFields(JuteReader& r, R& record, Fields fields, Args... args) {
  JuteFieldReader io(r);
  fields(io, record, args...);
  return r.ok();
}

}  // namespace zk
