#include "tree/acl.h"

#include <array>
#include <cstring>

namespace zk {
namespace {

uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

bool ParseIpv4(std::string_view s, uint32_t* out) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('.', i);
    if (j == std::string_view::npos) j = s.size();
    if (j == i || j - i > 3) return false;
    uint32_t octet = 0;
    for (size_t k = i; k < j; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      octet = octet * 10 + static_cast<uint32_t>(s[k] - '0');
    }
    if (octet > 255) return false;
    v = (v << 8) | octet;
    ++parts;
    i = j + 1;
    if (j == s.size()) break;
  }
  if (parts != 4) return false;
  *out = v;
  return true;
}

}  // namespace

std::string Sha1(std::string_view data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg(data);
  uint64_t bit_len = static_cast<uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>(bit_len >> (i * 8)));
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(&msg[off + 4 * i]);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::string out(20, '\0');
  for (int i = 0; i < 5; ++i) {
    out[4 * i] = static_cast<char>(h[i] >> 24);
    out[4 * i + 1] = static_cast<char>(h[i] >> 16);
    out[4 * i + 2] = static_cast<char>(h[i] >> 8);
    out[4 * i + 3] = static_cast<char>(h[i]);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  while (i + 2 < bytes.size()) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
    i += 3;
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string DigestId(std::string_view user_password) {
  auto colon = user_password.find(':');
  std::string_view user = user_password.substr(0, colon);
  return std::string(user) + ":" + Base64(Sha1(user_password));
}

bool IsSuper(const std::vector<Id>& auth) {
  for (const auto& id : auth) {
    if (id.scheme == "super") return true;
  }
  return false;
}

bool IpMatches(std::string_view pattern, std::string_view client_ip) {
  uint32_t bits = 32;
  auto slash = pattern.find('/');
  std::string_view addr = pattern.substr(0, slash);
  if (slash != std::string_view::npos) {
    bits = 0;
    auto b = pattern.substr(slash + 1);
    if (b.empty() || b.size() > 2) return false;
    for (char c : b) {
      if (c < '0' || c > '9') return false;
      bits = bits * 10 + static_cast<uint32_t>(c - '0');
    }
    if (bits > 32) return false;
  }
  uint32_t want = 0, have = 0;
  if (!ParseIpv4(addr, &want) || !ParseIpv4(client_ip, &have)) return addr == client_ip;
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (want & mask) == (have & mask);
}

bool CheckAcl(const AclList& acl, int32_t perm, const std::vector<Id>& auth) {
  if (IsSuper(auth)) return true;
  if (acl.empty()) return true;
  for (const auto& a : acl) {
    if ((a.perms & perm) == 0) continue;
    const Id& id = a.id;
    if (id.scheme == "world" && id.id == "anyone") return true;
    for (const auto& mine : auth) {
      if (mine.scheme != id.scheme) continue;
      if (id.scheme == "ip" ? IpMatches(id.id, mine.id) : id.id == mine.id) return true;
      // SASLAuthenticationProvider.matches: the sasl user named "super" passes every sasl entry.
      if (id.scheme == "sasl" && mine.id == "super") return true;
    }
  }
  return false;
}

bool IsValidSaslId(std::string_view id) {
  auto at = id.find('@');
  if (at == std::string_view::npos) return true;
  std::string_view name = id.substr(0, at), realm = id.substr(at + 1);
  if (realm.find_first_of("/@") != std::string_view::npos) return false;
  auto slash = name.find('/');
  return slash == std::string_view::npos || name.find('/', slash + 1) == std::string_view::npos;
}

bool FixupAcl(const AclList& in, const std::vector<Id>& auth, AclList* out, bool sasl_scheme) {
  out->clear();
  if (in.empty()) return false;
  // Duplicates count once; a single entry (the usual case) needs no copy to find out.
  AclList deduplicated;
  if (in.size() > 1) {
    for (const auto& a : in) {
      bool seen = false;
      for (const auto& u : deduplicated) seen = seen || u == a;
      if (!seen) deduplicated.push_back(a);
    }
  }
  const AclList& unique = in.size() > 1 ? deduplicated : in;
  out->reserve(unique.size());
  for (const auto& a : unique) {
    const Id& id = a.id;
    if (id.scheme == "world" && id.id == "anyone") {
      out->push_back(a);
    } else if (id.scheme == "auth") {
      bool any = false;
      for (const auto& mine : auth) {
        if (mine.scheme == "digest" || mine.scheme == "super" ||
            (sasl_scheme && mine.scheme == "sasl")) {
          out->push_back(Acl{a.perms, mine});
          any = true;
        }
      }
      if (!any) return false;
    } else if (id.scheme == "digest") {
      // Exactly "user:hash" (ZooKeeper splits on ':' and wants two parts).
      auto colon = id.id.find(':');
      if (colon == std::string::npos || colon + 1 == id.id.size() ||
          id.id.find(':', colon + 1) != std::string::npos) {
        return false;
      }
      out->push_back(a);
    } else if (id.scheme == "sasl" && sasl_scheme) {
      if (!IsValidSaslId(id.id)) return false;
      out->push_back(a);
    } else if (id.scheme == "ip") {
      uint32_t ignored;
      auto slash = id.id.find('/');
      if (!ParseIpv4(std::string_view(id.id).substr(0, slash), &ignored)) return false;
      if (slash != std::string::npos && !IpMatches(id.id, "0.0.0.0") &&
          !IpMatches(id.id, std::string_view(id.id).substr(0, slash))) {
        return false;  // bad prefix length
      }
      out->push_back(a);
    } else {
      return false;  // no such authentication provider
    }
  }
  return true;
}

namespace {

bool IsWorldAnyone(const AclList& list, int32_t perms) {
  return list.size() == 1 && list[0].perms == perms && list[0].id.scheme == "world" &&
         list[0].id.id == "anyone";
}

const std::shared_ptr<const AclList>& SharedOpen() {
  static const auto* open = new std::shared_ptr<const AclList>(
      std::make_shared<const AclList>(OpenAclUnsafe()));
  return *open;
}

const std::shared_ptr<const AclList>& SharedEmpty() {
  static const auto* empty =
      new std::shared_ptr<const AclList>(std::make_shared<const AclList>());
  return *empty;
}

const std::shared_ptr<const AclList>& SharedRead() {
  static const auto* read = new std::shared_ptr<const AclList>(
      std::make_shared<const AclList>(ReadAclUnsafe()));
  return *read;
}

}  // namespace

SharedAcl::SharedAcl() : list_(SharedEmpty()) {}

SharedAcl SharedAcl::Open() { return SharedAcl(SharedOpen()); }

SharedAcl::SharedAcl(AclList list) {
  if (IsWorldAnyone(list, perm::kAll)) {
    list_ = SharedOpen();
  } else if (IsWorldAnyone(list, perm::kRead)) {
    list_ = SharedRead();
  } else {
    list_ = std::make_shared<const AclList>(std::move(list));
  }
}

bool FixupAcl(const AclList& in, const std::vector<Id>& auth, SharedAcl* out, bool sasl_scheme) {
  if (IsWorldAnyone(in, perm::kAll)) {
    *out = SharedAcl::Open();
    return true;
  }
  AclList fixed;
  if (!FixupAcl(in, auth, &fixed, sasl_scheme)) return false;
  *out = SharedAcl(std::move(fixed));
  return true;
}

}  // namespace zk
