package dev.taap.bench

import dev.taap.EhtsEntry
import dev.taap.PopToken
import dev.taap.PrivateKey
import java.io.File

private fun rssKb(): Long =
    File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }.split(Regex("\\s+"))[1].toLong()

/** 100 000 builds in one JVM with a fixed, pre-touched heap: RSS after warm-up and at the end. */
fun main(args: Array<String>) {
    val key = PrivateKey.fromFile(args[0])
    val ehts = listOf(EhtsEntry("Content-Type", "application/json"), EhtsEntry("uri", "/v1/x"), EhtsEntry("http-method", "GET"))
    val total = args.getOrNull(1)?.toInt() ?: 100_000
    repeat(5_000) { PopToken.decode(PopToken.build(key, ehts)) }
    val start = rssKb()
    for (i in 1..total) {
        PopToken.decode(PopToken.build(key, ehts))
        if (i % 20_000 == 0) println("$i builds: RSS ${rssKb() / 1024} MiB")
    }
    val grown = rssKb() - start
    println("RSS after warm-up ${start / 1024} MiB, after $total builds +$grown KiB")
    if (grown > 8 * 1024) throw IllegalStateException("RSS grew by $grown KiB")
}
