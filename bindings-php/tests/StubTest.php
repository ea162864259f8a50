<?php
// taap.stub.php declares exactly what the loaded extension registers: every class, parent,
// method, static-ness, visibility, parameter name and optionality, and property default.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/describe.php';

final class StubTest extends TestCase
{
    private const STUB = __DIR__ . '/../taap.stub.php';

    public function testTheStubMatchesTheExtensionsReflection(): void
    {
        $extension = taap_describe((new ReflectionExtension('taap-php'))->getClassNames());
        $stub = $this->stubShape();
        $this->assertSame([], array_keys(array_diff_key($extension, $stub)), 'classes the stub lacks');
        $this->assertSame([], array_keys(array_diff_key($stub, $extension)), 'classes the extension lacks');
        foreach ($extension as $class => $shape) {
            $this->assertSame($shape['parent'], $stub[$class]['parent'], "$class: parent");
            $this->assertSame(array_keys($shape['methods']), array_keys($stub[$class]['methods']), "$class: methods");
            foreach ($shape['methods'] as $method => $signature) {
                $this->assertSame($signature, $stub[$class]['methods'][$method], "$class::$method");
            }
            $this->assertSame($shape['properties'], $stub[$class]['properties'], "$class: properties");
        }
        $this->assertSame($extension, $stub);
    }

    public function testTheComparisonSeesEveryClassAndMethod(): void
    {
        // Guards the test above against comparing two empty descriptions.
        $stub = $this->stubShape();
        $this->assertCount(12 + 1 + 14, $stub);
        $this->assertSame(['__construct', 'bits', 'clearCache', 'fromFile', 'fromPem', 'generate', 'publicKey', 'toPem'], array_keys($stub['Taap\PrivateKey']['methods']));
        $this->assertSame(
            ['static' => true, 'visibility' => 'public', 'parameters' => ['$key', '$method', '$url', '?$headers', '?$body', '?$options']],
            $stub['Taap\PopToken']['methods']['forRequest'],
        );
        $this->assertSame(['kind' => 'TAAP_OAUTH'], $stub['Taap\OAuthException']['properties']);
    }

    private function stubShape(): array
    {
        $command = [PHP_BINARY, '-n', __DIR__ . '/support/describe.php', self::STUB];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $json = stream_get_contents($pipes[1]);
        $errors = stream_get_contents($pipes[2]);
        $this->assertSame(0, proc_close($process), "the stub does not load without the extension: $errors");
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}
