#!/usr/bin/env bash
# Liandong PKI for a real deployment: run on the offline CA machine.
# `deploy/pki-bootstrap.sh --help` explains; deploy/RUNBOOK.md says when.
#
# It only calls `county-node pki init|issue|list`, coreutils and tar.

set -euo pipefail
umask 077

PROG=${0##*/}

usage() {
	cat <<EOF
Usage: $PROG [OPTIONS] COMMAND [COMMAND OPTIONS]

Certificates for a real Liandong deployment (联动 证书), made on an offline
machine that holds the CA key. Each node receives only its own bundle:
ca.pem, <role>-<id>.pem and <role>-<id>.key (mode 0600), never ca.key.

Commands:
  bootstrap --host NAME [--host NAME]... [--county-id ID]
            [--townships T01,T02,... | --townships-file FILE]
      Create the CA if there is none (county-node pki init), issue the
      county certificate for the host names and IPs the townships dial
      (every --host), issue one certificate per listed township, and
      package every bundle. Nodes that already have a bundle are skipped
      (use renew), so running it again with a longer list only adds.
  add (--townships T05,T06,... | --townships-file FILE)
      Issue and package certificates for new townships (CA must exist).
  renew --role township|county --id ID [--host NAME]...
      Reissue a node's certificate before it expires: same id, new key.
      The previous bundle moves to OUT/retired/ with its key deleted. For
      the county, the host names of its last issue are reused unless
      --host is given.
  list
      The certificates of the CA and of every current bundle, with expiry.
  check [--within DAYS]
      Like list, flagging certificates that expire within DAYS (default
      60); exits 3 if any does, so it can run from cron on the CA machine.

Options (anywhere on the line):
  --bin PATH     county-node binary (default: \$COUNTY_NODE, else county-node on PATH)
  --ca DIR       CA directory holding ca.pem and ca.key (default: ./liandong-ca)
  --out DIR      where bundles are written (default: ./liandong-bundles)
  --days N       validity of issued certificates in days (default: 825; must
                 end before the CA does: it is valid 3650 days from pki init)
  -h, --help     this text

A township list file holds one id per line (commas also work); blank lines
and text after '#' are ignored. Ids are 1-32 characters from A-Z a-z 0-9 _.

Output, for each node (e.g. township-T01):
  OUT/township-T01/          ca.pem, township-T01.pem, township-T01.key, SHA256SUMS
  OUT/township-T01.tar       the same directory as one file to carry over
  OUT/township-T01.tar.sha256   check it after the copy: sha256sum -c township-T01.tar.sha256
  CA/issued.log              what was issued when (role/id, days, hosts)

Examples:
  $PROG bootstrap --host county.example.gov.cn --host 10.20.0.5 --townships T01,T02,T03
  $PROG add --townships T04
  $PROG renew --role township --id T02
  $PROG check --within 90
EOF
}

die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

COUNTY_NODE=${COUNTY_NODE:-county-node}
CA_DIR=./liandong-ca
OUT_DIR=./liandong-bundles
DAYS=825
COMMAND=""
COUNTY_ID=HQ
ROLE=""
NODE_ID=""
WITHIN=60
HOSTS=()
TOWNSHIPS=()

# --- arguments ---------------------------------------------------------------

need_value() {
	[[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

# Adds township ids from "T01,T02 T03" to TOWNSHIPS.
add_township_ids() {
	local word id
	local -a words
	IFS=$', \t' read -r -a words <<<"$1"
	for word in "${words[@]}"; do
		id=${word%%#*}
		[[ -n $id ]] && TOWNSHIPS+=("$id")
	done
	return 0
}

read_township_file() {
	local file=$1 line
	[[ -f $file ]] || die "township list $file: no such file"
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%%#*}
		add_township_ids "$line"
	done <"$file"
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-h | --help)
		usage
		exit 0
		;;
	--bin)
		need_value "$@"
		COUNTY_NODE=$2
		shift 2
		;;
	--ca)
		need_value "$@"
		CA_DIR=$2
		shift 2
		;;
	--out)
		need_value "$@"
		OUT_DIR=$2
		shift 2
		;;
	--days)
		need_value "$@"
		DAYS=$2
		shift 2
		;;
	--host)
		need_value "$@"
		HOSTS+=("$2")
		shift 2
		;;
	--county-id)
		need_value "$@"
		COUNTY_ID=$2
		shift 2
		;;
	--townships)
		need_value "$@"
		add_township_ids "$2"
		shift 2
		;;
	--townships-file)
		need_value "$@"
		read_township_file "$2"
		shift 2
		;;
	--role)
		need_value "$@"
		ROLE=$2
		shift 2
		;;
	--id)
		need_value "$@"
		NODE_ID=$2
		shift 2
		;;
	--within)
		need_value "$@"
		WITHIN=$2
		shift 2
		;;
	-*)
		die "unknown option $1 (see --help)"
		;;
	*)
		[[ -z $COMMAND ]] || die "one command at a time: got '$COMMAND' and '$1'"
		COMMAND=$1
		shift
		;;
	esac
done

# --- checks ------------------------------------------------------------------

valid_id() {
	[[ $1 =~ ^[A-Za-z0-9_]{1,32}$ ]]
}

check_ids() {
	local id
	for id in "$@"; do
		valid_id "$id" || die "invalid node id '$id': use 1-32 characters from A-Z a-z 0-9 _"
	done
}

check_number() {
	[[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive number of days, got '$2'"
}

check_binary() {
	if [[ $COUNTY_NODE == */* ]]; then
		[[ -x $COUNTY_NODE ]] || die "county-node binary $COUNTY_NODE is not executable (--bin)"
	else
		command -v "$COUNTY_NODE" >/dev/null ||
			die "$COUNTY_NODE not found on PATH; pass --bin /path/to/county-node"
	fi
}

check_dirs() {
	local ca out
	mkdir -p "$OUT_DIR"
	chmod 0700 "$OUT_DIR"
	if [[ -d $CA_DIR ]]; then
		ca=$(cd "$CA_DIR" && pwd -P)
		out=$(cd "$OUT_DIR" && pwd -P)
		[[ $ca != "$out" ]] || die "--ca and --out must be different directories: bundles must never contain ca.key"
		case $out/ in
		"$ca"/*) die "--out must not be inside --ca" ;;
		esac
	fi
}

require_ca() {
	[[ -f $CA_DIR/ca.pem && -f $CA_DIR/ca.key ]] ||
		die "no CA in $CA_DIR (ca.pem and ca.key); run '$PROG bootstrap' first, or pass --ca DIR"
}

# Removes duplicates from TOWNSHIPS, keeping the order.
dedupe_townships() {
	local -A seen=()
	local -a unique=()
	local id
	for id in "${TOWNSHIPS[@]}"; do
		if [[ -z ${seen[$id]:-} ]]; then
			seen[$id]=1
			unique+=("$id")
		fi
	done
	TOWNSHIPS=("${unique[@]}")
}

# --- issuing and packaging ---------------------------------------------------

# issue_bundle ROLE ID ACTION [HOST...]: issues a certificate with a new key
# into a staging directory, then makes it the node's current bundle.
issue_bundle() {
	local role=$1 id=$2 action=$3
	shift 3
	local -a hosts=("$@")
	local stem="$role-$id"
	local staging="$OUT_DIR/.staging-$stem"
	local -a args=(pki issue --role "$role" --id "$id" --dir "$CA_DIR" --out "$staging" --days "$DAYS")
	local host
	for host in "${hosts[@]}"; do
		args+=(--host "$host")
	done

	rm -rf -- "$staging"
	mkdir -p -- "$staging"
	if ! "$COUNTY_NODE" "${args[@]}"; then
		rm -rf -- "$staging"
		die "county-node pki issue failed for $role/$id (nothing changed)"
	fi
	local f
	for f in ca.pem "$stem.pem" "$stem.key"; do
		[[ -f $staging/$f ]] || die "county-node pki issue did not write $staging/$f"
	done
	chmod 0600 -- "$staging/$stem.key"
	chmod 0644 -- "$staging/ca.pem" "$staging/$stem.pem"
	(cd "$staging" && sha256sum ca.pem "$stem.pem" "$stem.key" >SHA256SUMS)

	if [[ -e $OUT_DIR/$stem ]]; then
		retire_bundle "$stem"
	fi
	mv -- "$staging" "$OUT_DIR/$stem"
	chmod 0700 -- "$OUT_DIR/$stem"

	rm -f -- "$OUT_DIR/$stem.tar" "$OUT_DIR/$stem.tar.sha256"
	tar -C "$OUT_DIR" --owner=0 --group=0 --numeric-owner -cf "$OUT_DIR/$stem.tar" "$stem"
	(cd "$OUT_DIR" && sha256sum "$stem.tar" >"$stem.tar.sha256")

	local joined=""
	joined=$(
		IFS=,
		printf '%s' "${hosts[*]}"
	)
	printf '%s\t%s\t%s/%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$action" "$role" "$id" "$DAYS" "$joined" >>"$CA_DIR/issued.log"
	note "bundle for $role/$id: $OUT_DIR/$stem.tar (sha256 in $stem.tar.sha256)"
}

# The previous bundle keeps its certificate for the record; its key is
# deleted (the node has its own copy until the new bundle replaces it).
retire_bundle() {
	local stem=$1
	local dest
	dest="$OUT_DIR/retired/$stem-$(date -u +%Y%m%dT%H%M%SZ)"
	[[ ! -e $dest ]] || dest="$dest-$$"
	mkdir -p -- "$OUT_DIR/retired"
	chmod 0700 -- "$OUT_DIR/retired"
	mv -- "$OUT_DIR/$stem" "$dest"
	rm -f -- "$dest/$stem.key"
	rm -f -- "$OUT_DIR/$stem.tar" "$OUT_DIR/$stem.tar.sha256"
	note "previous bundle of $stem retired to $dest (old key deleted)"
}

# issue_new ROLE ID [HOST...]: skips nodes that already have a bundle.
issue_new() {
	local role=$1 id=$2
	shift 2
	if [[ -e $OUT_DIR/$role-$id ]]; then
		note "$role/$id already has a bundle in $OUT_DIR/$role-$id; skipped (use renew to reissue)"
		return 0
	fi
	issue_bundle "$role" "$id" issue "$@"
}

# Host names of the last issue of ROLE/ID, from issued.log, into LAST_HOSTS.
last_hosts() {
	local want="$1/$2" when node hosts
	LAST_HOSTS=()
	[[ -f $CA_DIR/issued.log ]] || return 0
	while IFS=$'\t' read -r when _ node _ hosts || [[ -n $when ]]; do
		if [[ $node == "$want" ]]; then
			LAST_HOSTS=()
			[[ -z $hosts ]] || IFS=, read -r -a LAST_HOSTS <<<"$hosts"
		fi
	done <"$CA_DIR/issued.log"
}

# --- listing -----------------------------------------------------------------

# pki_list DIR: prints "node<TAB>expiry<TAB>file" for each certificate, from
# `county-node pki list` lines "FILE  WHO  expires YYYY-MM-DD HH:MM UTC".
pki_list() {
	local dir=$1 line
	local re='^(.+)  (.+)  expires ([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}) UTC$'
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			printf '%s\t%s\t%s\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[1]}"
		elif [[ -n $line ]]; then
			note "unexpected line from county-node pki list: $line"
		fi
	done < <("$COUNTY_NODE" pki list --dir "$dir")
}

# all_certs: pki_list of the CA directory and of every current bundle.
all_certs() {
	local dir
	[[ ! -d $CA_DIR ]] || pki_list "$CA_DIR"
	for dir in "$OUT_DIR"/*/; do
		[[ -d $dir ]] || continue
		case ${dir%/} in
		*/retired) continue ;;
		esac
		pki_list "${dir%/}"
	done
}

# report WITHIN_DAYS: one line per certificate; sets EXPIRING to the number
# that expire within WITHIN_DAYS.
report() {
	local within=$1 now line who expiry file secs days flag
	local -a lines=()
	now=$(date -u +%s)
	while IFS= read -r line; do
		lines+=("$line")
	done < <(all_certs)
	EXPIRING=0
	printf '%-30s %-18s %6s  %s\n' "certificate" "expires (UTC)" "days" "file"
	for line in ${lines[@]+"${lines[@]}"}; do
		IFS=$'\t' read -r who expiry file <<<"$line"
		# Every bundle carries a copy of ca.pem: show the CA's own line only.
		if [[ $who == CA\ * ]]; then
			[[ ${file%/*} == "${CA_DIR%/}" ]] || continue
			who="CA"
		fi
		secs=$(date -u -d "$expiry UTC" +%s)
		days=$(((secs - now) / 86400))
		flag=""
		if ((secs <= now)); then
			flag="  EXPIRED"
			EXPIRING=$((EXPIRING + 1))
		elif ((days < within)); then
			flag="  RENEW"
			EXPIRING=$((EXPIRING + 1))
		fi
		if [[ -n $flag && $who == CA ]]; then
			flag="$flag (CA rotation is not supported yet: plan a new CA and re-enrol every node)"
		fi
		printf '%-30s %-18s %6s  %s%s\n' "$who" "$expiry" "$days" "$file" "$flag"
	done
}

# --- commands ----------------------------------------------------------------

cmd_bootstrap() {
	[[ ${#HOSTS[@]} -gt 0 ]] ||
		die "bootstrap needs the county's host names: --host NAME for every name or IP the townships dial (https://NAME:7443)"
	check_ids "$COUNTY_ID" ${TOWNSHIPS[@]+"${TOWNSHIPS[@]}"}
	check_number --days "$DAYS"
	check_binary
	mkdir -p -- "$CA_DIR"
	chmod 0700 -- "$CA_DIR"
	check_dirs
	"$COUNTY_NODE" pki init --dir "$CA_DIR"
	require_ca
	issue_new county "$COUNTY_ID" "${HOSTS[@]}"
	if [[ ${#TOWNSHIPS[@]} -eq 0 ]]; then
		note "no townships listed; add them later with: $PROG add --townships T01,T02,..."
	else
		dedupe_townships
		local id
		for id in "${TOWNSHIPS[@]}"; do
			issue_new township "$id"
		done
	fi
	next_steps
}

cmd_add() {
	[[ ${#TOWNSHIPS[@]} -gt 0 ]] || die "add needs --townships T05,T06,... or --townships-file FILE"
	[[ ${#HOSTS[@]} -eq 0 ]] || die "--host is for the county (bootstrap, renew --role county); townships only dial"
	check_ids "${TOWNSHIPS[@]}"
	check_number --days "$DAYS"
	check_binary
	require_ca
	check_dirs
	dedupe_townships
	local id
	for id in "${TOWNSHIPS[@]}"; do
		issue_new township "$id"
	done
	next_steps
}

cmd_renew() {
	[[ -n $ROLE && -n $NODE_ID ]] || die "renew needs --role township|county and --id ID"
	case $ROLE in
	township | county) ;;
	bridge) die "the bridge role is planned, not available yet" ;;
	*) die "--role must be township or county, got '$ROLE'" ;;
	esac
	check_ids "$NODE_ID"
	check_number --days "$DAYS"
	check_binary
	require_ca
	check_dirs
	local -a hosts=()
	if [[ ${#HOSTS[@]} -gt 0 ]]; then
		[[ $ROLE == county ]] || die "--host is for the county; townships only dial"
		hosts=("${HOSTS[@]}")
	elif [[ $ROLE == county ]]; then
		last_hosts county "$NODE_ID"
		[[ ${#LAST_HOSTS[@]} -gt 0 ]] ||
			die "no earlier issue of county/$NODE_ID in $CA_DIR/issued.log: give its host names with --host"
		hosts=("${LAST_HOSTS[@]}")
		note "reusing the county's host names: ${hosts[*]}"
	fi
	[[ -e $OUT_DIR/$ROLE-$NODE_ID ]] ||
		note "no current bundle for $ROLE/$NODE_ID in $OUT_DIR; issuing a first one"
	issue_bundle "$ROLE" "$NODE_ID" renew ${hosts[@]+"${hosts[@]}"}
	cat >&2 <<EOF

Next: carry $OUT_DIR/$ROLE-$NODE_ID.tar to the node, check it with
  sha256sum -c $ROLE-$NODE_ID.tar.sha256
install it over the node's files in /etc/liandong/pki (RUNBOOK.md,
"轮换证书 Rotate certificates"), then restart the node. Until then the node
keeps working with its current certificate.
EOF
}

cmd_list() {
	check_binary
	report 0
}

cmd_check() {
	check_number --within "$WITHIN"
	check_binary
	report "$WITHIN"
	if ((EXPIRING > 0)); then
		note "$EXPIRING certificate(s) expire within $WITHIN days: renew them ($PROG renew --role ROLE --id ID)"
		exit 3
	fi
}

next_steps() {
	cat >&2 <<EOF

Bundles are in $OUT_DIR (one directory and one .tar per node). They hold
private keys: carry each one only to its own node (USB stick or scp over
the hall LAN), check it there with \`sha256sum -c <bundle>.tar.sha256\`,
install it (RUNBOOK.md), then delete the copies outside this machine.
$CA_DIR/ca.key never leaves this machine; back it up offline.
EOF
}

EXPIRING=0
LAST_HOSTS=()

case $COMMAND in
bootstrap) cmd_bootstrap ;;
add) cmd_add ;;
renew) cmd_renew ;;
list) cmd_list ;;
check) cmd_check ;;
"")
	usage >&2
	exit 2
	;;
*) die "unknown command '$COMMAND' (see --help)" ;;
esac
