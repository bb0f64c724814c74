// ZooCfgMerge: `up` on an existing cluster directory keeps what a learner added to a zoo.cfg by
// hand (autopurge settings, a 4lw whitelist, as the tutorials do) instead of silently writing
// the file anew. Pure: three texts in, the text to write and one note per decision out.
//
// pseudo-cluster owns some keys — ports, dataDir / dataLogDir, the timing it was given
// (tickTime, initLimit, syncLimit), peerType, server.N, what `up --reconfig` sets
// (reconfigEnabled, standaloneEnabled, dynamicConfigFile, the super digest: ZooKeeper rewrites
// zoo.cfg at each reconfig, and a later `up` writes it from cluster.json again), and what its
// flags set (read-only mode, the admin server that would take port 8080 on every member): those
// always get its values.
// Every other line of the learner's file stays where it is, as it is; a key pseudo-cluster
// writes but does not own (the 4lw whitelist) keeps the learner's value, or stays out if the
// learner removed it. `written` is what pseudo-cluster would have written on its own last time
// (its copy beside the file): the learner's edits are the differences from it, so they are kept
// (and noted) at every `up`, while a value pseudo-cluster changes itself (new ports) is not
// reported as overriding anyone.
#pragma once

#include <string>
#include <vector>

namespace pc {

struct ZooCfgMerge {
  std::string text;                // the zoo.cfg to write
  std::vector<std::string> notes;  // "kept your line 'autopurge.purgeInterval=1'", ...
};

// Whether pseudo-cluster always sets `key` (owned keys are replaced whatever the file says).
bool ZooCfgKeyOwned(const std::string& key);

// `current`: the file as it is now; `written`: what pseudo-cluster would have written on its own
// last time (pass `fresh` when unknown); `fresh`: what it would write now. When current ==
// written (or there is no current file) the result is simply `fresh`, without notes.
ZooCfgMerge MergeZooCfg(const std::string& current, const std::string& written,
                        const std::string& fresh);

}  // namespace pc
