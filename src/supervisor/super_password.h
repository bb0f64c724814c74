// SuperPassword: the password of ZooKeeper's super user for a cluster started with
// `up --reconfig`. Only the super user (or skipACL) may reconfigure, so `add` and `remove` log in
// as super. The password is made once, kept in <cluster dir>/super.password (mode 0600, only the
// owner reads it), and every member's zoo.cfg carries its digest
// (DigestAuthenticationProvider.superDigest=super:<base64 sha1>), never the password itself.
#pragma once

#include <string>

namespace pc {

std::string SuperPasswordPath(const std::string& cluster_dir);

// Reads the password, making it first (24 random characters from /dev/urandom) when the file is
// missing. Returns an empty string or one line naming the file and what failed.
std::string EnsureSuperPassword(const std::string& cluster_dir, std::string* password);

// The password in the file; empty when there is none.
std::string ReadSuperPassword(const std::string& cluster_dir);

// "super:<base64 sha1 of super:password>", the value of the superDigest key.
std::string SuperDigest(const std::string& password);

}  // namespace pc
