<?php
// One exception class per core error kind, with the kind's stable code and TAAP_* name.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class ErrorsTest extends TestCase
{
    /** DESIGN.md's taxonomy in the core table's order: C status = position + 1. */
    private const KINDS = [
        'InvalidKey', 'KeyDecrypt', 'InvalidEhts', 'InvalidToken', 'TokenExpired', 'TokenTooOld',
        'SignatureInvalid', 'EdtsMismatch', 'MissingEhtsValue', 'Replay', 'OAuth', 'Transport', 'Config',
    ];

    public function testEveryKindHasItsClass(): void
    {
        $this->assertTrue(is_subclass_of('Taap\TaapException', \RuntimeException::class));
        foreach (self::KINDS as $index => $kind) {
            $class = "Taap\\{$kind}Exception";
            $this->assertTrue(is_subclass_of($class, 'Taap\TaapException'), $class);
            $code = 'TAAP_' . strtoupper(preg_replace('/(?<=[a-z])(?=[A-Z])/', '_', $kind));
            $error = new $class('message', $index + 1);
            $this->assertSame($code, $error->getKind());
        }
        // The base is thrown as itself only for a panic caught at the boundary: no core kind.
        $this->assertNull((new Taap\TaapException('x'))->getKind());
    }

    public function testThrownExceptionsCarryTheCoreCodes(): void
    {
        $cases = [
            [fn () => Taap\PrivateKey::fromPem('not a key'), Taap\InvalidKeyException::class, 1, 'TAAP_INVALID_KEY'],
            [fn () => Taap\PrivateKey::fromFile(TAAP_KEYS . '/openssl/pbes2-aes256-private.pem', 'nope'), Taap\KeyDecryptException::class, 2, 'TAAP_KEY_DECRYPT'],
            [fn () => Taap\PopToken::build(Taap\PrivateKey::fromFile(TAAP_KEYS . '/openssl/pkcs8-private.pem'), []), Taap\InvalidEhtsException::class, 3, 'TAAP_INVALID_EHTS'],
            [fn () => Taap\PopToken::decode('a.b'), Taap\InvalidTokenException::class, 4, 'TAAP_INVALID_TOKEN'],
            [fn () => new Taap\PopTokenValidator(['leeway' => -1]), Taap\ConfigException::class, 13, 'TAAP_CONFIG'],
            [fn () => new Taap\PopTokenValidator(['leway' => 1]), Taap\ConfigException::class, 13, 'TAAP_CONFIG'],
            [fn () => Taap\SignPolicy::default()->withHeader('a;b'), Taap\ConfigException::class, 13, 'TAAP_CONFIG'],
        ];
        foreach ($cases as [$action, $class, $code, $kind]) {
            try {
                $action();
                $this->fail("no $class");
            } catch (Taap\TaapException $error) {
                $this->assertSame([$class, $code, $kind], [get_class($error), $error->getCode(), $error->getKind()]);
            }
        }
    }
}
