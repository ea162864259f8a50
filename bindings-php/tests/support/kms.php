<?php
// A stand-in AWS KMS for SignerTest, run by PHP's built-in server (`php -S 127.0.0.1:PORT kms.php`):
// KMS's JSON protocol (TrentService.GetPublicKey and .Sign) for the keys TAAP_FAKE_KMS_KEYS names
// (a JSON object: key id => [PEM file, password or null]), signing with PHP's OpenSSL. Each
// request is logged to TAAP_FAKE_KMS_LOG as a JSON line: action, key id, whether it was signed
// with SigV4. TAAP_FAKE_KMS_USAGE is the keys' usage (SIGN_VERIFY by default), and
// TAAP_FAKE_KMS_CORRUPT=1 flips a bit of every signature.
declare(strict_types=1);

$keys = json_decode((string) getenv('TAAP_FAKE_KMS_KEYS'), true, 512, JSON_THROW_ON_ERROR);
$request = json_decode((string) file_get_contents('php://input'), true, 512, JSON_THROW_ON_ERROR);
$target = $_SERVER['HTTP_X_AMZ_TARGET'] ?? '';
$action = substr($target, strrpos($target, '.') + 1);
$signed = str_starts_with($_SERVER['HTTP_AUTHORIZATION'] ?? '', 'AWS4-HMAC-SHA256 ');
file_put_contents((string) getenv('TAAP_FAKE_KMS_LOG'), json_encode(['action' => $action, 'key' => $request['KeyId'], 'signed' => $signed]) . "\n", FILE_APPEND);

[$file, $password] = $keys[$request['KeyId']];
$key = openssl_pkey_get_private((string) file_get_contents($file), $password);
$details = openssl_pkey_get_details($key);
if ($action === 'GetPublicKey') {
    $answer = [
        'KeyId' => $request['KeyId'],
        'KeyUsage' => getenv('TAAP_FAKE_KMS_USAGE') ?: 'SIGN_VERIFY',
        'KeySpec' => 'RSA_' . $details['bits'],
        'PublicKey' => preg_replace('/-----[^-]+-----|\s/', '', $details['key']),
        'SigningAlgorithms' => ['RSASSA_PKCS1_V1_5_SHA_256'],
    ];
} elseif ($action === 'Sign' && $request['SigningAlgorithm'] === 'RSASSA_PKCS1_V1_5_SHA_256') {
    $message = base64_decode($request['Message']);
    if ($request['MessageType'] === 'DIGEST') {
        openssl_private_encrypt(hex2bin('3031300d060960864801650304020105000420') . $message, $signature, $key, OPENSSL_PKCS1_PADDING);
    } else {
        openssl_sign($message, $signature, $key, OPENSSL_ALGO_SHA256);
    }
    if (getenv('TAAP_FAKE_KMS_CORRUPT') === '1') {
        $signature[0] = chr(ord($signature[0]) ^ 1);
    }
    $answer = ['KeyId' => $request['KeyId'], 'Signature' => base64_encode($signature), 'SigningAlgorithm' => $request['SigningAlgorithm']];
} else {
    http_response_code(400);
    $answer = ['__type' => 'ValidationException', 'message' => "unexpected $target"];
}
header('Content-Type: application/x-amz-json-1.1');
echo json_encode($answer);
