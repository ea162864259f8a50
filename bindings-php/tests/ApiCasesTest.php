<?php
// The API behaviour suite, tests/api/cases.json: every client and validator case through
// TaapClient and PopTokenValidator, with the options named as this door names them (the
// schema's camel names), checked against the exact settings or the exact exception and message.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopTokenValidator;
use Taap\PrivateKey;
use Taap\TaapClient;

final class ApiCasesTest extends TestCase
{
    /** Every case of the suite, by its name. */
    public static function cases(): array
    {
        $suite = json_decode(file_get_contents(TAAP_TESTS . '/api/cases.json'), true, 512, JSON_THROW_ON_ERROR);
        $cases = [];
        foreach ($suite['cases'] as $case) {
            $cases[$case['name']] = [$case];
        }
        return $cases;
    }

    /** @dataProvider cases */
    public function testTheCase(array $case): void
    {
        $options = [];
        foreach ($case['options'] as $name => $value) {
            $options[self::doorName($name)] = $value;
        }
        if (isset($case['error'])) {
            try {
                $this->settings($case['group'], $options);
                $this->fail("{$case['name']}: no exception, expected {$case['error']}");
            } catch (Taap\TaapException $error) {
                $this->assertSame("Taap\\{$case['error']}Exception", get_class($error));
                $this->assertSame(self::expectedMessage($case['message']), $error->getMessage());
            }
            return;
        }
        $settings = $this->settings($case['group'], $options);
        $shown = array_map(fn ($name) => self::doorName((string) $name), array_keys($case['settings']));
        $this->assertSame([], array_values(array_diff($shown, array_keys($settings))), 'settings the view lacks');
        foreach ($case['settings'] as $name => $expected) {
            $actual = $settings[self::doorName($name)];
            $this->assertTrue(self::same($expected, $actual), self::doorName($name) . ': expected '
                . json_encode($expected) . ', got ' . json_encode($actual));
        }
    }

    public function testTheSuiteNamesEveryClientAndValidatorOption(): void
    {
        $named = [];
        foreach (self::cases() as [$case]) {
            $named += array_flip(array_keys($case['options']));
        }
        $missing = [];
        foreach (Taap\settingsSchema() as $setting) {
            if (in_array($setting['group'], ['client', 'validator'], true) && !isset($named[$setting['name']])) {
                $missing[] = $setting['name'];
            }
        }
        $this->assertSame([], $missing);
        $this->assertSame(['client', 'validator'], array_values(array_unique(array_map(fn ($c) => $c[0]['group'], self::cases()))));
    }

    /** The group's settings view after building it with $options. */
    private function settings(string $group, array $options): array
    {
        if ($group === 'validator') {
            return (new PopTokenValidator($options))->settings();
        }
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        return (new TaapClient(['clientId' => 'id', 'clientSecret' => 'secret', 'key' => $key] + $options))->settings();
    }

    /** This door's name of an option, from the schema's camel field; a name the schema lacks stays as written. */
    private static function doorName(string $snake): string
    {
        static $camel = null;
        $camel ??= array_column(Taap\settingsSchema(), 'camel', 'name');
        return $camel[$snake] ?? $snake;
    }

    /**
     * The case's message with each {name} as this door writes that option (the schema's camel)
     * and {client options} / {validator options} as the door's names of the group's options in
     * the schema's order, joined by ", ". The core writes the whole message in camel names
     * itself, so nothing else of it is converted here.
     */
    private static function expectedMessage(string $template): string
    {
        $schema = Taap\settingsSchema();
        foreach (['client', 'validator'] as $group) {
            $names = array_column(array_filter($schema, fn ($setting) => $setting['group'] === $group), 'camel');
            $template = str_replace('{' . $group . ' options}', implode(', ', $names), $template);
        }
        foreach ($schema as $setting) {
            $template = str_replace('{' . $setting['name'] . '}', $setting['camel'], $template);
        }
        if (preg_match('/\{[a-z][a-z_ ]*\}/', $template, $left) === 1) {
            throw new LogicException("a placeholder the schema does not fill: {$left[0]} in $template");
        }
        return $template;
    }

    /** JSON equality where 10 and 10.0 are the same number (and nothing else is loosely equal). */
    private static function same($expected, $actual): bool
    {
        if ((is_int($expected) || is_float($expected)) && (is_int($actual) || is_float($actual))) {
            return (float) $expected === (float) $actual;
        }
        if (is_array($expected) && is_array($actual)) {
            if (array_keys($expected) !== array_keys($actual)) {
                return false;
            }
            foreach ($expected as $key => $value) {
                if (!self::same($value, $actual[$key])) {
                    return false;
                }
            }
            return true;
        }
        return $expected === $actual;
    }
}
