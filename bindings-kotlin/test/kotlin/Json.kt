package dev.taap.test

/** A minimal JSON reader for the committed test vectors (no JSON library is on the class path). */
class Json private constructor(private val text: String) {
    private var at = 0

    companion object {
        /** Parses one JSON document into maps, lists, strings, longs, doubles, booleans and nulls. */
        fun parse(text: String): Any? = Json(text).run { value().also { space(); check(at == text.length) { "trailing text at $at" } } }
    }

    private fun space() {
        while (at < text.length && text[at].isWhitespace()) at++
    }

    private fun value(): Any? {
        space()
        return when (val c = text[at]) {
            '{' -> obj()
            '[' -> list()
            '"' -> string()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> if (c == '-' || c.isDigit()) number() else error("unexpected '$c' at $at")
        }
    }

    private fun literal(word: String, result: Any?): Any? {
        check(text.startsWith(word, at)) { "bad literal at $at" }
        at += word.length
        return result
    }

    /** A whole number as a Long, one with a fraction or exponent as a Double (`10.0` stays a Double). */
    private fun number(): Any {
        val start = at
        while (at < text.length && text[at] in "+-0123456789.eE") at++
        val written = text.substring(start, at)
        return if (written.any { it in ".eE" }) written.toDouble() else written.toLong()
    }

    private fun obj(): Map<String, Any?> {
        val result = LinkedHashMap<String, Any?>()
        at++
        space()
        if (text[at] == '}') return result.also { at++ }
        while (true) {
            space()
            val key = string()
            space()
            check(text[at++] == ':')
            result[key] = value()
            space()
            if (text[at++] == '}') return result
        }
    }

    private fun list(): List<Any?> {
        val result = ArrayList<Any?>()
        at++
        space()
        if (text[at] == ']') return result.also { at++ }
        while (true) {
            result.add(value())
            space()
            if (text[at++] == ']') return result
        }
    }

    private fun string(): String {
        check(text[at++] == '"')
        val out = StringBuilder()
        while (true) {
            val c = text[at++]
            when (c) {
                '"' -> return out.toString()
                '\\' -> when (val e = text[at++]) {
                    'n' -> out.append('\n')
                    't' -> out.append('\t')
                    'r' -> out.append('\r')
                    'b' -> out.append('\b')
                    'f' -> out.append('\u000c')
                    'u' -> out.append(text.substring(at, at + 4).toInt(16).toChar()).also { at += 4 }
                    else -> out.append(e)
                }
                else -> out.append(c)
            }
        }
    }
}
