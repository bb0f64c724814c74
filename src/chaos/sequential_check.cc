#include "chaos/sequential_check.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace pc::chaos {
namespace {

// ZooKeeper's sequential suffix: 10 characters.
constexpr size_t kSuffixChars = 10;
// A limit on output: names shown in one problem.
constexpr size_t kNamesShownMax = 10;

std::string Prefix(const std::string& name) {
  return name.size() >= kSuffixChars ? name.substr(0, name.size() - kSuffixChars) : name;
}

std::string Members(const std::vector<int>& members) {
  std::string s;
  for (int m : members) {
    s += (s.empty() ? "" : ", ") + std::to_string(m);
  }
  return s;
}

template <typename Container>
std::string Names(const Container& names) {
  std::string s;
  size_t shown = 0;
  for (const auto& n : names) {
    if (shown++ == kNamesShownMax) {
      s += " and " + std::to_string(names.size() - kNamesShownMax) + " more";
      break;
    }
    s += (s.empty() ? "" : ", ") + std::string(n);
  }
  return s;
}

struct Parent {
  std::vector<const Op*> creates;
  std::map<int, const Listing*> listings;  // member → its (last) listing
};

class ParentCheck {
 public:
  ParentCheck(const std::string& path, const Parent& parent, const Setup& setup, CheckResult* out)
      : path_(path), parent_(parent), setup_(setup), out_(out) {}

  void Run() {
    ReadCreates();
    ReadListings();
    Missing();
    Disagreeing();
    Unclaimed();
    Gaps();
    Order();
  }

 private:
  void ReadCreates() {
    for (const Op* op : parent_.creates) {
      if (op->info()) {
        ++info_by_prefix_[Basename(op->path)];
      }
      if (op->info() && op->ephemeral) {
        ++ephemeral_info_;
      }
      if (!op->ok()) {
        continue;
      }
      std::string name = Basename(op->created);
      std::optional<int64_t> number = SequenceNumber(name);
      if (op->created.size() != op->path.size() + kSuffixChars ||
          op->created.compare(0, op->path.size(), op->path) != 0 || !number) {
        out_->Add({"create-bad-name",
                   DescribeOp(*op) + ": the name is not the requested " + op->path +
                       " followed by a 10-digit sequence number",
                   {op->id}});
        continue;
      }
      auto [it, fresh] = ok_by_name_.emplace(name, op);
      if (!fresh) {
        out_->Add({"duplicate-name",
                   "two ok creates got the name " + op->created + ": " + DescribeOp(*it->second) +
                       " and " + DescribeOp(*op),
                   {it->second->id, op->id}});
        continue;
      }
      if (op->ephemeral) {
        ephemeral_numbers_.insert(*number);
      }
    }
  }

  void ReadListings() {
    for (const auto& [member, listing] : parent_.listings) {
      for (const std::string& name : listing->children) {
        present_[name].push_back(member);
      }
    }
  }

  // Every ok (persistent) create's node is on every member.
  void Missing() {
    for (const auto& [name, op] : ok_by_name_) {
      if (op->ephemeral) {
        continue;  // may have gone with its session: the session check's part
      }
      std::vector<int> lacking;
      for (const auto& [member, listing] : parent_.listings) {
        const auto& children = listing->children;
        if (std::find(children.begin(), children.end(), name) == children.end()) {
          lacking.push_back(member);
        }
      }
      if (!lacking.empty()) {
        out_->Add({"create-missing",
                   DescribeOp(*op) + ": its node is missing on member(s) " + Members(lacking) +
                       " after the final heal",
                   {op->id}});
      }
    }
  }

  // Members list the same children (names no ok create returned; those are Missing's).
  void Disagreeing() {
    std::vector<std::string> partial;
    for (const auto& [name, members] : present_) {
      if (members.size() != parent_.listings.size() && !ok_by_name_.count(name)) {
        partial.push_back(name + " (on " + Members(members) + ")");
      }
    }
    if (!partial.empty()) {
      out_->Add(
          {"members-disagree",
           "the members' final listings of " + path_ + " differ: only some list " + Names(partial),
           {}});
    }
  }

  // Every node present was made by an ok create, or one info create with its prefix.
  void Unclaimed() {
    std::map<std::string, std::vector<std::string>> unclaimed;  // prefix → names
    for (const auto& [name, members] : present_) {
      std::optional<int64_t> number = SequenceNumber(name);
      if (number && *number < setup_.initial_cversion) {
        continue;  // there before the run
      }
      if (!ok_by_name_.count(name)) {
        unclaimed[Prefix(name)].push_back(name);
      }
    }
    for (const auto& [prefix, names] : unclaimed) {
      int explained = info_by_prefix_.count(prefix) ? info_by_prefix_.at(prefix) : 0;
      if (static_cast<int>(names.size()) <= explained) {
        continue;
      }
      out_->Add({"unexplained-node",
                 std::to_string(names.size()) + " node(s) under " + path_ + " (" + Names(names) +
                     ") that no ok create returned, and only " + std::to_string(explained) +
                     " create(s) of " + path_ + "/" + prefix + " with unknown outcome",
                 {}});
    }
  }

  // The numbers from initial_cversion on are contiguous; only an ephemeral create's may be gone.
  void Gaps() {
    std::set<int64_t> accounted = ephemeral_numbers_;
    for (const auto& [name, members] : present_) {
      std::optional<int64_t> number = SequenceNumber(name);
      if (number && *number >= setup_.initial_cversion) {
        accounted.insert(*number);
      }
    }
    if (accounted.empty()) {
      return;
    }
    std::vector<std::string> gaps;
    size_t gap_count = 0;
    int64_t expected = setup_.initial_cversion;
    for (int64_t n : accounted) {
      for (; expected < n; ++expected) {
        ++gap_count;
        if (gaps.size() < kNamesShownMax) {
          gaps.push_back(std::to_string(expected));
        }
      }
      expected = n + 1;
    }
    if (gap_count <= static_cast<size_t>(ephemeral_info_)) {
      return;
    }
    std::string text = "no node under " + path_ + " has number(s) " + Names(gaps);
    if (gap_count > gaps.size()) {
      text += " (" + std::to_string(gap_count) + " in all)";
    }
    text +=
        ", though ZooKeeper's counter moves only on a committed create and is not rewound "
        "by deletes";
    if (ephemeral_info_ > 0) {
      text += " (" + std::to_string(ephemeral_info_) +
              " ephemeral create(s) with unknown outcome explain as many)";
    }
    out_->Add({"sequence-gap", text, {}});
  }

  // A create that completed before another was invoked has the lower number.
  void Order() {
    std::vector<std::pair<const Op*, int64_t>> creates;
    for (const auto& [name, op] : ok_by_name_) {
      creates.emplace_back(op, *SequenceNumber(name));
    }
    std::vector<std::pair<const Op*, int64_t>> by_completion = creates;
    std::sort(by_completion.begin(), by_completion.end(), [](const auto& a, const auto& b) {
      return a.first->complete_ns < b.first->complete_ns;
    });
    std::sort(creates.begin(), creates.end(),
              [](const auto& a, const auto& b) { return a.first->invoke_ns < b.first->invoke_ns; });
    size_t done = 0;
    const std::pair<const Op*, int64_t>* highest = nullptr;  // among those completed so far
    for (const auto& [op, number] : creates) {
      for (; done < by_completion.size() && by_completion[done].first->complete_ns < op->invoke_ns;
           ++done) {
        if (highest == nullptr || by_completion[done].second > highest->second) {
          highest = &by_completion[done];
        }
      }
      if (highest != nullptr && highest->second >= number) {
        out_->Add({"create-order",
                   DescribeOp(*op) + " got number " + std::to_string(number) + ", not above " +
                       std::to_string(highest->second) + " of " + ShortOp(*highest->first) +
                       ", which had completed before it began",
                   {op->id, highest->first->id}});
      }
    }
  }

  const std::string& path_;
  const Parent& parent_;
  const Setup& setup_;
  CheckResult* out_;
  std::map<std::string, const Op*> ok_by_name_;
  std::map<std::string, int> info_by_prefix_;  // requested prefix → info creates
  int ephemeral_info_ = 0;
  std::set<int64_t> ephemeral_numbers_;
  std::map<std::string, std::vector<int>> present_;  // name → members listing it
};

}  // namespace

std::optional<int64_t> SequenceNumber(const std::string& name) {
  if (name.size() < kSuffixChars) {
    return std::nullopt;
  }
  std::string suffix = name.substr(name.size() - kSuffixChars);
  std::ptrdiff_t first = suffix[0] == '-' ? 1 : 0;
  if (!std::all_of(suffix.begin() + first, suffix.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(suffix);
}

CheckResult CheckSequential(const History& history) {
  CheckResult out;
  out.name = "sequential";
  std::map<std::string, Parent> parents;
  for (const Op& op : history.ops) {
    if (op.kind == OpKind::kCreate) {
      parents[Dirname(op.path)].creates.push_back(&op);
    }
  }
  // Parents whose creates are sequential (ZooKeeper returned another path than the one asked
  // for); plain creates, such as the session workload's ephemerals, are not this check's.
  for (auto it = parents.begin(); it != parents.end();) {
    const std::vector<const Op*>& ops = it->second.creates;
    bool sequential = history.setup.workload == "sequential" ||
                      std::any_of(ops.begin(), ops.end(),
                                  [](const Op* op) { return op->ok() && op->created != op->path; });
    it = sequential ? std::next(it) : parents.erase(it);
  }
  size_t creates = 0;
  size_t ok = 0;
  for (auto& [path, parent] : parents) {
    for (const Listing& l : history.listings) {
      if (l.path == path) {
        parent.listings[l.member] = &l;
      }
    }
    creates += parent.creates.size();
    ok += std::count_if(parent.creates.begin(), parent.creates.end(),
                        [](const Op* op) { return op->ok(); });
  }
  if (parents.empty()) {
    out.applicable = false;
    out.summary = "no sequential creates";
    return out;
  }
  std::string unlisted;
  for (const auto& [path, parent] : parents) {
    if (parent.listings.empty()) {
      unlisted += (unlisted.empty() ? "" : ", ") + path;
      continue;
    }
    ParentCheck(path, parent, history.setup, &out).Run();
  }
  out.details = {{"creates", creates}, {"ok", ok}, {"parents", parents.size()}};
  if (out.outcome == Outcome::kInvalid) {
    out.summary = std::to_string(out.problems_total) + " sequential problem(s)";
  } else if (!unlisted.empty()) {
    out.outcome = Outcome::kUnknown;
    out.summary = "no final listing of " + unlisted + ": cannot tell whether ok creates survived";
  } else {
    out.summary = std::to_string(ok) + " ok creates of " + std::to_string(creates) +
                  " all present on every member, unique, contiguous and in real-time order";
  }
  return out;
}

}  // namespace pc::chaos
