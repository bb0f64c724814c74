#include "supervisor/super_password.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "tree/acl.h"

namespace pc {

std::string SuperPasswordPath(const std::string& cluster_dir) {
  return cluster_dir + "/super.password";
}

std::string ReadSuperPassword(const std::string& cluster_dir) {
  std::ifstream in(SuperPasswordPath(cluster_dir));
  std::string password;
  std::getline(in, password);
  return password;
}

std::string EnsureSuperPassword(const std::string& cluster_dir, std::string* password) {
  *password = ReadSuperPassword(cluster_dir);
  if (!password->empty()) return {};
  const std::string path = SuperPasswordPath(cluster_dir);
  // Letters and digits only: the password goes into "super:<password>" auth data unquoted.
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char random[24];
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(random), sizeof random)) {
    return "cannot read /dev/urandom for the super password";
  }
  for (unsigned char byte : random) password->push_back(kAlphabet[byte % (sizeof kAlphabet - 1)]);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
  const std::string line = *password + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return "cannot write " + path + ": " + std::strerror(errno);
  return {};
}

std::string SuperDigest(const std::string& password) {
  return zk::DigestId("super:" + password);
}

}  // namespace pc
