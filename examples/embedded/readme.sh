#!/usr/bin/env bash
# The READMEs' microcontroller examples, run the way Rust runs doctests (make test-embedded, or
# make -C examples/embedded readme): every fenced block of bindings-embedded/README.md and of the
# root README's "Microcontrollers (`no_std`)" section whose info string does not carry the word
# `fragment` after the language (```c fragment) runs, and a failing one fails the suite, named
# by its file, line and first line:
#   - a ```c block is compiled with this example's CFLAGS (arm-none-eabi-gcc -Wall -Wextra
#     -Werror) against taap_embedded.h; a block with `int main` is then linked with startup.o,
#     readme_board.o (the board's key, clock and RNG) and libtaap_embedded.a and run under
#     qemu-system-arm: it must exit 0 and print one token with the board's iat and jti that
#     verifies against the README public key (check-output.py readme);
#   - a ```sh block runs under `bash -euo pipefail` from the repository root;
#   - any other block fails: it needs a runner or the mark.
# Ends with "README examples: N run, M fragments". The Makefile's `readme` target passes CC,
# CFLAGS, LDFLAGS, LIB and QEMU and builds build/startup.o and build/readme_board.o first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$here/build"
# shellcheck source=../../bindings-c/scripts/readme-blocks.sh
source "$root/bindings-c/scripts/readme-blocks.sh"
fail() { echo "test-embedded: $*" >&2; exit 1; }
for name in CC CFLAGS LDFLAGS LIB QEMU; do
    [[ -n "${!name:-}" ]] || fail "readme.sh needs $name (run it through make -C examples/embedded readme)"
done

ran=0 fragments=0
# readme_examples LABEL MARKDOWN BLOCKS_DIR: runs MARKDOWN's blocks, named LABEL:LINE in messages.
readme_examples() {
    local label="$1" markdown="$2" blocks="$3" n lang fragment line first where
    readme_blocks "$markdown" "$blocks"
    while IFS=$'\t' read -r -u 3 n lang fragment line first; do
        where="$label:$line (\`\`\`$lang: $first)"
        if [[ "$fragment" == 1 ]]; then fragments=$((fragments + 1)); continue; fi
        echo "-- $where"
        case "$lang" in
            c)
                # CFLAGS and LDFLAGS hold paths relative to this folder (-I., -T mps2-an386.ld).
                # shellcheck disable=SC2086
                (cd "$here" && $CC $CFLAGS -c "$blocks/$n.c" -o "$blocks/$n.o") || fail "$where does not compile"
                if grep -q '^int main' "$blocks/$n.c"; then
                    # shellcheck disable=SC2086
                    (cd "$here" && $CC $LDFLAGS "$blocks/$n.o" "$build/startup.o" "$build/readme_board.o" "$LIB" \
                        -o "$blocks/$n.elf") || fail "$where does not link"
                    # shellcheck disable=SC2086
                    timeout 300 $QEMU -kernel "$blocks/$n.elf" >"$blocks/$n.out" </dev/null ||
                        { cat "$blocks/$n.out" >&2; fail "$where failed under QEMU"; }
                    python3 "$here/check-output.py" readme "$blocks/$n.out" \
                        "$root/tests/keys/tmobile/readme-public.pem" "$where"
                fi
                ;;
            sh) (cd "$root" && bash -euo pipefail "$blocks/$n.sh" </dev/null) || fail "$where failed" ;;
            *) fail "$where: no runner for \`\`\`$lang blocks; mark it \`\`\`$lang fragment" ;;
        esac
        ran=$((ran + 1))
    done 3<"$blocks/index.tsv"
}
readme_examples bindings-embedded/README.md "$root/bindings-embedded/README.md" "$build/readme"
readme_section "$root/README.md" 'Microcontrollers (`no_std`)' "$build/readme-root.md"
readme_examples README.md "$build/readme-root.md" "$build/readme-root"
echo "README examples: $ran run, $fragments fragments"
