<?php
// Keys in hardware through Taap\Signer::fromUri: every vector token made with the vector key
// imported into a TPM 2.0 (swtpm, a pkcs11: URI) and into a local AWS KMS (moto, an aws-kms:
// alias) is the vector's, byte for byte.
// The services are tests/hardware/run.py's, which names them in TAAP_HARDWARE; scripts/test.sh
// runs this file under it (its name does not end in Test.php, so the suite's own run leaves it
// out). Without TAAP_HARDWARE these tests fail.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopToken;
use Taap\Signer;

final class HardwareCase extends TestCase
{
    /** Vector key file => where the fixture put it (`tpm`, `kms`). */
    private static function hardwareKeys(): array
    {
        $file = getenv('TAAP_HARDWARE');
        if ($file === false || $file === '') {
            self::fail('TAAP_HARDWARE is not set: run these tests under the hardware fixture, `bash tests/hardware/run.sh -- '
                . 'php -d extension=… /usr/bin/phpunit -c bindings-php/phpunit.xml bindings-php/tests/hardware/HardwareCase.php` '
                . '(bindings-php/scripts/test.sh does)');
        }
        return json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR)['keys'];
    }

    private static function options(array $case): array
    {
        return ['ttl' => $case['ttl_secs'], 'iat' => $case['iat'], 'jti' => $case['jti']];
    }

    public function testEveryVectorTokenMadeInTheTpmIsByteIdentical(): void
    {
        $keys = self::hardwareKeys();
        $cases = taap_vectors('tokens.json')['cases'];
        // A TPM 2.0 holds RSA-2048 keys: the 4096-bit vector key is the one it does not hold.
        $notInTpm = array_values(array_unique(array_column(array_filter($cases, fn ($case) => $keys[$case['key']]['tpm'] === null), 'key')));
        $this->assertSame(['openssl/big-4096-private.pem'], $notInTpm);
        $signers = [];
        $built = 0;
        foreach ($cases as $case) {
            $tpm = $keys[$case['key']]['tpm'];
            if ($tpm === null) {
                continue;
            }
            $signer = $signers[$tpm['object']] ??= Signer::fromUri($tpm['uri']);
            $this->assertSame('pkcs11', $signer->kind());
            $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)), $case['name']);
            $built++;
        }
        $this->assertSame([4, count($cases) - 1], [count($signers), $built]);
    }

    public function testEveryVectorTokenMadeThroughKmsIsByteIdentical(): void
    {
        $keys = self::hardwareKeys();
        $signers = [];
        foreach (taap_vectors('tokens.json')['cases'] as $case) {
            $kms = $keys[$case['key']]['kms'];
            $signer = $signers[$kms['alias']] ??= Signer::fromUri($kms['uri']);
            $this->assertSame(['aws-kms', "{$kms['uri']} (us-east-1)"], [$signer->kind(), $signer->label()]);
            $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)), $case['name']);
        }
        $this->assertCount(5, $signers);
    }
}
