package dev.taap

import java.math.BigDecimal
import java.math.BigInteger
import java.util.Collections

// Options cross to the core as one JSON object and settings views come back as one, so the jar
// needs no JSON library: this writer takes what a Kotlin or Java map of options holds, and the
// reader reads what the core writes (maps, lists, strings, Long or Double numbers, booleans, null).

/** [options] as JSON text; a value with no JSON form is a [TaapException.Config] naming its option. */
internal fun optionsJson(options: Map<String, Any?>): String = buildString {
    append('{')
    options.entries.forEachIndexed { index, (name, value) ->
        if (index > 0) append(',')
        appendString(name)
        append(':')
        appendValue(name, value)
    }
    append('}')
}

private fun StringBuilder.appendValue(option: String, value: Any?) {
    when (value) {
        null -> append("null")
        is String -> appendString(value)
        is Boolean, is Byte, is Short, is Int, is Long, is BigInteger, is BigDecimal -> append(value.toString())
        is Double, is Float -> appendFinite(option, value)
        is Map<*, *> -> appendMap(option, value)
        is Iterable<*> -> appendList(option, value)
        is Array<*> -> appendList(option, value.asIterable())
        else -> throw TaapException.Config(
            "invalid configuration: option $option holds a ${value.javaClass.name}; give a string, number, boolean, list or map",
        )
    }
}

private fun StringBuilder.appendFinite(option: String, number: Number) {
    if (!number.toDouble().isFinite()) {
        throw TaapException.Config("invalid configuration: option $option is $number; give a finite number")
    }
    append(number.toString())
}

private fun StringBuilder.appendMap(option: String, map: Map<*, *>) {
    append('{')
    map.entries.forEachIndexed { index, (name, value) ->
        if (name !is String) {
            throw TaapException.Config("invalid configuration: option $option has a key that is not a string: $name")
        }
        if (index > 0) append(',')
        appendString(name)
        append(':')
        appendValue(option, value)
    }
    append('}')
}

private fun StringBuilder.appendList(option: String, items: Iterable<*>) {
    append('[')
    items.forEachIndexed { index, item ->
        if (index > 0) append(',')
        appendValue(option, item)
    }
    append(']')
}

private fun StringBuilder.appendString(text: String) {
    append('"')
    for (char in text) {
        when {
            char == '"' -> append("\\\"")
            char == '\\' -> append("\\\\")
            char < ' ' -> append("\\u%04x".format(char.code))
            else -> append(char)
        }
    }
    append('"')
}

/** The JSON object the core wrote, read-only. */
@Suppress("UNCHECKED_CAST")
internal fun jsonObject(text: String): Map<String, Any?> = JsonReader(text).document() as Map<String, Any?>

/** The JSON list of objects the core wrote, read-only. */
@Suppress("UNCHECKED_CAST")
internal fun jsonObjects(text: String): List<Map<String, Any?>> = JsonReader(text).document() as List<Map<String, Any?>>

/** Reads one JSON document written by the core (well-formed by construction). */
private class JsonReader(private val text: String) {
    private var at = 0

    fun document(): Any? = value().also {
        space()
        check(at == text.length) { "trailing text after the core's JSON at $at" }
    }

    private fun space() {
        while (at < text.length && text[at].isWhitespace()) at++
    }

    private fun value(): Any? {
        space()
        return when (val char = text[at]) {
            '{' -> members()
            '[' -> items()
            '"' -> string()
            't' -> word("true", true)
            'f' -> word("false", false)
            'n' -> word("null", null)
            else -> if (char == '-' || char.isDigit()) number() else error("unexpected '$char' in the core's JSON at $at")
        }
    }

    private fun word(word: String, result: Any?): Any? {
        check(text.startsWith(word, at)) { "bad literal in the core's JSON at $at" }
        at += word.length
        return result
    }

    private fun number(): Any {
        val start = at
        while (at < text.length && text[at] in "+-0123456789.eE") at++
        val written = text.substring(start, at)
        val whole = written.none { it in ".eE" }
        return (if (whole) written.toLongOrNull() else null) ?: written.toDouble()
    }

    private fun members(): Map<String, Any?> {
        val result = LinkedHashMap<String, Any?>()
        at++
        space()
        if (text[at] == '}') return Collections.unmodifiableMap(result).also { at++ }
        while (true) {
            space()
            val name = string()
            space()
            check(text[at++] == ':') { "':' expected in the core's JSON at ${at - 1}" }
            result[name] = value()
            space()
            if (text[at++] == '}') return Collections.unmodifiableMap(result)
        }
    }

    private fun items(): List<Any?> {
        val result = ArrayList<Any?>()
        at++
        space()
        if (text[at] == ']') return Collections.unmodifiableList(result).also { at++ }
        while (true) {
            result.add(value())
            space()
            if (text[at++] == ']') return Collections.unmodifiableList(result)
        }
    }

    private fun string(): String {
        check(text[at++] == '"') { "'\"' expected in the core's JSON at ${at - 1}" }
        val out = StringBuilder()
        while (true) {
            when (val char = text[at++]) {
                '"' -> return out.toString()
                '\\' -> out.append(escaped())
                else -> out.append(char)
            }
        }
    }

    private fun escaped(): Char = when (val char = text[at++]) {
        'n' -> '\n'
        't' -> '\t'
        'r' -> '\r'
        'b' -> '\b'
        'f' -> '\u000c'
        'u' -> text.substring(at, at + 4).toInt(16).toChar().also { at += 4 }
        else -> char
    }
}
