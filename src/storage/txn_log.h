// The transaction log, in ZooKeeper's format (docs/storage.md, Transaction log), so a ZooKeeper
// user recognises it:
//   <dataLogDir>/version-2/log.<hex zxid of the file's first entry>
//   FileHeader{int magic "ZKLG" 0x5A4B4C47, int version 2, long dbid 0}
//   entries: long Adler32(txn bytes), int length, txn bytes (TxnHeader + record), byte 0x42
//   then zeros: the file is preallocated, and a length-0 entry marks the end.
//
// TxnLog is the writer, with group commit: Append() any number of entries (buffered in memory,
// no syscall), then Sync() = one pwrite of the whole batch + one fdatasync (skipped with
// forceSync=no). Nothing appended may be acknowledged before the Sync() that covers it returns
// ok. Preallocation grows the file in `preallocate_bytes` steps before the write, so the sync
// does not also have to persist a size change on every batch.
// A failed Sync() keeps the batch: the next Sync() rewrites the whole batch at the same offset
// and syncs again (never trusting a failed fsync), so a full disk can heal without losing order.
//
// TxnLogReader iterates entries from a zxid across files in order and tells a torn tail (a crash
// in the middle of the last, unacknowledged write) from corruption (anything before it):
//   - in the newest file, a length-0 entry or a bad entry followed only by zeros / EOF is the
//     torn tail: iteration ends, torn_tail() says where and how many bytes are dropped;
//   - anywhere else, a bad checksum, a missing 0x42, a short entry, or a zxid that does not
//     follow the previous one (a missing file in the middle) is an error naming file and offset.
// "Follows": zxid == previous + 1, or the first zxid of a newer epoch (counter 1).
//
// Sync() in two halves, for a server that keeps appending while a batch is on its way to disk:
// BeginSync() (owner thread) moves the pending batch into a SyncJob; SyncJob::Run() (any thread;
// it touches only the job and the open file) preallocates, writes and syncs it; EndSync() (owner
// thread) records the result. Between the two, Append() goes on filling the next batch. A failed
// job goes back in front of the pending batch, as after a failed Sync(). At most one job at a
// time; Roll() and DiscardPending() need none in flight.
//
// Threads: one owner per object; only SyncJob::Run() may run elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/disk.h"
#include "storage/status.h"

namespace zk::storage {

inline constexpr int32_t kTxnLogMagic = 0x5A4B4C47;  // "ZKLG"
inline constexpr int32_t kTxnLogVersion = 2;
inline constexpr int64_t kFileHeaderBytes = 16;
inline constexpr uint8_t kEntryEnd = 0x42;
// No txn is larger than this (ZooKeeper's jute.maxbuffer is 1 MiB; a multi can be a few MiB).
inline constexpr int32_t kTxnBytesMax = 64 << 20;

// Adler32 (zlib) as ZooKeeper stores it: a long holding the unsigned 32-bit value.
uint32_t Adler32(std::string_view bytes);
// The zxid inside an encoded txn (TxnHeader: long clientId, int cxid, long zxid, ...); -1 if short.
int64_t TxnZxid(std::string_view txn_bytes);
// b follows a: same epoch and counter + 1, or a newer epoch starting at counter 1.
bool ZxidFollows(int64_t a, int64_t b);

// After how many entries in one file the log rolls and a snapshot starts, for the roll-th roll
// of this server (0 = the first file). ZooKeeper draws it anew after every snapshot from
// [snapCount/2 + 1, snapCount] at random so members do not snapshot together; here it is a hash
// of (myid, roll), deterministic from run to run, over the same range. At least 1.
int64_t RollAfterEntries(int64_t snap_count, int64_t server_id, int64_t roll);

struct TxnLogOptions {
  int64_t preallocate_bytes = 64 << 20;  // zookeeper.preAllocSize
  bool force_sync = true;                // forceSync
};

// One batch on its way to disk (see BeginSync).
struct SyncJob {
  int fd = -1;
  std::string path;
  std::string bytes;
  int64_t offset = 0;
  int64_t allocate_from = 0;  // preallocate [allocate_from, allocate_to) first, if non-empty
  int64_t allocate_to = 0;
  bool force_sync = true;
  std::string sync_dir;  // also sync this directory (the file is new), if not empty
  size_t entries = 0;
  int64_t last_zxid = 0;
  Status status;  // set by Run()

  void Run();
};

class TxnLog {
 public:
  // `data_log_dir` is zoo.cfg's dataLogDir; files go to its version-2 directory (created).
  // No file is opened until the first Append: a restarted server always starts a new file,
  // named after its first entry, as ZooKeeper does.
  TxnLog(std::string data_log_dir, TxnLogOptions options = {});
  ~TxnLog();
  TxnLog(const TxnLog&) = delete;
  TxnLog& operator=(const TxnLog&) = delete;

  // Buffers one entry. `txn_bytes` is Txn::Encode() whose header zxid is `zxid`; zxids must
  // increase. No syscall, except to create the next file when none is open.
  Status Append(int64_t zxid, std::string_view txn_bytes);
  // Makes every appended entry durable: one write, one fdatasync. Ok with nothing pending.
  Status Sync();
  // The two halves of Sync() (see the top of this file). BeginSync() returns false with nothing
  // pending or a job already out; EndSync() takes the job back after Run(), and returns its status.
  bool BeginSync(SyncJob* job);
  Status EndSync(SyncJob* job);
  bool sync_in_flight() const { return in_flight_; }
  // Syncs, then closes the current file; the next Append starts `log.<its zxid>`. The caller
  // rolls after snapCount entries (entries_in_file()) and takes a snapshot at the same point.
  Status Roll();
  // Gives up the batch a failed Sync() left (the server dropped those txns and will reuse their
  // zxids): the file is cut back to the end of its last synced entry (removed if it has none),
  // so no part of the batch can be read back after a crash or survive under a later batch.
  Status DiscardPending();

  int64_t last_appended_zxid() const { return last_appended_zxid_; }
  int64_t last_synced_zxid() const { return last_synced_zxid_; }
  size_t pending_entries() const { return pending_entries_; }
  size_t pending_bytes() const { return buffer_.size(); }
  int64_t entries_in_file() const { return entries_in_file_; }
  const std::string& current_file() const { return path_; }  // empty when none is open
  const std::string& dir() const { return dir_; }

 private:
  Status OpenFile(int64_t first_zxid);
  void CloseFile();

  std::string dir_;
  TxnLogOptions options_;
  std::string path_;
  int fd_ = -1;
  bool dir_synced_ = false;   // the new file's directory entry is durable
  int64_t write_offset_ = 0;  // where buffer_ goes
  int64_t allocated_ = 0;     // file size after preallocation
  std::string buffer_;        // the pending batch
  std::string spare_;         // a written batch's buffer, kept for its capacity
  bool in_flight_ = false;    // a SyncJob is out
  size_t pending_entries_ = 0;
  int64_t pending_last_zxid_ = 0;
  int64_t entries_in_file_ = 0;
  int64_t last_appended_zxid_ = 0;
  int64_t last_synced_zxid_ = 0;
};

struct TxnLogEntry {
  int64_t zxid = 0;
  std::string_view bytes;  // valid until the next call to Next()
  std::string_view file;   // path of the file it came from
  int64_t offset = 0;      // byte offset of the entry in that file
};

// Where the log ends in a torn write: truncate `file` to `offset` (TruncateLog). `bytes_dropped`
// counts the non-zero bytes from offset on — the size of what the crash left half written.
struct TornTail {
  std::string file;
  int64_t offset = -1;
  int64_t bytes_dropped = 0;
  bool file_has_entries = true;  // false: nothing valid remains in it (delete the file)
  bool present() const { return offset >= 0; }
};

class TxnLogReader {
 public:
  // Entries with zxid >= from_zxid, from the newest file starting at or before it onward.
  TxnLogReader(const std::string& data_log_dir, int64_t from_zxid);
  ~TxnLogReader();
  TxnLogReader(const TxnLogReader&) = delete;
  TxnLogReader& operator=(const TxnLogReader&) = delete;

  // The next entry; false at the end of the log or on an error — check status().
  bool Next(TxnLogEntry* out);
  const Status& status() const { return status_; }
  const TornTail& torn_tail() const { return torn_; }
  int64_t last_zxid() const { return last_zxid_; }  // last entry returned (or seen), 0 if none
  int64_t bytes_read() const { return bytes_read_; }  // from every file so far
  // The files the reader will visit, oldest first.
  const std::vector<ZxidFile>& files() const { return files_; }

 private:
  bool OpenNext();
  void CloseFile();
  // Makes the current file's bytes [0, end) readable in data_ (fewer at its end); false on a
  // read error (status() says which). LoadAll: the whole file.
  bool Load(int64_t end);
  bool LoadAll() { return Load(file_size_); }
  // Loads the rest of the file; *zeros: only zero bytes from `from` on; *end (if given): one past
  // the last non-zero byte there (`from` when zeros). False on a read error.
  bool ZerosFrom(int64_t from, bool* zeros, int64_t* end = nullptr);
  bool Fail(int64_t offset, const std::string& what);
  bool EndOfFile(int64_t offset, const std::string& bad);

  std::vector<ZxidFile> files_;
  size_t next_file_ = 0;
  int64_t from_zxid_;
  int fd_ = -1;
  int64_t file_size_ = 0;
  int64_t bytes_read_ = 0;
  std::string data_;  // the current file's first bytes, as far as read; capacity: the file
  std::string current_path_;
  int64_t pos_ = 0;
  bool in_file_ = false;
  bool done_ = false;
  int64_t last_zxid_ = 0;
  bool have_last_ = false;
  bool file_had_entry_ = false;
  Status status_;
  TornTail torn_;
};

// Truncates a log file at `offset` (a torn tail) and syncs it; `offset` <= the header removes
// the file instead.
Status TruncateLog(const std::string& file, int64_t offset);

}  // namespace zk::storage
