# TAP for the bash suites (Tests/bundle, Tests/sharded), sourced: counts in $n and $failed;
# the suite ends with: echo "1..$n"; [ $failed = 0 ].
n=0; failed=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
not_ok() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check DESCRIPTION SHELL-CONDITION: ok when the condition (eval'd) holds.
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
# is GOT EXPECTED DESCRIPTION: equal strings; on failure both are shown (a diff when long).
is() {
    if [ "$1" = "$2" ]; then ok "$3"; return 0; fi
    not_ok "$3"
    if [ "$(printf '%s\n' "$1" "$2" | wc -l)" -gt 4 ]; then
        diag "diff expected got:"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | head -60 | diag "$(cat)"
    else
        diag "got:      $1" "expected: $2"
    fi
    return 1
}
