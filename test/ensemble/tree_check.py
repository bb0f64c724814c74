#!/usr/bin/python3
"""Reads a sequential-node parent from every member with kazoo and checks they agree.

    views = read_views(ens, "/failover", sids)       # {sid: View}
    check_views(views, acked_paths, what="after round 2")

A View is what one member says about the parent: its children sorted by sequence number, each
child's czxid, and the parent's cversion / numChildren. Each member is read through its own
session after a sync(), so a follower has caught up with everything committed before.
"""

from kazoo.client import KazooClient

SESSION_START_S = 30


class View:
    def __init__(self, sid, children, czxids, cversion, num_children):
        self.sid = sid
        self.children = children    # names, by sequence number
        self.czxids = czxids        # name -> czxid
        self.cversion = cversion
        self.num_children = num_children


def seq_of(name):
    return int(name[-10:])


def read_view(ens, sid, parent):
    zk = KazooClient(hosts=ens.hostport(sid), timeout=15)
    zk.start(timeout=SESSION_START_S)
    try:
        zk.sync(parent)
        children, stat = zk.get_children(parent, include_data=True)
        children.sort(key=seq_of)
        asyncs = [(name, zk.exists_async(parent + "/" + name)) for name in children]
        czxids = {}
        for name, a in asyncs:
            st = a.get(timeout=30)
            if st is None:
                raise AssertionError("member %d: %s/%s listed but gone" % (sid, parent, name))
            czxids[name] = st.czxid
        return View(sid, children, czxids, stat.cversion, stat.numChildren)
    finally:
        zk.stop()
        zk.close()


def read_views(ens, parent, sids):
    return {sid: read_view(ens, sid, parent) for sid in sids}


def check_views(views, acked, what):
    """Every acknowledged path is on every member; every member has the same children, numbered
    n-0000000000 .. without a gap, in the same czxid order, with the same czxids."""
    first = None
    for sid, v in sorted(views.items()):
        present = set(v.children)
        missing = sorted(p for p in acked if p.rsplit("/", 1)[1] not in present)
        if missing:
            raise AssertionError("%s: member %d lacks %d acknowledged creates, first %s"
                                 % (what, sid, len(missing), missing[:5]))
        expected = ["n-%010d" % i for i in range(len(v.children))]
        if v.children != expected:
            odd = sorted(set(v.children) - set(expected))[:5]
            raise AssertionError("%s: member %d: children are not n-0000000000.. without gaps: "
                                 "%d children, unexpected %s" % (what, sid, len(v.children), odd))
        if v.cversion != len(v.children) or v.num_children != len(v.children):
            raise AssertionError("%s: member %d has %d children but cversion %d numChildren %d"
                                 % (what, sid, len(v.children), v.cversion, v.num_children))
        zxids = [v.czxids[n] for n in v.children]
        if any(a >= b for a, b in zip(zxids, zxids[1:])):
            raise AssertionError("%s: member %d: sequence order is not czxid order" % (what, sid))
        if first is None:
            first = v
            continue
        if v.children != first.children:
            only_a = sorted(set(first.children) - set(v.children))[:5]
            only_b = sorted(set(v.children) - set(first.children))[:5]
            raise AssertionError("%s: members %d and %d disagree: %d vs %d children, only on "
                                 "%d: %s, only on %d: %s" % (what, first.sid, sid,
                                                             len(first.children),
                                                             len(v.children), first.sid, only_a,
                                                             sid, only_b))
        if v.czxids != first.czxids:
            diff = [n for n in v.children if v.czxids[n] != first.czxids[n]][:5]
            raise AssertionError("%s: members %d and %d disagree on the czxid of %s"
                                 % (what, first.sid, sid, diff))
    return len(first.children) if first else 0
