<?php
// The PHP half of the package (the Guzzle and PSR-15 middleware and the FFI fallback); Composer
// users get it from composer.json.
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    foreach (['Taap\\Guzzle\\', 'Taap\\Psr15\\', 'Taap\\Ffi\\'] as $prefix) {
        if (str_starts_with($class, $prefix)) {
            require __DIR__ . '/' . str_replace('\\', '/', $class) . '.php';
            return;
        }
    }
});
