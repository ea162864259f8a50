<?php
// Every conformance vector (made by T-Mobile's official JavaScript builder), byte for byte.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopToken;
use Taap\PopTokenValidator;
use Taap\PrivateKey;
use Taap\PublicKey;
use Taap\SignPolicy;

final class VectorsTest extends TestCase
{
    private static function key(array $case): PrivateKey
    {
        return PrivateKey::fromFile(TAAP_KEYS . '/' . $case['key'], $case['password']);
    }

    private static function options(array $case): array
    {
        return ['ttl' => $case['ttl_secs'], 'iat' => $case['iat'], 'jti' => $case['jti']];
    }

    /** Pairs as an associative array, the natural PHP form (the vectors never repeat a name). */
    private static function assoc(array $pairs): array
    {
        $assoc = [];
        foreach ($pairs as [$name, $value]) {
            $assoc[$name] = $value;
        }
        return $assoc;
    }

    public function testTokensAreByteIdenticalToTheOfficialBuilder(): void
    {
        $cases = taap_vectors('tokens.json')['cases'];
        $this->assertGreaterThanOrEqual(50, count($cases));
        foreach ($cases as $case) {
            $key = self::key($case);
            $this->assertSame($case['token'], PopToken::build($key, $case['ehts'], self::options($case)), $case['name']);
            if (count(array_unique(array_column($case['ehts'], 0))) === count($case['ehts'])) {
                $this->assertSame($case['token'], PopToken::build($key, self::assoc($case['ehts']), self::options($case)));
            }
        }
    }

    public function testRequestTokensSignEveryGivenHeader(): void
    {
        foreach (taap_vectors('request.json')['cases'] as $case) {
            $token = PopToken::forRequest(self::key($case), $case['method'], $case['url'], $case['headers'], $case['body'], self::options($case));
            $this->assertSame($case['token'], $token, $case['name']);
            $this->assertSame($case['expected_ehts'], implode(';', PopToken::decode($token)->claims()['ehts']));
        }
    }

    public function testRequestUriIsTheUriEveryRequestVectorSigns(): void
    {
        $cases = taap_vectors('request.json')['cases'];
        $this->assertCount(7, $cases);
        foreach ($cases as $case) {
            $this->assertSame($case['expected_uri'], PopToken::requestUri($case['url']), $case['name']);
        }
        $this->assertSame('InvalidEhts', taap_outcome(fn () => PopToken::requestUri('ftp://h/x')));
    }

    public function testPolicyTokensSignWhatTheCorePolicySelects(): void
    {
        foreach (taap_vectors('policy.json')['cases'] as $case) {
            $token = self::policy($case['policy'])->sign(self::key($case), $case['method'], $case['url'], $case['headers'], $case['body'], self::options($case));
            $this->assertSame($case['token'], $token, $case['name']);
            $this->assertSame($case['expected_ehts'], implode(';', PopToken::decode($token)->claims()['ehts']));
        }
    }

    public function testTheValidatorGivesEveryPrescribedOutcome(): void
    {
        $file = taap_vectors('validator.json');
        foreach ($file['cases'] as $case) {
            $options = $case['options'] + $file['defaults'];
            $validator = new PopTokenValidator(array_filter([
                'leeway' => $options['leeway_secs'],
                'maxAge' => $options['max_age_secs'],
                'required' => $options['required'] ?? null,
                'replayCache' => $options['replay_cache'] ?? null,
            ], fn ($value) => $value !== null));
            $path = TAAP_KEYS . '/' . $case['public_key'];
            $key = str_ends_with($path, '.json') ? PublicKey::fromJwk(file_get_contents($path)) : PublicKey::fromPem(file_get_contents($path));
            $validate = fn () => $validator->validate($case['token'], $key, $case['ehts'], $case['now']);
            $this->assertSame($case['expect'], taap_outcome($validate), $case['name']);
            if (isset($case['repeat_expect'])) {
                $this->assertSame($case['repeat_expect'], taap_outcome($validate), $case['name'] . ' (again)');
            }
        }
    }

    public function testValidateRequestAcceptsEveryRequestVectorAsReceived(): void
    {
        foreach (taap_vectors('request.json')['cases'] as $case) {
            $headers = array_merge($case['headers'], [['X-Authorization', $case['token']]]);
            $key = self::key($case)->publicKey();
            $decoded = (new PopTokenValidator())->validateRequest($key, $case['method'], $case['target'], $headers, $case['body'], $case['iat'] + 1);
            $this->assertSame($case['jti'], $decoded->claims()['jti'], $case['name']);
            $tampered = fn () => (new PopTokenValidator())->validateRequest($key, $case['method'], $case['target'], $headers, $case['body'] . ' ', $case['iat'] + 1);
            $this->assertSame('EdtsMismatch', taap_outcome($tampered), $case['name']);
        }
    }

    private static function policy(array $spec): SignPolicy
    {
        $policy = !empty($spec['all']) ? SignPolicy::allHeaders() : (isset($spec['headers']) ? SignPolicy::headers($spec['headers']) : SignPolicy::default());
        foreach ($spec['with'] ?? [] as $name) {
            $policy = $policy->withHeader($name);
        }
        foreach ($spec['without'] ?? [] as $name) {
            $policy = $policy->withoutHeader($name);
        }
        return $policy;
    }
}
