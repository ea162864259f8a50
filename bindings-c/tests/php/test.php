<?php
// PHP test of libtaap through FFI and taap_ffi.h: runs examples/php/pop.php and compares its
// token with the conformance vector, then runs every tokens.json vector and a few error paths
// through the same FFI declarations. Needs TAAP_LIB (path of libtaap.so).
//   TAAP_LIB=target/release/libtaap.so php bindings-c/tests/php/test.php
declare(strict_types=1);

$root = dirname(__DIR__, 3);
$library = getenv('TAAP_LIB') ?: 'libtaap.so';
$taap = FFI::cdef(file_get_contents("$root/bindings-c/include/taap_ffi.h"), $library);
$passed = 0;
$failed = 0;

function check(bool $ok, string $what, string $detail = ''): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        return;
    }
    $failed++;
    fwrite(STDERR, "FAIL $what" . ($detail === '' ? '' : "\n     $detail") . "\n");
}

function check_status(int $status, string $what): bool
{
    global $taap;
    check($status === $taap->TAAP_OK, $what, $taap->taap_status_name($status) . ': ' . $taap->taap_last_error_message());
    return $status === $taap->TAAP_OK;
}

/** Runs the PHP example with arguments and environment; returns [exit code, stdout, stderr]. */
function runExample(array $arguments, array $environment): array
{
    global $root;
    $command = array_merge([PHP_BINARY, "$root/examples/php/pop.php"], $arguments);
    $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $environment + getenv());
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    return [proc_close($process), $out, $err];
}

/** Owned C copies of PHP strings, kept alive by the returned holder. */
final class CStrings
{
    private array $copies = [];

    public function __construct(private FFI $ffi)
    {
    }

    public function of(string $text): FFI\CData
    {
        $this->copies[] = $copy = $this->ffi->new('char[' . (strlen($text) + 1) . ']');
        FFI::memcpy($copy, $text, strlen($text));
        return FFI::cast('const char *', FFI::addr($copy));
    }
}

function entries(FFI $taap, CStrings $strings, array $pairs): FFI\CData
{
    $entries = $taap->new('taap_ehts_entry[' . max(1, count($pairs)) . ']');
    foreach ($pairs as $i => [$name, $value]) {
        $entries[$i]->name = $strings->of($name);
        $entries[$i]->value = $strings->of($value);
    }
    return $entries;
}

$vectors = json_decode(file_get_contents("$root/tests/vectors/tokens.json"), true, 512, JSON_THROW_ON_ERROR);
$docs = array_values(array_filter($vectors['cases'], fn ($case) => $case['name'] === 'docs-orders-post'))[0];
$keyFile = "$root/tests/keys/{$docs['key']}";
$environment = ['TAAP_LIB' => $library];

// The example reproduces the official builder's token when pinned...
[$code, $out, $err] = runExample([$keyFile, (string) $docs['iat'], $docs['jti']], $environment);
check($code === 0, 'pop.php exits 0', $err);
check(trim($out) === $docs['token'], 'pop.php builds the docs-orders-post vector token', trim($out));

// ...and otherwise builds a fresh token that validates against the public key.
[$code, $out, $err] = runExample([$keyFile], $environment);
check($code === 0, 'pop.php exits 0 unpinned', $err);
$strings = new CStrings($taap);
$publicKey = $taap->new('taap_public_key *');
check($taap->taap_public_key_from_file("$root/tests/keys/tmobile/readme-public.pem", FFI::addr($publicKey)) === $taap->TAAP_OK, 'public key loads');
$status = $taap->taap_pop_token_validate(trim($out), $publicKey, entries($taap, $strings, $docs['ehts']), count($docs['ehts']), null);
check($status === $taap->TAAP_OK, 'the unpinned token validates', (string) $taap->taap_last_error_message());

// A failure is reported with the status name and message, and a non-zero exit.
[$code, $out, $err] = runExample(["$root/tests/keys/tmobile/pbes2-aes256-a-private.pem"], $environment);
check($code === 1 && $out === '', 'pop.php fails on a key without its password');
check(str_starts_with($err, 'pop: TAAP_KEY_DECRYPT: cannot decrypt the private key'), 'pop.php reports the status', $err);
[$code, $out] = runExample(["$root/tests/keys/tmobile/pbes2-aes256-a-private.pem"], $environment + ['TAAP_KEY_PASSWORD' => 'foobar']);
check($code === 0 && str_starts_with($out, 'eyJ'), 'pop.php uses TAAP_KEY_PASSWORD');

// Every token vector through the FFI declarations.
foreach ($vectors['cases'] as $case) {
    $key = $taap->new('taap_private_key *');
    $status = $taap->taap_private_key_from_file("$root/tests/keys/{$case['key']}", $case['password'], FFI::addr($key));
    if (!check_status($status, "{$case['name']}: key loads")) {
        continue;
    }
    $options = $taap->new('taap_build_options');
    [$options->ttl_secs, $options->iat, $options->iat_is_set, $options->jti] =
        [$case['ttl_secs'], $case['iat'], true, $strings->of($case['jti'])];
    $token = $taap->new('char *');
    $status = $taap->taap_pop_token_build($key, entries($taap, $strings, $case['ehts']), count($case['ehts']), FFI::addr($options), FFI::addr($token));
    if (check_status($status, "{$case['name']}: builds")) {
        check(FFI::string($token) === $case['token'], "{$case['name']}: token matches the vector");
        $taap->taap_string_free($token);
    }
    $taap->taap_private_key_free($key);
}

// Error paths as PHP callers meet them.
$key = $taap->new('taap_private_key *');
check($taap->taap_private_key_from_pem(null, null, FFI::addr($key)) === $taap->TAAP_NULL_ARGUMENT, 'NULL pem is TAAP_NULL_ARGUMENT');
check($taap->taap_last_error_message() === 'pem is NULL', 'the message names the argument');
check($taap->taap_private_key_from_pem("not a key", null, FFI::addr($key)) === $taap->TAAP_INVALID_KEY, 'garbage is TAAP_INVALID_KEY');
check(FFI::isNull($key), 'no key written on failure');
check($taap->taap_status_name($taap->TAAP_TOKEN_EXPIRED) === 'TAAP_TOKEN_EXPIRED', 'status names');
check($taap->taap_status_name(12345) === null, 'no name for an unknown status');
check($taap->taap_status_description($taap->TAAP_REPLAY) === "The token's `jti` was seen before, or the replay cache is full (it fails closed).", 'status descriptions');
$taap->taap_public_key_free($publicKey);

printf("%d passed, %d failed\n", $passed, $failed);
exit($failed === 0 ? 0 : 1);
