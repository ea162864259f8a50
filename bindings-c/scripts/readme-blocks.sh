# Sourced by the doors' test scripts (bindings-c, bindings-kotlin, examples/embedded): the fenced
# blocks of a README, or of one section of it, for running its examples the way Rust runs
# doctests.
#
# The convention, shared by every door: a fenced block whose info string has the word
# `fragment` after the language (```java fragment) is a deliberate fragment and is not run; any
# other block is run by its door's test suite, and a failing block fails the suite.
#
#   readme_blocks README OUTDIR
#
# writes each block's text to OUTDIR/NN.LANG (NN counts from 01, in README order) and one line
# per block to OUTDIR/index.tsv: NN, language, 1 for a fragment (else 0), the README line of
# the opening fence, and the block's first line (for messages). A fence may be indented (a
# block inside a list item): the opening fence's indentation is taken off the block's lines.
# Fails on an unclosed fence.
readme_blocks() {
    local readme="$1" out="$2"
    rm -rf "$out" && mkdir -p "$out"
    awk -v out="$out" '
        function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
        !inside && /^[ \t]*```/ {
            indent = $0; sub(/```.*$/, "", indent)
            info = trim(substr($0, length(indent) + 4)); n_words = split(info, words, /[ \t]+/)
            lang = (n_words > 0 && words[1] != "") ? words[1] : "text"
            fragment = 0
            for (w = 2; w <= n_words; w++) if (words[w] == "fragment") fragment = 1
            count++; name = sprintf("%02d", count); file = out "/" name "." lang
            printf "" > file
            inside = 1; opened = NR; first = ""
            next
        }
        inside && /^[ \t]*```[ \t]*$/ {
            close(file)
            printf "%s\t%s\t%d\t%d\t%s\n", name, lang, fragment, opened, first >> (out "/index.tsv")
            inside = 0
            next
        }
        inside {
            if (indent != "" && substr($0, 1, length(indent)) == indent) $0 = substr($0, length(indent) + 1)
            print >> file
            if (first == "" && trim($0) != "") { first = trim($0); gsub(/\t/, " ", first) }
        }
        END {
            if (inside) { printf "%s:%d: the fence opened here is never closed\n", FILENAME, opened > "/dev/stderr"; exit 1 }
        }
    ' "$readme"
    touch "$out/index.tsv"
}

# One `## HEADING` section of a markdown file, for running the examples of one section (the
# root README's "C and C++", say) with readme_blocks:
#
#   readme_section README HEADING OUTFILE
#
# writes OUTFILE with README's lines from the line `## HEADING` up to the next `## ` heading
# outside a fenced block (or the end), and every other line blank, so that a line number in
# OUTFILE is the same line in README. Fails when README has no such heading.
readme_section() {
    local readme="$1" heading="$2" out="$3"
    awk -v heading="## $heading" '
        !fenced && /^## / { inside = ($0 == heading); if (inside) found = 1 }
        /^[ \t]*```/ { fenced = !fenced }
        { print (inside ? $0 : "") }
        END { if (!found) { printf "%s has no section \"%s\"\n", FILENAME, heading > "/dev/stderr"; exit 1 } }
    ' "$readme" >"$out"
}

# Points a block at the local gateway: every https://api.t-mobile.com and
# https://naas.t-mobile.com in FILE becomes GATEWAY (http://127.0.0.1:PORT). Only for a README
# that says so ("the tests run these against `taap serve`").
readme_to_gateway() {
    local file="$1" gateway="$2"
    sed -i -e "s#https://api\.t-mobile\.com#$gateway#g" -e "s#https://naas\.t-mobile\.com#$gateway#g" "$file"
}
