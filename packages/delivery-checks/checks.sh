# Sourced by packages/delivery-checks/check.sh, packages/local-cluster/check.sh and infra/check.sh: named checks, each logged to
# $OUT/logs/<name>.log, counted in `passed`/`failed`/`skipped` and listed in `results` with its duration. A failure
# prints the tail of its log at once. The caller sets ROOT and OUT, and ends with `summary`.
# install_tools INSTALLER...: runs each installer (a path under ROOT) quietly into .local/<its folder>-install.log,
# printing that log and stopping the caller when one fails; nothing at all when SKIP_INSTALL is set.
install_tools() {
  [ -n "${SKIP_INSTALL:-}" ] && return 0
  local installer log
  mkdir -p "$ROOT/.local"
  for installer in "$@"; do
    log="$ROOT/.local/$(basename "$(dirname "$installer")")-install.log"
    bash "$ROOT/$installer" >"$log" 2>&1 || {
      cat "$log"
      echo "$installer failed"
      exit 1
    }
  done
}
passed=0
failed=0
skipped=0
results=()
skip() {
  skipped=$((skipped + 1))
  results+=("SKIP  $1 ($2)")
}
# check NAME COMMAND...: runs the command, logs its output, records the result.
check() {
  local name="$1" start=$SECONDS
  shift
  local log
  log="$OUT/logs/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    results+=("PASS  $name ($((SECONDS - start)) s)")
  else
    failed=$((failed + 1))
    results+=("FAIL  $name ($((SECONDS - start)) s)")
    printf '\n--- FAIL: %s (%s)\n' "$name" "${log#"$ROOT"/}"
    tail -n 40 "$log"
  fi
}
# summary TITLE PREFIX: every result under TITLE, then the last line `PREFIX: N passed, N failed` (`, N skipped` when
# some were skipped), the form CI reads.
summary() {
  echo
  echo "$1:"
  [ ${#results[@]} -eq 0 ] || printf '  %s\n' "${results[@]}"
  echo
  if [ "$skipped" -gt 0 ]; then
    echo "$2: $passed passed, $failed failed, $skipped skipped"
  else
    echo "$2: $passed passed, $failed failed"
  fi
}
