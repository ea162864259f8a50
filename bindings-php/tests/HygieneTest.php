<?php
// Secrets never show: dumps of keys, clients and tokens; serialisation refused; messages.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PrivateKey;
use Taap\TaapClient;

final class HygieneTest extends TestCase
{
    private const SECRET = 'hygiene-client-secret-7f3a9c';

    /** Every way PHP shows a value, as text. */
    private static function shown(mixed $value): string
    {
        ob_start();
        var_dump($value);
        print_r($value);
        echo var_export($value, true), json_encode($value), print_r((array) $value, true);
        return ob_get_clean();
    }

    public function testKeysAndClientsShowNoSecret(): void
    {
        $pem = file_get_contents(TAAP_KEYS . '/openssl/pkcs8-private.pem');
        $key = PrivateKey::fromPem($pem);
        $client = new TaapClient(['clientId' => 'id', 'clientSecret' => self::SECRET, 'key' => $key, 'api' => 'connectivity']);
        $body = preg_replace('/-----[^-]+-----|\s/', '', $pem);
        foreach ([$key, $client, [$key, $client]] as $value) {
            $text = self::shown($value);
            $this->assertStringNotContainsString(self::SECRET, $text);
            $this->assertStringNotContainsString(substr($body, 40, 40), str_replace(["\n", ' '], '', $text));
        }
        $this->assertSame("object(Taap\\PrivateKey)#" . spl_object_id($key) . " (0) {\n}\n", (function () use ($key) {
            ob_start();
            var_dump($key);
            return ob_get_clean();
        })());
    }

    public function testSerialisingKeysAndClientsIsRefused(): void
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/openssl/pkcs8-private.pem');
        $client = new TaapClient(['clientId' => 'id', 'clientSecret' => self::SECRET, 'key' => $key, 'server' => 'v6']);
        foreach ([$key, $key->publicKey(), $client] as $value) {
            try {
                serialize($value);
                $this->fail('serialize of ' . get_class($value) . ' was allowed');
            } catch (\Exception $error) {
                $this->assertSame("Serialization of '" . get_class($value) . "' is not allowed", $error->getMessage());
            }
        }
    }

    public function testErrorsNeverEchoPasswordsSecretsOrKeys(): void
    {
        $password = 'wrong-password-31337';
        try {
            PrivateKey::fromFile(TAAP_KEYS . '/openssl/pbes2-aes256-private.pem', $password);
            $this->fail('a wrong password was accepted');
        } catch (Taap\KeyDecryptException $error) {
            $this->assertStringNotContainsString($password, $error->getMessage() . $error->getTraceAsString());
        }
        try {
            new TaapClient(['clientId' => 'id', 'clientSecret' => self::SECRET, 'key' => PrivateKey::fromFile(TAAP_KEYS . '/openssl/pkcs8-private.pem'), 'server' => 'ftp://x/oauth2/v2/tokens']);
            $this->fail('an ftp token URL was accepted');
        } catch (Taap\ConfigException $error) {
            $this->assertStringNotContainsString(self::SECRET, $error->getMessage());
        }
    }
}
