// ZooKeeper's path rules (docs/data-tree.md, Paths), applied to UTF-8 paths as the Java server
// applies them to UTF-16 chars. Pure.
#pragma once

#include <string_view>

namespace zk {

bool IsValidPath(std::string_view path);
// The four built-in nodes that can never be deleted: "/", "/zookeeper", its quota and config.
bool IsSpecialPath(std::string_view path);

}  // namespace zk
