<?php
// PrivateKey::fromPem goes through the core's per-process key cache: the same PEM gives the same
// key, the password is part of the cache key, and clearCache() keeps held keys usable.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\KeyDecryptException;
use Taap\PopToken;
use Taap\PrivateKey;

final class KeysTest extends TestCase
{
    private const ENCRYPTED = TAAP_KEYS . '/tmobile/pbes2-aes256-a-private.pem';
    private const PASSWORD = 'foobar';

    public function testTheCachedKeyIsTheKeyThePemHolds(): void
    {
        $pem = file_get_contents(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $first = PrivateKey::fromPem($pem);
        $again = PrivateKey::fromPem($pem);
        // Oracle: PHP's own OpenSSL reading the same PEM.
        $details = openssl_pkey_get_details(openssl_pkey_get_private($pem));
        $this->assertSame($details['key'], $again->publicKey()->toPem());
        $this->assertSame($first->publicKey()->toPem(), $again->publicKey()->toPem());
        $fixed = ['iat' => 1763800000, 'jti' => 'cache-check'];
        $this->assertSame(PopToken::build($first, ['uri' => '/a'], $fixed), PopToken::build($again, ['uri' => '/a'], $fixed));
    }

    public function testAWrongPasswordFailsAfterTheRightOneWasCached(): void
    {
        $pem = file_get_contents(self::ENCRYPTED);
        $key = PrivateKey::fromPem($pem, self::PASSWORD);
        $this->assertSame(2048, $key->bits());
        foreach (['wrong', null, 'foobaR'] as $password) {
            try {
                PrivateKey::fromPem($pem, $password);
                $this->fail('a cached key was handed out for another password');
            } catch (KeyDecryptException $error) {
                $this->assertSame('TAAP_KEY_DECRYPT', $error->getKind());
            }
        }
    }

    public function testClearCacheKeepsHeldKeysUsable(): void
    {
        $pem = file_get_contents(self::ENCRYPTED);
        $key = PrivateKey::fromPem($pem, self::PASSWORD);
        PrivateKey::clearCache();
        $fixed = ['iat' => 1763800000, 'jti' => 'after-clear'];
        $token = PopToken::build($key, ['uri' => '/a'], $fixed);
        $this->assertSame($token, PopToken::build(PrivateKey::fromPem($pem, self::PASSWORD), ['uri' => '/a'], $fixed));
        $this->assertSame($token, PopToken::build(PrivateKey::fromFile(self::ENCRYPTED, self::PASSWORD), ['uri' => '/a'], $fixed));
    }
}
