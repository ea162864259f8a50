<?php
// The PHP half of the package (the Guzzle middleware and the FFI fallback); Composer users get
// it from composer.json.
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Taap\\Guzzle\\') || str_starts_with($class, 'Taap\\Ffi\\')) {
        require __DIR__ . '/' . str_replace('\\', '/', $class) . '.php';
    }
});
