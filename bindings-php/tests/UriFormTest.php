<?php
// validateRequest's $uri_form: a target whose decoded and encoded uri differ, signed both ways.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopToken;
use Taap\PopTokenValidator;
use Taap\PrivateKey;

final class UriFormTest extends TestCase
{
    private static function case(): array
    {
        $cases = array_filter(taap_vectors('request.json')['cases'], fn ($case) => $case['name'] === 'query-percent-decoded');
        return array_values($cases)[0];
    }

    private static function key(): PrivateKey
    {
        return PrivateKey::fromFile(TAAP_KEYS . '/' . self::case()['key']);
    }

    /** A token whose signer hashed the query as sent, as some SDKs do. */
    private static function encodedToken(): string
    {
        $ehts = ['uri' => self::case()['target'], 'http-method' => 'GET', 'body' => ''];
        return PopToken::build(self::key(), $ehts, ['iat' => self::case()['iat'], 'jti' => 'jti-encoded-form']);
    }

    /** The validated token's jti; a null $form leaves the argument out. */
    private static function validate(string $token, ?string $form): string
    {
        $case = self::case();
        $headers = ['X-Authorization' => $token];
        $validator = new PopTokenValidator();
        $key = self::key()->publicKey();
        $decoded = $form === null
            ? $validator->validateRequest($key, 'GET', $case['target'], $headers, '', $case['iat'] + 1)
            : $validator->validateRequest($key, 'GET', $case['target'], $headers, '', $case['iat'] + 1, $form);
        return $decoded->claims()['jti'];
    }

    public function testTheFormsDifferForThisTarget(): void
    {
        $this->assertSame('/customers?name=J%C3%BCrgen%20M&list=a%2Cb&plus=a+b', self::case()['target']);
        $this->assertSame("/customers?name=J\u{fc}rgen M&list=a,b&plus=a+b", self::case()['expected_uri']);
    }

    public function testAnEncodedSignerIsAcceptedOnlyUnderTheEncodedForm(): void
    {
        $token = self::encodedToken();
        $this->assertSame('EdtsMismatch', taap_outcome(fn () => self::validate($token, null)));
        $this->assertSame('EdtsMismatch', taap_outcome(fn () => self::validate($token, 'decoded')));
        $this->assertSame('jti-encoded-form', self::validate($token, 'encoded'));
    }

    public function testTheDocsSignerIsAcceptedOnlyUnderTheDecodedForm(): void
    {
        $case = self::case();
        $this->assertSame($case['jti'], self::validate($case['token'], null));
        $this->assertSame($case['jti'], self::validate($case['token'], 'decoded'));
        $this->assertSame('EdtsMismatch', taap_outcome(fn () => self::validate($case['token'], 'encoded')));
    }

    public function testTheFormIsANamedArgumentAndAnUnknownOneIsAConfigError(): void
    {
        $case = self::case();
        $validator = new PopTokenValidator();
        $key = self::key()->publicKey();
        $headers = ['X-Authorization' => self::encodedToken()];
        $decoded = $validator->validateRequest($key, 'GET', $case['target'], $headers, now: $case['iat'] + 1, uri_form: 'encoded');
        $this->assertSame('jti-encoded-form', $decoded->claims()['jti']);
        try {
            $validator->validateRequest($key, 'GET', $case['target'], $headers, '', $case['iat'] + 1, 'raw');
            $this->fail('an unknown uri form was accepted');
        } catch (Taap\ConfigException $error) {
            $this->assertSame('invalid configuration: uri_form is "raw"; choose decoded (the docs) or encoded (the query as sent)', $error->getMessage());
        }
    }
}
