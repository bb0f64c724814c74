#!/usr/bin/python3
"""What an ensemble member's four-letter words and /zookeeper/config must say, by role.

problems(ens) returns a list of human-readable mismatches (empty when every running member
answers as ZooKeeper 3.8 would for its role); tests wait until it is empty. The expected values
come from the ensemble's own layout (ports, ids, roles), never from a captured text:
  srvr / stat  Mode: leader|follower|observer; the leader alone ends with
               "Proposal sizes last/min/max: a/b/c" (-1/-1/-1 before its first proposal,
               otherwise 0 < min <= last <= max)
  mntr         zk_server_state, zk_peer_state "<leading|following|observing> - broadcast",
               zk_quorum_size = voters; on the leader zk_learners, zk_synced_followers,
               zk_synced_non_voting_followers, zk_synced_observers, zk_pending_syncs,
               zk_leader_uptime and the proposal sizes; on an observer zk_observer_master_id
  conf         after serverId: initLimit, syncLimit, electionAlg=3, electionPort, quorumPort,
               peerType, "membership: " and the server lines, ending "version=0" (no newline)
  /zookeeper/config   the same membership text, on every member
"""

import re

LEADER_ONLY = ("zk_learners", "zk_synced_followers", "zk_synced_non_voting_followers",
               "zk_synced_observers", "zk_pending_syncs", "zk_leader_uptime",
               "zk_last_proposal_size", "zk_min_proposal_size", "zk_max_proposal_size")


def membership(ens):
    return "\n".join("server.%d=127.0.0.1:%d:%d:%s" % (
        m.id, m.quorum_port, m.election_port, "observer" if m.observer else "participant")
        for m in ens.members.values()) + "\nversion=0"


def mntr_dict(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition("\t")
        out[k] = v
    return out


def int_or_none(v):
    return int(v) if re.fullmatch(r"-?\d+", v or "") else None


def proposal_sizes_ok(last, low, high):
    if (last, low, high) == (-1, -1, -1):
        return True
    return 0 < low <= last <= high


def member_problems(ens, sid, role, leader):
    m = ens.members[sid]
    voters = sum(1 for x in ens.members.values() if not x.observer)
    observers = len(ens.members) - voters
    out = []
    srvr = ens.srvr(sid) or ""
    stat = ens.word(sid, "stat") or ""
    for word, text in (("srvr", srvr), ("stat", stat)):
        if "\nMode: %s\n" % role not in text:
            out.append("%d %s: no 'Mode: %s' in %r" % (sid, word, role, text))
        sizes = re.search(r"\nProposal sizes last/min/max: (-?\d+)/(-?\d+)/(-?\d+)\n$", text)
        if role == "leader":
            if not sizes or not proposal_sizes_ok(*map(int, sizes.groups())):
                out.append("%d %s: leader without a sane Proposal sizes line: %r"
                           % (sid, word, text))
        elif "Proposal sizes" in text:
            out.append("%d %s: a %s prints Proposal sizes" % (sid, word, role))
    if not stat.startswith("Zookeeper version: ") or "\nClients:\n" not in stat:
        out.append("%d stat: no Clients section: %r" % (sid, stat))

    mntr = mntr_dict(ens.word(sid, "mntr") or "")
    doing = {"leader": "leading", "follower": "following", "observer": "observing"}[role]
    want = {"zk_server_state": role, "zk_peer_state": doing + " - broadcast",
            "zk_quorum_size": str(voters)}
    if role == "leader":
        want.update({"zk_learners": str(len(ens.members) - 1),
                     "zk_synced_followers": str(voters - 1),
                     "zk_synced_non_voting_followers": "0",
                     "zk_synced_observers": str(observers),
                     "zk_pending_syncs": "0"})
        if not re.fullmatch(r"\d+", mntr.get("zk_leader_uptime", "")):
            out.append("%d mntr: zk_leader_uptime %r" % (sid, mntr.get("zk_leader_uptime")))
        sizes = [int_or_none(mntr.get("zk_%s_proposal_size" % k))
                 for k in ("last", "min", "max")]
        if None in sizes or not proposal_sizes_ok(*sizes):
            out.append("%d mntr: proposal sizes %s" % (sid, sizes))
    else:
        for k in LEADER_ONLY:
            if k in mntr:
                out.append("%d mntr: a %s prints %s" % (sid, role, k))
    if role == "observer":
        want["zk_observer_master_id"] = str(leader)
    elif "zk_observer_master_id" in mntr:
        out.append("%d mntr: a %s prints zk_observer_master_id" % (sid, role))
    for k, v in want.items():
        if mntr.get(k) != v:
            out.append("%d mntr: %s is %r, expected %r" % (sid, k, mntr.get(k), v))

    conf = ens.word(sid, "conf") or ""
    tail = ("serverId=%d\ninitLimit=%d\nsyncLimit=%d\nelectionAlg=3\nelectionPort=%d\n"
            "quorumPort=%d\npeerType=%d\nmembership: \n%s"
            % (sid, ens.init_limit, ens.sync_limit, m.election_port, m.quorum_port,
               1 if m.observer else 0, membership(ens)))
    if not conf.endswith(tail) or not conf.startswith("clientPort=%d\n" % m.client_port):
        out.append("%d conf: %r does not end with %r" % (sid, conf, tail))
    return out


def problems(ens):
    """Mismatches over the running members, which must be serving in their roles."""
    leader = ens.leader()
    if leader is None:
        return ["no single leader: %s" % ens.modes()]
    out = []
    for sid in ens.running():
        role = "leader" if sid == leader else (
            "observer" if ens.members[sid].observer else "follower")
        out += member_problems(ens, sid, role, leader)
    return out


def config_znode_problems(ens, kazoo_client_for):
    """/zookeeper/config on every running member holds the membership."""
    want = membership(ens).encode()
    out = []
    for sid in ens.running():
        zk = kazoo_client_for(sid)
        try:
            data, _ = zk.get("/zookeeper/config")
        finally:
            zk.stop()
            zk.close()
        if data != want:
            out.append("%d /zookeeper/config is %r, expected %r" % (sid, data, want))
    return out
