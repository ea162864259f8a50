<?php
// The shape of a set of classes as reflection sees it, the same for the loaded extension and for
// taap.stub.php read by a PHP without the extension (StubTest compares the two).
declare(strict_types=1);

/** @param list<string> $classes */
function taap_describe(array $classes): array
{
    $shape = [];
    foreach ($classes as $name) {
        $class = new ReflectionClass($name);
        $methods = [];
        foreach ($class->getMethods() as $method) {
            if ($method->getDeclaringClass()->getName() !== $class->getName()) {
                continue;
            }
            $parameters = [];
            foreach ($method->getParameters() as $parameter) {
                $parameters[] = ($parameter->isOptional() ? '?' : '') . '$' . $parameter->getName();
            }
            $methods[$method->getName()] = [
                'static' => $method->isStatic(),
                'visibility' => $method->isPublic() ? 'public' : ($method->isProtected() ? 'protected' : 'private'),
                'parameters' => $parameters,
            ];
        }
        ksort($methods);
        $properties = [];
        foreach ($class->getProperties() as $property) {
            if ($property->getDeclaringClass()->getName() === $class->getName()) {
                $properties[$property->getName()] = $property->hasDefaultValue() ? $property->getDefaultValue() : 'no default';
            }
        }
        ksort($properties);
        $shape[$class->getName()] = [
            'parent' => $class->getParentClass() === false ? null : $class->getParentClass()->getName(),
            'methods' => $methods,
            'properties' => $properties,
        ];
    }
    ksort($shape);
    return $shape;
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    // `php -n describe.php STUB`: the classes STUB declares, as JSON.
    $before = get_declared_classes();
    require $argv[1];
    echo json_encode(taap_describe(array_values(array_diff(get_declared_classes(), $before))), JSON_THROW_ON_ERROR);
}
