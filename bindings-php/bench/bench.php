<?php
// PoP token throughput in one PHP process: taap against the token PHP users write from
// T-Mobile's JSON sketch (openssl_sign + base64url + hash('sha256')), with the key loaded once
// and with the PEM handed over on every call, plus the Rust core's own rate as the ceiling.
//
//   php -d extension=target/release/libtaap_php.so bindings-php/bench/bench.php [--seconds 1] [--rounds 5] [--core PATH]
//
// fromPem per call is what a PHP app does on every request; taap serves it from the core's
// per-process key cache, openssl_sign parses the PEM each time. --core is the core's `throughput` example (bindings-php/bench/run.sh builds it). Rows run in
// interleaved rounds and each reports its best round in calls per CPU-second (getrusage), so other
// load on the machine hits every row alike instead of skewing the ratios.
declare(strict_types=1);

const PEM_FILE = __DIR__ . '/../../tests/keys/tmobile/readme-private-pkcs8.pem';
// The core example's ehts (core/examples/throughput.rs, empty body), so the rates compare.
const EHTS = [
    'Content-Type' => 'application/json',
    'Authorization' => 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS',
    'uri' => '/commerce/v1/orders',
    'http-method' => 'POST',
    'body' => '',
];

function b64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

function uuid4(): string
{
    $bytes = random_bytes(16);
    $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
    $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
    return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
}

/** The PoP token the way the docs' JSON sketch tells PHP users to build it. */
function openssl_token(OpenSSLAsymmetricKey|string $key, ?int $iat = null, ?string $jti = null): string
{
    $iat ??= time();
    $claims = [
        'edts' => b64url(hash('sha256', implode('', EHTS), true)),
        'v' => '1',
        'exp' => $iat + 120,
        'ehts' => implode(';', array_keys(EHTS)),
        'iat' => $iat,
        'jti' => $jti ?? uuid4(),
    ];
    $input = b64url('{"alg":"RS256","typ":"JWT"}') . '.' . b64url(json_encode($claims, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
    if (!openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256)) {
        throw new RuntimeException('openssl_sign failed: ' . openssl_error_string());
    }
    return $input . '.' . b64url($signature);
}

function cpu_seconds(): float
{
    $usage = getrusage();
    return $usage['ru_utime.tv_sec'] + $usage['ru_stime.tv_sec'] + ($usage['ru_utime.tv_usec'] + $usage['ru_stime.tv_usec']) / 1e6;
}

/** Calls per CPU-second of $operation over a budget of $seconds CPU time. */
function rate(callable $operation, float $seconds): float
{
    $operation();
    $start = cpu_seconds();
    $count = 0;
    do {
        for ($i = 0; $i < 8; $i++) {
            $operation();
        }
        $count += 8;
        $used = cpu_seconds() - $start;
    } while ($used < $seconds);
    return $count / $used;
}

/** The core example's rate; it times itself in CPU seconds, so its process start is excluded. */
function core_rate(string $binary, float $seconds): float
{
    $command = sprintf('TAAP_BENCH_SECS=%d %s build_empty_body', max(1, (int) round($seconds)), escapeshellarg($binary));
    $line = (string) shell_exec($command);
    if (!preg_match('/"per_second":([0-9.]+)/', $line, $found)) {
        throw new RuntimeException("$binary printed no rate: $line");
    }
    return (float) $found[1];
}

$options = getopt('', ['seconds:', 'rounds:', 'core:']);
$seconds = (float) ($options['seconds'] ?? 1);
$rounds = (int) ($options['rounds'] ?? 5);
$core = $options['core'] ?? null;

$pem = file_get_contents(PEM_FILE);
$key = Taap\PrivateKey::fromPem($pem);
$opensslKey = openssl_pkey_get_private($pem);

// Same key, ehts, iat and jti: RS256 is deterministic, so both must be the same bytes.
$fixed = ['iat' => 1763800000, 'jti' => '3f8c1a52-0c0e-4d2b-9b4a-7d8e9f0a1b2c'];
$theirs = openssl_token($opensslKey, $fixed['iat'], $fixed['jti']);
$ours = Taap\PopToken::build($key, EHTS, $fixed);
if ($ours !== $theirs || $ours !== openssl_token($pem, $fixed['iat'], $fixed['jti'])) {
    fwrite(STDERR, "the tokens differ:\n  taap    $ours\n  openssl $theirs\n");
    exit(1);
}
echo "tokens byte-identical (", strlen($ours), " bytes)\n";

$rows = [
    'taap PopToken::build, PrivateKey loaded once' => static fn () => Taap\PopToken::build($key, EHTS),
    'openssl_sign + json_encode, key loaded once' => static fn () => openssl_token($opensslKey),
    'taap PopToken::build, PrivateKey::fromPem per call (the core\'s key cache)' => static fn () => Taap\PopToken::build(Taap\PrivateKey::fromPem($pem), EHTS),
    'openssl_sign + json_encode, PEM per call' => static fn () => openssl_token($pem),
];
$best = array_fill_keys(array_keys($rows), 0.0);
if ($core !== null) {
    $best['Rust core PopToken::build (throughput example)'] = 0.0;
}
for ($round = 0; $round < $rounds; $round++) {
    foreach ($rows as $name => $operation) {
        $best[$name] = max($best[$name], rate($operation, $seconds));
    }
    if ($core !== null) {
        $name = 'Rust core PopToken::build (throughput example)';
        $best[$name] = max($best[$name], core_rate($core, $seconds));
    }
}

printf("\n| row (PHP %s, RSA-2048, best of %d interleaved rounds of %.0f CPU-s) | tokens per CPU-second |\n|---|---|\n", PHP_VERSION, $rounds, $seconds);
foreach ($best as $name => $perSecond) {
    printf("| %s | %s |\n", $name, number_format($perSecond, 0, '.', ' '));
}
$names = array_keys($rows);
printf("\n| target | result |\n|---|---|\n");
printf("| taap with a loaded key ≥ 1.0× openssl_sign with a loaded key | **%.2f×** |\n", $best[$names[0]] / $best[$names[1]]);
printf("| taap with the PEM per call ≥ 20× openssl_sign with the PEM per call | **%.1f×** |\n", $best[$names[2]] / $best[$names[3]]);
if ($core !== null) {
    printf("| taap with a loaded key ≥ 0.9× the Rust core | **%.2f×** |\n", $best[$names[0]] / $best['Rust core PopToken::build (throughput example)']);
}
