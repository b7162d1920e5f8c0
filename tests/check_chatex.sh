#!/bin/sh
# minimax-chat as a user runs it, on the tiny checkpoint with a tokenizer cut
# to its 512 ids (tests/chat/tokenizer_tiny.json). Without a GPU it must stop
# with a clear MINIMAX_ERR_NO_DEVICE and a non-zero exit, not crash; with one
# it must chat (scripted through stdin), report its speed, handle a full
# context and /reset. Needs `make` (build/minimax-chat) first.
# Then minimax-chat's loop on the CPU with a fake engine that replays scripted
# replies (tests/fake_engine/minimax_nvfp4.h): what the model is shown each
# turn, streaming, -n, a full context, /reset, /quit, tool calls.
# Then the same for `minimax-generate -p TEXT [--chat]` (examples/generate.c).
cd "$(dirname "$0")/.." || exit 1
chat=build/minimax-chat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; sed 's/^/    /' "$tmp/err" | head -n 20; failed=$((failed + 1)); }
# run NAME EXPECTED_RC GREP_STDERR INPUT ARGS...
run() {
    name=$1 want=$2 pattern=$3 input=$4
    shift 4
    printf '%s' "$input" | "$chat" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$tmp/err"; then ok "$name"; else
        echo "    exit $rc (want $want), stderr should match '$pattern'"; bad "$name"; fi
}

if [ ! -x "$chat" ]; then echo "FAIL $chat was not built"; echo "RESULT 0 passed, 1 failed, 0 skipped"; exit 1; fi
mkdir "$tmp/empty" "$tmp/notok"
cp -r tests/data/golden/tiny/checkpoint "$tmp/m"
cp -r tests/data/golden/tiny/checkpoint/. "$tmp/notok/"
cp tests/chat/tokenizer_tiny.json "$tmp/m/tokenizer.json"
cp tests/chat/tokenizer_tiny.json "$tmp/empty/tokenizer.json"

run usage 2 "usage: minimax-chat" "" --temp 0.5
run unknown-option 2 "usage: minimax-chat" "" -m "$tmp/m" --bogus 1
run no-tokenizer 1 "cannot load the tokenizer: MINIMAX_ERR_IO: .*tokenizer.json" "hi
" -m "$tmp/notok"
run not-a-checkpoint 1 "cannot load the model: MINIMAX_ERR_IO: .*config.json" "hi
" -m "$tmp/empty"

# a tokenizer larger than the model's vocabulary (checked before the GPU is touched)
mkdir "$tmp/big" && cp -r tests/data/golden/tiny/checkpoint/. "$tmp/big/" && cp tests/chat/tokenizer_small.json "$tmp/big/tokenizer.json"
run tokenizer-mismatch 1 "tokenizer.json has 200054 tokens, more than the model: they do not belong together" "hi
" -m "$tmp/big"

printf 'Hello\n' | "$chat" -m "$tmp/m" -n 8 >"$tmp/out" 2>"$tmp/err"
rc=$?
if grep -q MINIMAX_ERR_NO_DEVICE "$tmp/err"; then
    # no GPU (or no driver): a clear message, exit 1, no crash
    if [ "$rc" -eq 1 ] && grep -q "cannot load the model: MINIMAX_ERR_NO_DEVICE" "$tmp/err"; then ok no-device; else
        echo "    exit $rc"; bad no-device; fi
    echo "    skipped: the chat itself needs a GPU"
    skipped=$((skipped + 1))
else
    # a GPU: two scripted turns, each reported on stderr
    if [ "$rc" -eq 0 ] && [ "$(grep -c '^\[prefill' "$tmp/err")" -eq 1 ]; then ok chat-one-turn; else
        echo "    exit $rc"; bad chat-one-turn; fi
    run chat-two-turns 0 "decode .* tok/s" "Hello
How are you?
" -m "$tmp/m" -n 8 --show-reasoning
    [ "$(grep -c '^\[prefill' "$tmp/err")" -eq 2 ] && ok two-reports || bad two-reports
    long=$(printf 'word %.0s' $(seq 1 100))
    run context-full 0 "no longer fits the context of 64 tokens; type /reset" "$long
/reset
hi
" -m "$tmp/m" -n 4 --max-ctx 64
    grep -q '^\[prefill' "$tmp/err" && ok after-reset || bad after-reset
    # the prompt of "hi" is 44 tokens: 8 more fill a context of 52
    run cut-by-context 0 "the context is full" "hi
" -m "$tmp/m" --max-ctx 52
fi

# ---- minimax-chat's loop with the fake engine
fake=$tmp/chat-fake
if ${CC:-cc} -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -Itests/fake_engine -I. -o "$fake" examples/chat.c -ldl -lm -lpthread 2>"$tmp/err"; then ok fake-builds; else
    bad fake-builds; fake=; fi
# fake NAME WANT_RC INPUT REPLIES ARGS...: stdout in out, stderr in err, the engine's log in log
fake() {
    name=$1 want=$2 input=$3
    printf '%s' "$4" >"$tmp/replies"
    shift 4
    printf '%s' "$input" | FAKE_REPLIES="$tmp/replies" FAKE_LOG="$tmp/log" "$fake" -m "$tmp/m" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { echo "    exit $rc, want $want"; cat "$tmp/log" >>"$tmp/err"; bad "$name"; return 1; }
}
expect_out() { # NAME TEXT: stdout is exactly TEXT
    printf '%s' "$2" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/out"; then ok "$1"; else
        { echo "stdout:"; cat "$tmp/out"; echo "wanted:"; cat "$tmp/want"; } >>"$tmp/err"; bad "$1"; fi
}
expect() { # NAME FILE PATTERN...: each pattern matches a line of FILE
    name=$1 file=$2
    shift 2
    for pat in "$@"; do
        grep -q -- "$pat" "$tmp/$file" || { echo "    no line of $file matches '$pat'" >>"$tmp/err"; [ "$file" = err ] || cat "$tmp/$file" >>"$tmp/err"; bad "$name"; return 1; }
    done
    ok "$name"
}
two='Thinking one.
</think>

Answer one.
---
Thinking two.
</think>

Answer 😀 two.'
if [ -n "$fake" ]; then
    # two turns: the second prompt keeps reply 1's answer and drops its reasoning; the session is cut
    # back to where the two prompts part (turn 1's <think>) and only the rest is prefilled
    fake two-turns 0 "Hi
Again
" "$two" && expect_out two-turns-text "Answer one.
Answer 😀 two.
"
    expect two-turns-prompts log '^prefill 44 at 0$' '^truncate 42$' '^prefill [0-9]* at 42$' \
        'holds .*user\\nHi\[e~\[\\n\]~b\]ai\\nAnswer one\.\[e~\[\\n\]~b\]user\\nAgain\[e~\[\\n\]~b\]ai\\n<think>\\n$'
    grep -q 'Thinking one' "$tmp/log" && bad two-turns-drop-reasoning || ok two-turns-drop-reasoning
    expect two-turns-stats err '^\[prefill 44 tokens (0 reused) .* | 19 tokens, decode .* | context 63/4096\]$'
    fake show-reasoning 0 "Hi
Again
" "$two" --show-reasoning && expect_out show-reasoning-text "| Thinking one.
Answer one.
| Thinking two.
Answer 😀 two.
"
    fake system 0 "Hi" "$two" --system "Be brief." && expect system-prompt log 'holds \]~!b\[\]~b\]system\\nBe brief\.\[e~\[\\n\]~b\]user\\nHi\['
    fake tool-call 0 "Weather?
" 'Need a tool.
</think>

<minimax:tool_call>
<invoke name="get_weather">
<parameter name="city">Paris</parameter>
</invoke>
</minimax:tool_call>' && expect_out tool-call-text '[tool call] get_weather {"city": "Paris"}
'
    # a reply cut inside its reasoning: nothing but the reasoning to show
    fake limit 0 "Hi
" "@" -n 5 --show-reasoning && expect limit-cut err 'reply cut after 5 tokens: the -n limit was reached' &&
        expect_out limit-text "| aaaaa
"
    fake limit-hidden 0 "Hi
" "@" -n 5 && expect_out limit-hidden-text ""
    # "hi" is 44 tokens: 8 steps fill 52; the next message no longer fits; /reset clears it
    fake context-full 0 "hi
more
/reset
hi
" "@
---
</think>
Ok." --max-ctx 52 --show-reasoning && expect context-full-msgs err 'the context is full; type /reset' \
        'conversation (59 tokens) no longer fits the context of 52 tokens; type /reset' '(new conversation)' \
        '| 9 tokens, .* context 52/52' '| 5 tokens, .* context 49/52'
    expect_out context-full-text "| aaaaaaaaa
Ok.
"
    fake quit 0 "Hi
/quit
Again
" "$two" && expect_out quit-text "Answer one.
"
    fake eof-without-newline 0 "Hi" "$two" && expect_out eof-text "Answer one.
"
    fake crlf-and-blank-lines 0 "
Hi
Again
" "$two" && expect_out crlf-text "Answer one.
Answer 😀 two.
"
    # Ctrl-C stops a reply, not the program (each step takes 20 ms here)
    printf '@' >"$tmp/replies"
    rm -f "$tmp/log" && mkfifo "$tmp/fifo"
    FAKE_STEP_MS=20 FAKE_REPLIES="$tmp/replies" FAKE_LOG="$tmp/log" "$fake" -m "$tmp/m" --max-ctx 400 <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    exec 3>"$tmp/fifo"
    echo hi >&3
    n=0
    while ! grep -q '^step at 50$' "$tmp/log" 2>/dev/null && [ $n -lt 400 ]; do sleep 0.05; n=$((n + 1)); done
    kill -INT $pid
    exec 3>&- # end of input: the program ends after the reply
    wait $pid
    rc=$?
    [ $rc -eq 0 ] && grep -q 'reply cut after .* tokens: interrupted' "$tmp/err" && ok interrupt || { echo "    exit $rc"; bad interrupt; }
fi

# minimax-generate -p TEXT [--chat]
gen=build/minimax-generate gen_src=examples/generate.c
# its text loop on the fake engine: the ids alone on stdout (ending with [e~[ = 420 with --chat), the text on stderr
if [ -n "$gen" ] && ${CC:-cc} -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -Itests/fake_engine -I. -o "$tmp/gen-fake" "$gen_src" -ldl -lm -lpthread 2>"$tmp/err"; then
    printf '%s' "$two" >"$tmp/replies"
    FAKE_REPLIES="$tmp/replies" FAKE_LOG="$tmp/log" "$tmp/gen-fake" -m "$tmp/m" -p "Hi" --chat >"$tmp/out" 2>"$tmp/err" &&
        grep -Eq '^([0-9]+,){19}420$' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
        sed -n '/^reply:$/,/^Answer one\.$/p' "$tmp/err" >"$tmp/text" && printf 'reply:\n| Thinking one.\nAnswer one.\n' | cmp -s - "$tmp/text" &&
        grep -q '^prefill 44 at 0$' "$tmp/log" && grep -q 'decode: 19 tokens' "$tmp/err" && ok generate-chat-fake ||
        { cat "$tmp/out" >>"$tmp/err"; bad generate-chat-fake; }
    printf '@' >"$tmp/replies"
    a=$(printf a | build/minimax-tokenize tests/chat/tokenizer_tiny.json)
    FAKE_REPLIES="$tmp/replies" FAKE_LOG="$tmp/log" "$tmp/gen-fake" -m "$tmp/m" -p "<think>" -n 5 >"$tmp/out" 2>"$tmp/err" &&
        [ "$(cat "$tmp/out")" = "$a,$a,$a,$a,$a" ] && grep -q '^text: aaaaa$' "$tmp/err" &&
        grep -q '^prefill 1 at 0$' "$tmp/log" && grep -q 'holds <think>$' "$tmp/log" &&
        ok generate-text-fake || { cat "$tmp/out" >>"$tmp/err"; bad generate-text-fake; }
else
    bad generate-fake-builds
fi
if [ -n "$gen" ]; then
    chat=$gen
    run generate-no-tokenizer 1 "-p TEXT needs .*tokenizer.json, which does not exist" "" -m "$tmp/notok" -p hi
    run generate-chat-no-tokenizer 1 "--chat needs .*tokenizer.json, which does not exist" "" -m "$tmp/notok" -p hi --chat
    run generate-chat-needs-text 2 "usage: minimax-generate" "" -m "$tmp/m" --prompt-ids 1,2 --chat
    "$gen" -m "$tmp/m" -p "Hello" --chat -n 8 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if grep -q MINIMAX_ERR_NO_DEVICE "$tmp/err"; then
        [ "$rc" -eq 1 ] && ok generate-chat-no-device || bad generate-chat-no-device
    else
        # a GPU: the ids alone on stdout, the reply on stderr
        [ "$rc" -eq 0 ] && grep -Eq '^[0-9]+(,[0-9]+)*$' "$tmp/out" && grep -q '^reply:$' "$tmp/err" && ok generate-chat || bad generate-chat
        run generate-text 0 "^text: " "" -m "$tmp/m" -p "]~b]user
hi" -n 4
    fi
fi
echo "RESULT $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
