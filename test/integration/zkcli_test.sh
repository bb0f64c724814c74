#!/bin/bash
# zkcli_test.sh host:port — Apache's own Java CLI (Debian's zkCli.sh, as installed) against a
# server. One-shot commands (`zkCli.sh -server H:P <cmd>`) for the basics, then one
# interactive session fed on stdin for the 3.6+ commands (addWatch, getEphemerals,
# getAllChildrenNumber, whoami) that our C and Python clients lack.
#
# Prints `ok <name>` or `FAIL <name>: ...` per check; exits 1 if any failed.
set -u
hostport=${1:?usage: zkcli_test.sh host:port}
ZKCLI=${ZKCLI:-/usr/share/zookeeper/bin/zkCli.sh}
# zkCli.sh sources zkEnv.sh, which reads /etc/zookeeper/conf/environment (JAVA, CLASSPATH).
# Its CLI log goes to ZOO_LOG_DIR; keep it out of /var/log.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ZOO_LOG_DIR=$work

failures=0
checks=0
ok() { checks=$((checks + 1)); echo "ok $1"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $1: $2"; }

# run_cli <name> <cmd...>: one JVM, one command; output (stdout+stderr, minus SLF4J noise)
# in $work/<name>.out, exit status in $rc.
run_cli() {
  local name=$1
  shift
  "$ZKCLI" -server "$hostport" "$@" >"$work/$name.raw" 2>&1
  rc=$?
  grep -v '^SLF4J:' "$work/$name.raw" >"$work/$name.out"
}

# has_line <name> <check> <exact line>
has_line() {
  if grep -Fxq -- "$3" "$work/$1.out"; then
    ok "$2"
  else
    fail "$2" "expected a line \"$3\" in the output of '$1', got: $(tr '\n' '|' <"$work/$1.out")"
  fi
}
lacks_line() {
  if grep -Fxq -- "$3" "$work/$1.out"; then
    fail "$2" "did not expect a line \"$3\" in the output of '$1'"
  else
    ok "$2"
  fi
}
rc_is() {
  if [ "$rc" -eq "$2" ]; then ok "$1"; else fail "$1" "expected exit status $2 got $rc"; fi
}
rc_nonzero() {
  if [ "$rc" -ne 0 ]; then ok "$1"; else fail "$1" "expected a non-zero exit status"; fi
}

# ---- one-shot commands ----
run_cli ls_root ls /
rc_is ls_root_status 0
has_line ls_root ls_root_lists_zookeeper "[zookeeper]"

run_cli create create /test "hello"
rc_is create_status 0
has_line create create_reports_path "Created /test"

run_cli get get /test
rc_is get_status 0
has_line get get_returns_data "hello"

run_cli stat stat /test
rc_is stat_status 0
has_line stat stat_dataLength "dataLength = 5"
has_line stat stat_numChildren "numChildren = 0"
has_line stat stat_dataVersion "dataVersion = 0"
has_line stat stat_ephemeralOwner "ephemeralOwner = 0x0"

run_cli ls_after ls /
has_line ls_after ls_root_lists_test "[test, zookeeper]"

run_cli set set /test "world!"
rc_is set_status 0
run_cli stat2 stat /test
has_line stat2 set_bumps_dataVersion "dataVersion = 1"
has_line stat2 set_dataLength "dataLength = 6"

run_cli create_dup create /test "again"
has_line create_dup create_existing_reports_exists "Node already exists: /test"

run_cli delete delete /test
rc_is delete_status 0

run_cli get_gone get /test
rc_nonzero get_deleted_status
has_line get_gone get_deleted_reports_missing "Node does not exist: /test"

run_cli ls_final ls /
has_line ls_final ls_root_after_delete "[zookeeper]"

# ---- one interactive session (JLine is off when stdin is not a terminal) ----
session_cmds='create /w
addWatch -m PERSISTENT_RECURSIVE /w
create /w/k kv
set /w/k k2
create /w/k/deep
delete /w/k/deep
delete /w/k
addWatch -m PERSISTENT /p
create /p
create /p/c
set /p p1
create -e /eph x
create -s /seq- s
getEphemerals
getEphemerals /nomatch
getAllChildrenNumber /w
getAllChildrenNumber /
whoami
addauth digest u:p
whoami
create /ro
setAcl /ro world:anyone:r
getAcl /ro
set /ro nope
delete /zookeeper
create /eph/kid
sync /w
removewatches /w
create /w/after
quit'
printf '%s\n' "$session_cmds" | "$ZKCLI" -server "$hostport" >"$work/session.raw" 2>&1
rc=$?
grep -v '^SLF4J:' "$work/session.raw" >"$work/session.out"
rc_is session_status 0
ev() { echo "WatchedEvent state:SyncConnected type:$1 path:$2"; }
has_line session recursive_watch_child_created "$(ev NodeCreated /w/k)"
has_line session recursive_watch_child_changed "$(ev NodeDataChanged /w/k)"
has_line session recursive_watch_grandchild_created "$(ev NodeCreated /w/k/deep)"
has_line session recursive_watch_grandchild_deleted "$(ev NodeDeleted /w/k/deep)"
has_line session recursive_watch_child_deleted "$(ev NodeDeleted /w/k)"
lacks_line session recursive_watch_has_no_child_events "$(ev NodeChildrenChanged /w)"
has_line session persistent_watch_created "$(ev NodeCreated /p)"
has_line session persistent_watch_children_changed "$(ev NodeChildrenChanged /p)"
has_line session persistent_watch_data_changed "$(ev NodeDataChanged /p)"
lacks_line session persistent_watch_not_recursive "$(ev NodeCreated /p/c)"
has_line session sequential_name "Created /seq-0000000004"
has_line session get_ephemerals "[/eph]"
has_line session get_ephemerals_prefix_no_match "[]"
has_line session get_all_children_number_w "0"
# /w /p /p/c /eph /seq-.. /zookeeper /zookeeper/config /zookeeper/quota
has_line session get_all_children_number_root "8"
has_line session whoami_ip "ip: 127.0.0.1"
has_line session whoami_digest_after_addauth "digest: u"
has_line session get_acl_scheme_id "'world,'anyone"
has_line session get_acl_perms ": r"
has_line session set_without_write_perm "Insufficient permission : /ro"
has_line session delete_zookeeper_bad_arguments "Arguments are not valid : /zookeeper"
has_line session ephemeral_parent "Ephemerals cannot have children: /eph/kid"
has_line session sync_ok "Sync is OK"
has_line session remove_watches_event "$(ev PersistentWatchRemoved /w)"
lacks_line session removed_watch_silent "$(ev NodeCreated /w/after)"

echo "# $checks checks, $failures failed"
if [ "$failures" -ne 0 ]; then
  echo "----- interactive session output -----"
  cat "$work/session.out"
  exit 1
fi
exit 0
