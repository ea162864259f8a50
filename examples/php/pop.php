<?php
// Builds the PoP token for a POST to T-Mobile's orders API with libtaap through PHP's FFI.
//   php pop.php KEY.pem [IAT JTI]      (IAT and JTI pin the token, to reproduce a known one)
// TAAP_LIB names libtaap.so (default: found by the dynamic loader), TAAP_FFI_HEADER its
// taap_ffi.h (default: the repository's), TAAP_KEY_PASSWORD the password of an encrypted key.
$header = getenv('TAAP_FFI_HEADER') ?: __DIR__ . '/../../bindings-c/include/taap_ffi.h';
$taap = FFI::cdef(file_get_contents($header), getenv('TAAP_LIB') ?: 'libtaap.so');
[, $keyFile, $iat, $jti] = $argv + [null, null, null, null];

$copies = [];  // C strings handed to libtaap must live until the call returns
$cString = function (string $text) use ($taap, &$copies): FFI\CData {
    $copies[] = $copy = $taap->new('char[' . (strlen($text) + 1) . ']');  // zero-filled
    FFI::memcpy($copy, $text, strlen($text));
    return FFI::cast('const char *', FFI::addr($copy));
};
$ehts = [
    'Content-Type' => 'application/json',
    'Authorization' => 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS',
    'uri' => '/commerce/v1/orders',
    'http-method' => 'POST',
    'body' => '{"orderId": 100, "product": "Mobile Phone"}',
];
$entries = $taap->new('taap_ehts_entry[' . count($ehts) . ']');
foreach (array_keys($ehts) as $i => $name) {
    $entries[$i]->name = $cString($name);
    $entries[$i]->value = $cString($ehts[$name]);
}
$options = $taap->new('taap_build_options');  // zeroed: 120 s validity, the clock, a random jti
if ($jti !== null) {
    [$options->iat, $options->iat_is_set, $options->jti] = [(int) $iat, true, $cString($jti)];
}

$key = $taap->new('taap_private_key *');  // parse once, then sign any number of tokens
$token = $taap->new('char *');
$status = $taap->taap_private_key_from_pem(file_get_contents($keyFile), getenv('TAAP_KEY_PASSWORD') ?: null, FFI::addr($key));
if ($status === $taap->TAAP_OK) {
    $status = $taap->taap_pop_token_build($key, $entries, count($ehts), FFI::addr($options), FFI::addr($token));
}
if ($status !== $taap->TAAP_OK) {
    fwrite(STDERR, 'pop: ' . $taap->taap_status_name($status) . ': ' . $taap->taap_last_error_message() . "\n");
    exit(1);
}
echo FFI::string($token), "\n";
$taap->taap_string_free($token);
$taap->taap_private_key_free($key);
