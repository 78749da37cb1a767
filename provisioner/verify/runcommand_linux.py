"""The Linux script of a Run Command probe (RunShellScript): POSIX sh and curl, nothing else.

It gets a token per audience from the VM's IMDS, then runs one function per check, named as the probe
action, with the arguments of provisioner.verify.runcommand_calls. Each function makes the same
requests as the probe's step and prints `provision-verify ID STATUS CODE STEP [NOTE]` (see
provisioner.verify.runcommand_output); a missing token prints `provision-verify token:AUDIENCE WHY`
and its checks print nothing. A secret's value stays in a shell variable and is never printed.
"""

from __future__ import annotations

import shlex

from provisioner.verify.runcommand_calls import BLOB_API_VERSION, MARKER_TEXT, Script

FUNCTIONS = r"""
nl="$(printf '\n_')"; nl=${nl%_}
marker="$(printf '%s\n_' "$marker_text")"; marker=${marker%_}
fetch() {
  if [ -n "$cacert" ]; then curl --cacert "$cacert" "$@"; else curl "$@"; fi
}
get_token() {  # AUDIENCE URL: the identity's token in $token, or a token:AUDIENCE line
  reply=$(fetch -sS --max-time 30 -H 'Metadata: true' "$2" 2>&1)
  token=$(printf '%s' "$reply" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || echo "provision-verify token:$1 $(printf '%s' "$reply" | tr -d '\r\n' | cut -c1-300)"
}
call() {  # TOKEN URL CURL-ARGS...: one request; $reply (the body), $status, $size, $code; fails unless 2xx
  auth=$1 url=$2
  shift 2
  [ -z "$auth" ] || set -- -H "Authorization: Bearer $auth" "$@"
  reply=$(fetch -sS --max-time 60 -w '\n%{http_code} %{size_download}' "$@" "$url" 2>/dev/null)
  last=${reply##*"$nl"} reply=${reply%"$nl"*}
  status=${last%% *} size=${last#* } code=-
  case $status in 2??) return 0 ;; esac
  error_code
  return 1
}
error_code() {  # Azure's error code: x-ms-error-code (with -D -), a JSON "code" or an XML <Code>
  code=$(printf '%s\n' "$reply" | grep -i '^x-ms-error-code:' | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r')
  [ -n "$code" ] || code=$(printf '%s' "$reply" | grep -o '"code" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
  [ -n "$code" ] || code=$(printf '%s' "$reply" | grep -o '<Code>[^<]*</Code>' | head -n 1 | sed 's/<[^>]*>//g')
  [ -n "$code" ] || code=-
}
report() {  # ID STEP [NOTE]: the check's line, with the last request's status and code
  echo "provision-verify $1 $status $code $2${3:+ $3}"
}
arm_read() {  # ID TOKEN URL
  [ -n "$2" ] || return 0
  call "$2" "$3"
  report "$1" read
}
group_write() {  # ID TOKEN URL TAGS: PATCH the group's tags with the tags it has
  [ -n "$2" ] || return 0
  call "$2" "$3" -X PATCH -H 'Content-Type: application/json' --data-binary "$4"
  report "$1" tags
}
read_first_blob() {  # ID TOKEN CONTAINER-URL SAS: list the container, download the first blob listed
  if ! call "$2" "$3?restype=container&comp=list&maxresults=1${4:+&$4}" -H "$blob_version"; then
    report "$1" list
    return 0
  fi
  name=$(printf '%s' "$reply" | grep -o '<Name>[^<]*</Name>' | head -n 1 | sed -e 's/<[^>]*>//g' \
    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g')
  if [ -z "$name" ]; then
    report "$1" empty
    return 0
  fi
  path=$(printf '%s' "$name" | od -An -v -tx1 | tr -d ' \n' | sed -e 's/../%&/g' -e 's:%2f:/:g')
  call "$2" "$3/$path${4:+?$4}" -H "$blob_version" -D - -o /dev/null
  report "$1" download "$size $(printf '%s' "$name" | tr '\r\n' '  ' | cut -c1-100)"
}
put_marker() {  # TOKEN BLOB-URL: Put Blob, a block blob holding the marker
  call "$1" "$2" -X PUT -H "$blob_version" -H 'x-ms-blob-type: BlockBlob' -H 'Content-Type: text/plain' \
    --data-binary "$marker"
}
get_sas() {  # ID TOKEN SAS-URL REQUEST: a service SAS from ARM (listServiceSas) in $sas; fails with a line
  sas=
  if ! call "$2" "$3" -X POST -H 'Content-Type: application/json' --data-binary "$4"; then
    report "$1" sas
    return 1
  fi
  sas=$(printf '%s' "$reply" | sed -n 's/.*"serviceSasToken" *: *"\([^"]*\)".*/\1/p')
  [ -n "$sas" ] || report "$1" no-sas
  [ -n "$sas" ]
}
blob_read() {  # ID TOKEN CONTAINER-URL
  [ -n "$2" ] || return 0
  read_first_blob "$1" "$2" "$3" ''
}
blob_write() {  # ID TOKEN BLOB-URL
  [ -n "$2" ] || return 0
  put_marker "$2" "$3"
  report "$1" write
}
sas_read() {  # ID TOKEN SAS-URL REQUEST CONTAINER-URL
  [ -n "$2" ] || return 0
  if get_sas "$1" "$2" "$3" "$4"; then read_first_blob "$1" '' "$5" "$sas"; fi
}
sas_write() {  # ID TOKEN SAS-URL REQUEST BLOB-URL: write the marker with the SAS and read it back
  [ -n "$2" ] || return 0
  get_sas "$1" "$2" "$3" "$4" || return 0
  if ! put_marker '' "$5?$sas"; then
    report "$1" write
  elif ! call '' "$5?$sas" -H "$blob_version"; then
    report "$1" readback
  elif [ "$reply" = "$marker" ]; then
    report "$1" readback
  else
    report "$1" differs
  fi
}
secret_read() {  # ID TOKEN SECRET-URL: the answer holds the value; only the status and code are printed
  [ -n "$2" ] || return 0
  call "$2" "$3"
  reply=
  report "$1" secret
}
"""


def linux_script(script: Script) -> str:
    """The POSIX shell script (run with RunShellScript)."""
    lines = [
        f"cacert={shlex.quote(script.cacert)}",
        f"blob_version='x-ms-version: {BLOB_API_VERSION}'",
        f"marker_text={shlex.quote(MARKER_TEXT)}",
        FUNCTIONS.strip(),
    ]
    lines += [f"get_token {name} {shlex.quote(url)}; {name}_token=$token" for name, url in script.token_urls.items()]
    for call in script.calls:
        args = " ".join(shlex.quote(arg) for arg in call.args)
        lines.append(f'{call.function} {shlex.quote(call.probe_id)} "${call.audience}_token" {args}')
    return "\n".join(lines) + "\n"
