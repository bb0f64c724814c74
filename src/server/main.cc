// zkd: a ZooKeeper-compatible server. Usage: zkd zoo.cfg
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: zkd <zoo.cfg>\n");
    return 2;
  }
  std::fprintf(stderr, "zkd: not yet able to serve\n");
  return 1;
}
