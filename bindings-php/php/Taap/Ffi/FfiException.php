<?php
declare(strict_types=1);

namespace Taap\Ffi;

/** A libtaap status other than TAAP_OK: getCode() is the taap_status, getKind() its name. */
final class FfiException extends \RuntimeException
{
    public function __construct(private string $kind, string $message, int $status)
    {
        parent::__construct("$kind: $message", $status);
    }

    /** The status name, e.g. TAAP_KEY_DECRYPT (the extension's getKind() names the same). */
    public function getKind(): string
    {
        return $this->kind;
    }
}
