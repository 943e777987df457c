#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A real nginx on 127.0.0.1 (a high port) with auth_request to /v1/check
# over the Unix socket, in front of a static file: a permitted token gets
# the file (200), a denied one 403, none 401.  Skipped (77) without nginx.
#   tests/daemon/nginx.sh GATEHOUSED SRC_DIR
GATEHOUSED="$1"
SRC="$2"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [[ ! -x $NGINX ]]; then
	echo "skipped: no nginx (apt install nginx-light)" >&2
	exit 77
fi
. "$SRC/tests/daemon/lib.sh"

STORE="$SRC/tests/daemon/web-store"
daemon_start
mkdir -p "$TMP/nginx" "$TMP/www/docs"
echo "the documentation" >"$TMP/www/docs/index.html"
NGINX_PID=""
for try in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 20000))
	sed -e "s|@TMP@|$TMP|g" -e "s|@PORT@|$PORT|g" -e "s|@SOCK@|$SOCK|g" \
		"$SRC/tests/daemon/nginx.conf.in" >"$TMP/nginx/nginx.conf"
	"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>>"$TMP/nginx/start.log" &
	NGINX_PID=$!
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break 2
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=""
done
if [[ -z $NGINX_PID ]]; then
	bad "nginx did not start: $(cat "$TMP/nginx/start.log" "$TMP/nginx/error.log" 2>/dev/null)"
	finish
fi
trap 'st=$?; kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; (exit $st); cleanup' EXIT

req POST /v1/sessions '{"user": "reader"}'
READER="$(jq -r .token <<<"$BODY")"
req POST /v1/sessions '{"user": "outsider"}'
OUTSIDER="$(jq -r .token <<<"$BODY")"

web() { # PATH [curl args]: sets STATUS and BODY
	local out
	out="$(curl -s -w '\n%{http_code}' "${@:2}" "http://127.0.0.1:$PORT$1")"
	STATUS="${out##*$'\n'}"
	BODY="${out%$'\n'*}"
}
web /docs/index.html -H "Authorization: Bearer $READER"
expect_status 200 "nginx: permitted token"
[[ $BODY == $'the documentation\n' ]] && ok || bad "nginx: body $BODY"
web /docs/index.html?page=2 -H "Authorization: Bearer $READER"
expect_status 200 "nginx: permitted token, query string"
web /docs/index.html -H "Authorization: Bearer $OUTSIDER"
expect_status 403 "nginx: denied token"
web /index.html -H "Authorization: Bearer $READER"
expect_status 403 "nginx: permitted token outside /docs/"
web /docs/index.html
expect_status 401 "nginx: no token"
web /docs/index.html -H "Authorization: Bearer ghs_0000"
expect_status 401 "nginx: unknown token"
web /docs/index.html -X POST -H "Authorization: Bearer $READER"
expect_status 403 "nginx: POST is http:POST, not allowed"
req DELETE "/v1/sessions/$READER"
web /docs/index.html -H "Authorization: Bearer $READER"
expect_status 401 "nginx: revoked token"
req GET /metrics
grep -q 'gatehoused_requests_total{route="check",status="200"} 2' <<<"$BODY" && ok || bad "metrics: $(grep 'route="check"' <<<"$BODY")"
finish
