// Writing snapshot files: the seal, a finished image (WriteSnapshot), and a whole tree streamed
// to the file as it is serialized (SaveSnapshot). Reading is in snapshot.cc.
#include <zlib.h>

#include <cassert>

#include "storage/snapshot.h"
#include "storage/txn_log.h"

namespace zk::storage {
namespace {

// Bytes of serialized nodes gathered before they go to the file (and are written back, see
// AtomicFile::WriteBack): a txn log fsync issued meanwhile waits behind at most one step on the
// device. Measured at 1M znodes (bench/results/snapshot_latency.txt): with 4 MB steps the set
// p99 during a snapshot was ~40 ms (about one 4 MB write on this disk), with 1 MB 12 ms, with
// 256 KB 3-5 ms (5-7x the p99 without on a quiet machine), with 64 KB 0.8 ms (1.0x). Sleeping
// after each 256 KB step as long as it took also helped (1.3x) but doubles the write; running
// the child as SCHED_IDLE did not (the bound is the shared disk, not the CPU).
constexpr size_t kStreamChunkBytes = 64 << 10;
constexpr size_t kStreamStepNodes = 512;

// long checksum, then ustring "/" (int 1, '/').
std::string Seal(uint32_t checksum) {
  std::string seal;
  AppendBigEndian64(&seal, checksum);
  AppendBigEndian32(&seal, 1);
  seal += '/';
  return seal;
}

uint32_t Adler32More(uint32_t sum, std::string_view bytes) {
  return static_cast<uint32_t>(
      adler32_z(sum, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

}  // namespace

std::string SealedSnapshot(const SnapshotImage& image) {
  uint32_t checksum = Adler32More(Adler32(image.head), image.nodes);
  return image.head + image.nodes + Seal(checksum);
}

Status WriteSnapshot(const std::string& data_dir, const SnapshotImage& image) {
  std::string dir = VersionDir(data_dir);
  if (Status s = EnsureDir(dir); !s.ok()) return s;
  std::string seal = Seal(Adler32More(Adler32(image.head), image.nodes));
  return WriteFileAtomically(dir, ZxidFileName("snapshot", image.zxid),
                             {image.head, image.nodes, seal});
}

Status SaveSnapshot(const std::string& data_dir, const DataTree& tree, const SessionMap& sessions,
                    int64_t zxid) {
  std::string dir = VersionDir(data_dir);
  if (Status s = EnsureDir(dir); !s.ok()) return s;
  SnapshotSerializer serializer(tree, sessions, zxid, {}, /*whole_image=*/false);
  serializer.CollectAcls();
  const std::string head = serializer.Head();
  AtomicFile file;
  if (Status s = file.Open(dir, ZxidFileName("snapshot", zxid)); !s.ok()) return s;
  if (Status s = file.Append(head); !s.ok()) return s;
  uint32_t checksum = Adler32(head);
  std::string chunk;
  bool done = false;
  while (!done) {
    done = serializer.Step(kStreamStepNodes);
    if (serializer.pending_bytes() < kStreamChunkBytes && !done) continue;
    serializer.TakeNodes(&chunk);  // swaps buffers: the two are reused turn about
    checksum = Adler32More(checksum, chunk);
    if (Status s = file.Append(chunk); !s.ok()) return s;
    if (Status s = file.WriteBack(); !s.ok()) return s;
  }
  SnapshotImage tail = serializer.Finish(zxid);  // its nodes: the terminator and end_zxid
  assert(tail.head == head);  // no ACL appeared that CollectAcls did not see
  checksum = Adler32More(checksum, tail.nodes);
  if (Status s = file.Append(tail.nodes); !s.ok()) return s;
  if (Status s = file.Append(Seal(checksum)); !s.ok()) return s;
  return file.Commit();
}

}  // namespace zk::storage
