#!/bin/sh
# tools/trace_step.py on a made-up step trace whose timeline is known: 5
# layers of the decode step's 7 kernels (3 blocks each, named by the real
# PDL_WAIT lines of src/kernels.cu) and an lm_head, every launch starting
# 100 ns after the one before it ended, kernel k waiting 300 + 50k ns and
# ending 2000 + 1000k ns after its start. So kernel k adds 100 + 2000 + 1000k
# ns to the step (its "exposed"), its wait returns 100 + 300 + 50k ns after the
# kernel ahead ended ("dep"), and a layer takes 35.7 us; --blocks shows its
# blocks' exits and triggers after the release. Also: a file that is not a
# trace is refused.
cd "$(dirname "$0")/.." || exit 1
if ! command -v python3 >/dev/null; then
    echo "skip no python3"
    echo "RESULT 0 passed, 0 failed, 1 skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

python3 - "$tmp/t.bin" <<'PY'
import struct, sys
sys.path.insert(0, "tools")
import trace_step
line = {}
for ln, name in sorted(trace_step.kernel_names("src/kernels.cu").items()):
    line.setdefault(name, ln)
seq = [("gemv_bf16_body", 512), ("attn_split_body", 8), ("k_attn_merge", 48), ("gemv_bf16_body", 384),
       ("gemv_bf16_body", 64), ("moe_gate_up_h2_body", 264), ("k_moe_down_h2_c", 384)]
recs, S = [], 1000000
for layer in range(5):
    for k, (name, grid) in enumerate(seq):
        W, E = 300 + 50 * k, 2000 + 1000 * k
        for b in range(3):  # blocks start 100 ns apart, are released together, trigger 50, 100, 150 ns
            # after the release and end 400, 200, 0 ns before the last
            recs.append(struct.pack("<QIIIIII", S + 100 * b, W - 100 * b, W + 50 - 50 * b, E - 400 + 100 * b,
                                    line[name] << 16 | b, grid, b))
        S += E + 100
recs.append(struct.pack("<QIIIIII", S, 300, 0, 9000, line["gemv_bf16_body"] << 16, 6252, 0))
with open(sys.argv[1], "wb") as f:
    f.write(b"mmtrace1" + struct.pack("<II", len(recs), 32) + b"".join(recs))
PY
python3 tools/trace_step.py "$tmp/t.bin" --layer 2 >"$tmp/out.txt" 2>&1
rc=$?
cat "$tmp/out.txt"
[ $rc -eq 0 ] && ok "trace_step.py exits 0" || fail "trace_step.py exited $rc"
python3 tools/trace_step.py "$tmp/t.bin" --blocks >"$tmp/blocks.txt" 2>&1
# --blocks: gate/up (kernel 5: ends 6.45 us after its release) exits p10 / p50 / p90 / last, triggers
got=$(grep "^moe_gate_up_h2_body" "$tmp/blocks.txt" | tail -1 | awk '{ $1 = ""; print substr($0, 2) }')
want="6.05 6.25 6.45 6.45 0.05 0.10 0.15"
[ "$got" = "$want" ] && ok "--blocks: gate/up $want" || fail "--blocks: gate/up wanted '$want', got '$got'"
# kernel, blocks, exposed, dep, work, early (us)
for want in "q|k|v (norm) 3 2.10 0.40 1.70 0.30" "attn_split_body 3 3.10 0.45 2.65 0.35" \
    "k_attn_merge 3 4.10 0.50 3.60 0.40" "o_proj 3 5.10 0.55 4.55 0.45" "router (norm) 3 6.10 0.60 5.50 0.50" \
    "moe_gate_up_h2_body 3 7.10 0.65 6.45 0.55" "k_moe_down_h2_c 3 8.10 0.70 7.40 0.60" "sum 35.70"; do
    name=${want% 3 *}
    [ "$want" = "sum 35.70" ] && name=sum
    got=$(grep -F "$name " "$tmp/out.txt" | grep -v "^layer" | head -1 | awk '{ n = NF; if ($1 == "sum") print "sum", $2; else print substr($0, 1, 20), $(n-5), $(n-4), $(n-3), $(n-2), $(n-1) }' |
        sed 's/  *\([0-9]\)/ \1/')
    if [ "$got" = "$want" ]; then ok "$want"; else fail "wanted '$want', got '$got'"; fi
done
grep -q "median 35.70 us" "$tmp/out.txt" && ok "layer median 35.70 us" || fail "layer median is not 35.70 us"
grep -q "after the layers: lm_head 8.7 us" "$tmp/out.txt" && ok "lm_head after the layers" || fail "no lm_head line"
printf 'not a trace' >"$tmp/bad.bin"
if python3 tools/trace_step.py "$tmp/bad.bin" >"$tmp/bad.txt" 2>&1; then fail "a non-trace file is accepted"
elif grep -q "not a step trace" "$tmp/bad.txt"; then ok "a non-trace file is refused with a message"
else fail "a non-trace file: $(cat "$tmp/bad.txt")"; fi
echo "RESULT $passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
