package dev.taap

import dev.taap.ffi.errorKinds

/** One row of the core's error table: every binding names and numbers its errors from it. */
data class ErrorKind(
    /** The kind's name, e.g. `TokenExpired` (the [TaapException] subclass's name). */
    val name: String,
    /** The stable code, e.g. `TAAP_TOKEN_EXPIRED`. */
    val code: String,
    /** The kind's value of the C `taap_status` enum. */
    val cStatus: Int,
    /** One line saying what went wrong. */
    val description: String,
) {
    /** The table, read once from the core. */
    companion object {
        /** Every kind the core can raise, in the design contract's order. */
        @JvmStatic
        val ALL: List<ErrorKind> by lazy {
            errorKinds().map { ErrorKind(it.name, it.code, it.cStatus.toInt(), it.description) }
        }

        /** The kind with this `TAAP_*` code. */
        @JvmStatic
        fun of(code: String): ErrorKind = ALL.first { it.code == code }
    }
}
