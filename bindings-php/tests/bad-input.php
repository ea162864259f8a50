<?php
// The bad-input matrix cases (tests/bad-input/cases.json) for the php-ext column: builds each
// case's inputs and runs it through the extension. `php -d extension=… bad-input.php CASE_ID`
// runs one case and prints its outcome; BadInputMatrixTest runs every case that way, each in
// its own process with a time limit, so a crash or a hang is that cell's outcome.
declare(strict_types=1);

const TAAP_BAD_INPUT_PREFIX = 'bad-input outcome: ';
const TAAP_BAD_INPUT = __DIR__ . '/../../tests/bad-input';

function taap_bad_input_cases(): array
{
    return json_decode(file_get_contents(TAAP_BAD_INPUT . '/cases.json'), true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING)['cases'];
}

function taap_bad_input_signed(): array
{
    static $signed;
    return $signed ??= json_decode(file_get_contents(TAAP_BAD_INPUT . '/signed-tokens.json'), true, 512, JSON_THROW_ON_ERROR);
}

/** A case value as bytes (see the note in cases.json); PHP strings hold any bytes. */
function taap_bad_input_bytes(string|array $value): string
{
    if (is_string($value)) {
        return $value;
    }
    if (isset($value['signed'])) {
        $token = taap_bad_input_signed()['tokens'][$value['signed']];
        if (isset($value['drop'])) {
            $token = substr($token, 0, strlen($token) - $value['drop']);
        }
        if (isset($value['keep'])) {
            $token = substr($token, 0, $value['keep']);
        }
        if (isset($value['flip'])) {
            $at = $value['flip'] < 0 ? strlen($token) + $value['flip'] : $value['flip'];
            $token[$at] = $token[$at] === 'A' ? 'B' : 'A';
        }
        return $token;
    }
    $built = match (true) {
        isset($value['hex']) => hex2bin(preg_replace('/\s+/', '', $value['hex'])),
        isset($value['file']) => file_get_contents(__DIR__ . '/../../tests/' . $value['file']),
        isset($value['repeat']) => str_repeat(taap_bad_input_bytes($value['repeat']), $value['times']),
        isset($value['concat']) => implode('', array_map('taap_bad_input_bytes', $value['concat'])),
        isset($value['b64url']) => rtrim(strtr(base64_encode(taap_bad_input_bytes($value['b64url'])), '+/', '-_'), '='),
        default => throw new LogicException('unknown value constructor ' . json_encode($value)),
    };
    return isset($value['keep']) ? substr($built, 0, $value['keep']) : $built;
}

/** Ordered pairs as a list of [name, value], the form that also carries repeated names. */
function taap_bad_input_pairs(?array $spec): array
{
    if ($spec === null) {
        return [];
    }
    if (isset($spec['entries'])) {
        return array_map(static fn (int $i) => ["h$i", 'v'], range(0, $spec['entries'] - 1));
    }
    return array_map(static fn (array $pair) => [taap_bad_input_bytes($pair[0]), taap_bad_input_bytes($pair[1])], $spec);
}

function taap_bad_input_options(array $case): array
{
    return [
        'ttl' => $case['ttl'] ?? 120,
        'iat' => $case['iat'] ?? taap_bad_input_signed()['iat'],
        'jti' => array_key_exists('jti', $case) ? taap_bad_input_bytes($case['jti']) : 'bad-input-jti',
    ];
}

function taap_bad_input_run(array $case): void
{
    $signed = taap_bad_input_signed();
    $signingKey = static fn () => Taap\PrivateKey::fromFile(__DIR__ . '/../../tests/keys/' . $signed['key']);
    switch ($case['op']) {
        case 'decode':
            Taap\PopToken::decode(taap_bad_input_bytes($case['token']));
            return;
        case 'validate':
            $values = isset($case['values']) ? taap_bad_input_pairs($case['values']) : $signed['values'];
            $validator = new Taap\PopTokenValidator(['required' => $case['options']['required'] ?? []]);
            $validator->validate(taap_bad_input_bytes($case['token']), $signingKey()->publicKey(), $values, $signed['iat'] + 5);
            return;
        case 'validate_request':
            taap_bad_input_requests($case, $signingKey()->publicKey(), $signed['iat'] + 5);
            return;
        case 'build':
            Taap\PopToken::build($signingKey(), taap_bad_input_pairs($case['ehts'] ?? null), taap_bad_input_options($case));
            return;
        case 'for_request':
            Taap\PopToken::forRequest(
                $signingKey(),
                taap_bad_input_bytes($case['method']),
                taap_bad_input_bytes($case['url']),
                taap_bad_input_pairs($case['headers'] ?? null),
                isset($case['body']) ? taap_bad_input_bytes($case['body']) : '',
                taap_bad_input_options($case),
            );
            return;
        case 'signer_uri':
            $spec = isset($case['key_file']) ? __DIR__ . '/../../tests/' . $case['key_file'] : taap_bad_input_bytes($case['spec']);
            Taap\PopToken::build(Taap\Signer::fromUri($spec), [['uri', '/']]);
            return;
        case 'signer_callback':
            $answer = isset($case['answer']) ? taap_bad_input_bytes($case['answer']) : '';
            $sign = static function (string $digest) use ($case, $answer): string {
                if (isset($case['throws'])) {
                    throw new RuntimeException($case['throws']);
                }
                return $answer;
            };
            Taap\PopToken::build(Taap\Signer::fromCallback($signingKey()->publicKey(), $sign), [['uri', '/']]);
            return;
        case 'private_key':
        case 'public_key':
            $file = tempnam(sys_get_temp_dir(), 'taap-php-bad-input-');
            file_put_contents($file, taap_bad_input_bytes($case['key']));
            try {
                if ($case['op'] === 'public_key') {
                    Taap\PublicKey::fromFile($file);
                } else {
                    $password = $case['password'] ?? null;
                    Taap\PrivateKey::fromFile($file, $password === null ? null : taap_bad_input_bytes($password));
                }
            } finally {
                unlink($file);
            }
            return;
        default:
            throw new LogicException("unknown op {$case['op']}");
    }
}

/**
 * The requests of a validate_request case in order through one validator, as
 * core/tests/bad_input.rs runs them: every one before the last must pass.
 */
function taap_bad_input_requests(array $case, Taap\PublicKey $defaultKey, int $now): void
{
    $validator = new Taap\PopTokenValidator(['required' => ['uri', 'http-method'], 'replayCache' => 1000]);
    $last = count($case['requests']) - 1;
    foreach ($case['requests'] as $index => $request) {
        $key = isset($request['key']) ? Taap\PublicKey::fromPem(taap_bad_input_bytes($request['key'])) : $defaultKey;
        $validate = static fn () => $validator->validateRequest(
            $key,
            taap_bad_input_bytes($request['method']),
            taap_bad_input_bytes($request['target']),
            taap_bad_input_pairs($request['headers']),
            isset($request['body']) ? taap_bad_input_bytes($request['body']) : '',
            $now,
        );
        if ($index === $last) {
            $validate();
            return;
        }
        try {
            $validate();
        } catch (Throwable $error) {
            // Not an outcome: a failed setup request leaves the last one's outcome meaningless.
            fwrite(STDERR, "{$case['id']}: request $index must pass, got " . get_class($error) . "\n");
            exit(3);
        }
    }
}

/** `ok`, the kind of a core exception, or the class of any other Throwable (TypeError, …). */
function taap_bad_input_outcome(array $case): string
{
    try {
        taap_bad_input_run($case);
        return 'ok';
    } catch (Taap\TaapException $error) {
        return $error->getKind() === null ? 'TaapException' : preg_replace('/^Taap\\\\(.*)Exception$/', '$1', get_class($error));
    } catch (Throwable $error) {
        return get_class($error);
    }
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    foreach (taap_bad_input_cases() as $case) {
        if ($case['id'] === ($argv[1] ?? '')) {
            echo TAAP_BAD_INPUT_PREFIX, taap_bad_input_outcome($case), "\n";
            exit(0);
        }
    }
    fwrite(STDERR, "no case {$argv[1]}\n");
    exit(2);
}
