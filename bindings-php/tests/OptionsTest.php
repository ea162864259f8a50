<?php
// Options through the core's settings schema: the stub documents every option with the schema's
// kind, default and doc; settings() views; what PHP values become; the handles beside them.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\ConfigException;
use Taap\PopTokenValidator;
use Taap\PrivateKey;
use Taap\SignPolicy;
use Taap\TaapClient;

final class OptionsTest extends TestCase
{
    private const STUB = __DIR__ . '/../taap.stub.php';

    /** The PHPDoc type of each schema kind in the stub's array shapes. */
    private const TYPES = [
        'seconds' => 'int|float', 'whole seconds' => 'int', 'count' => 'int', 'bytes' => 'int', 'flag' => 'bool',
        'text' => 'string', 'choice' => 'string', 'members' => 'array<string, mixed>',
        'headers' => 'array<string, string>', 'names' => 'list<string>',
    ];

    public static function documentedConstructors(): array
    {
        return [
            'TaapClient' => ['TaapClient', 'client', 'clientId: string, clientSecret: string, key: PrivateKey|Signer, policy?: SignPolicy|null, '],
            'PopTokenValidator' => ['PopTokenValidator', 'validator', ''],
        ];
    }

    /** @dataProvider documentedConstructors */
    public function testTheStubDocumentsEveryOptionAsTheSchemaDeclaresIt(string $class, string $group, string $handles): void
    {
        $doc = $this->constructorDoc($class);
        preg_match_all("/^\\s*\\*\\s+'(\\w+)' => ([a-z ]+), default (.+?): (.*)$/m", $doc, $rows, PREG_SET_ORDER);
        $documented = array_map(fn ($row) => [$row[1], $row[2], json_decode($row[3], true, 512, JSON_THROW_ON_ERROR), $row[4]], $rows);
        $schema = array_values(array_filter(Taap\settingsSchema(), fn ($setting) => $setting['group'] === $group));
        $expected = array_map(fn ($setting) => [$setting['camel'], $setting['kind'], $setting['default'], $setting['doc']], $schema);
        $this->assertSame($expected, $documented);
        $shape = array_map(fn ($setting) => "{$setting['camel']}?: " . self::TYPES[$setting['kind']] . '|null', $schema);
        preg_match('/@param array\{(.*?)\}/s', $doc, $found);
        $this->assertSame($handles . implode(', ', $shape), preg_replace('/\s*\n\s*\*\s*/', ' ', $found[1]));
    }

    public function testTheSchemaFunctionIsDeclaredAndRegistered(): void
    {
        $this->assertStringContainsString("\nfunction settingsSchema(): array {}\n", file_get_contents(self::STUB));
        $this->assertContains('taap\settingsschema', array_map('strtolower', array_keys((new ReflectionExtension('taap-php'))->getFunctions())));
        $maxRetries = array_values(array_filter(Taap\settingsSchema(), fn ($setting) => $setting['name'] === 'max_retries'))[0];
        $this->assertSame(['name' => 'max_retries', 'camel' => 'maxRetries', 'group' => 'client', 'kind' => 'count', 'default' => 2,
            'min' => 0.0, 'min_exclusive' => false, 'max' => 10.0,
            'doc' => 'retries of connection failures, 429 and 5xx answers (0: never retry)', 'secret' => false], $maxRetries);
        $secret = array_values(array_filter(Taap\settingsSchema(), fn ($setting) => $setting['secret']));
        $this->assertSame(['headers', 'token_store', 'replay_store'], array_column($secret, 'name'));
    }

    public function testSettingsShowTheOptionsInEffect(): void
    {
        $settings = $this->client(['server' => 'v6', 'storeId' => 'S1', 'connectTimeout' => 1.5, 'timeout' => 5,
            'maxRetries' => 0, 'tokenBody' => ['scope' => 'iot', 'n' => [1, 2.5]], 'headers' => ['X-Api-Key' => 'abcdefghijklmnop'],
            'tokenStore' => 'redis://:pw-123456@127.0.0.1:1/'])->settings();
        $this->assertSame('https://api.t-mobile.com/oauth2/v6/tokens', $settings['server']);
        $this->assertSame('S1', $settings['storeId']);
        $this->assertSame(1.5, $settings['connectTimeout']);
        $this->assertSame(5.0, $settings['timeout']);
        $this->assertSame(0, $settings['maxRetries']);
        $this->assertSame(['scope' => 'iot', 'n' => [1, 2.5]], $settings['tokenBody']);
        $this->assertSame(['X-Api-Key' => '****'], $settings['headers']);
        $this->assertTrue($settings['tokenStore']);
        $this->assertStringNotContainsString('pw-123456', var_export($settings, true));
        $this->assertSame(['leeway' => 0, 'maxAge' => 60, 'required' => ['uri'], 'replayCache' => null],
            (new PopTokenValidator(['leeway' => 0, 'required' => ['uri']]))->settings());
        $this->assertSame(['leeway' => 10, 'maxAge' => 60, 'required' => [], 'replayCache' => null], (new PopTokenValidator())->settings());
    }

    public function testThePolicyIsTheBaseThatSignHeadersAndUriFormRefine(): void
    {
        $policy = SignPolicy::headers(['Accept']);
        $this->assertSame(['Accept'], $this->client(['policy' => $policy])->settings()['signHeaders']);
        $refined = $this->client(['policy' => $policy, 'signHeaders' => ['Date'], 'uriForm' => 'encoded'])->settings();
        $this->assertSame(['Date'], $refined['signHeaders']);
        $this->assertSame('encoded', $refined['uriForm']);
    }

    public function testValuesJsonCannotHoldAreConfigErrorsNamingTheOption(): void
    {
        $cases = [
            [['timeout' => NAN], 'invalid configuration: option timeout is NaN; give a finite number'],
            [['popClaims' => ['at' => new ArrayObject()]], 'invalid configuration: option popClaims holds an object of class ArrayObject; give a string, number, bool or array'],
            [['storeId' => "\xff"], 'invalid configuration: option storeId holds a string that is not UTF-8 text'],
            [['retries' => 1], 'invalid configuration: unknown option retries; the client takes api, server, storeId, dealerCode, '
                . 'connectTimeout, timeout, maxRetries, retryBaseDelay, retryMaxDelay, refreshMargin, popTtl, maxResponseBytes, '
                . 'correctClockSkew, tokenBody, tokenBodyMode, popClaims, popHeader, headers, signHeaders, uriForm, '
                . 'xAuthorizationPrefix, tokenStore'],
            [['key' => 'not a key'], 'invalid configuration: option key must be a Taap\PrivateKey or a Taap\Signer'],
            [['clientId' => null], 'invalid configuration: option clientId is required'],
        ];
        foreach ($cases as [$options, $message]) {
            try {
                $this->client($options);
                $this->fail('no exception for ' . var_export($options, true));
            } catch (ConfigException $error) {
                $this->assertSame($message, $error->getMessage());
            }
        }
    }

    private function client(array $options): TaapClient
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        return new TaapClient($options + ['clientId' => 'id', 'clientSecret' => 'secret', 'key' => $key]);
    }

    /** The docblock of $class's constructor in the stub. */
    private function constructorDoc(string $class): string
    {
        $stub = file_get_contents(self::STUB);
        $this->assertSame(1, preg_match("/\nclass $class\n\\{\n    (\\/\\*\\*.*?\\*\\/)\n    public function __construct/s", $stub, $found));
        return $found[1];
    }
}
