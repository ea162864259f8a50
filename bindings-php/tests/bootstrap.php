<?php
// Loaded by the PHPUnit suite: the extension check, paths and the vector files.
declare(strict_types=1);

if (!extension_loaded('taap-php')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libtaap_php.so …\n");
    exit(1);
}

const TAAP_TESTS = __DIR__ . '/../../tests';
const TAAP_KEYS = TAAP_TESTS . '/keys';

require_once __DIR__ . '/../php/autoload.php';

/** One file of tests/vectors, decoded. */
function taap_vectors(string $name): array
{
    return json_decode(file_get_contents(TAAP_TESTS . "/vectors/$name"), true, 512, JSON_THROW_ON_ERROR);
}

/** `ok`, or the core kind name of the TaapException an action threw. */
function taap_outcome(callable $action): string
{
    try {
        $action();
        return 'ok';
    } catch (Taap\TaapException $error) {
        return preg_replace('/^Taap\\\\(.*)Exception$/', '$1', get_class($error));
    }
}
