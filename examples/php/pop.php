<?php
// Builds the PoP token for a POST to T-Mobile's orders API with libtaap through PHP's FFI, for
// hosts that cannot load the taap-php extension (bindings-php/ is the first choice).
//   php pop.php KEY.pem [IAT JTI]      (IAT and JTI pin the token, to reproduce a known one)
// TAAP_LIB names libtaap.so (default: the repository's target/release/libtaap.so), TAAP_FFI_HEADER
// its taap_ffi.h (default: the repository's), TAAP_KEY_PASSWORD the password of an encrypted key.
declare(strict_types=1);

require __DIR__ . '/../../bindings-php/php/autoload.php';

use Taap\Ffi\FfiException;
use Taap\Ffi\FfiPopToken;

[, $keyFile, $iat, $jti] = $argv + [null, null, null, null];
$ehts = [
    'Content-Type' => 'application/json',
    'Authorization' => 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS',
    'uri' => '/commerce/v1/orders',
    'http-method' => 'POST',
    'body' => '{"orderId": 100, "product": "Mobile Phone"}',
];
try {
    $signer = FfiPopToken::fromFile($keyFile, getenv('TAAP_KEY_PASSWORD') ?: null);  // parse once, sign any number
    echo $signer->build($ehts, $jti === null ? [] : ['iat' => (int) $iat, 'jti' => $jti]), "\n";
} catch (FfiException | RuntimeException $error) {
    fwrite(STDERR, "pop: {$error->getMessage()}\n");
    exit(1);
}
