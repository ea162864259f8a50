import dev.taap.BuildOptions;
import dev.taap.DigestSigner;
import dev.taap.EhtsEntry;
import dev.taap.PopToken;
import dev.taap.PrivateKey;
import dev.taap.Signer;
import dev.taap.SignerKind;
import dev.taap.TaapException;
import java.io.ByteArrayOutputStream;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Signers as a Java user writes them: a lambda that throws checked exceptions, null, overloads. */
class JavaSignerTest {
    private static final byte[] DIGEST_INFO_PREFIX = {
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

    @Test
    void aLambdaSignsWithTheJdk() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            String body = key.toPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            java.security.PrivateKey jdkKey =
                KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            DigestSigner jdk = digest -> {                       // throws GeneralSecurityException, a checked one
                Signature signature = Signature.getInstance("NONEwithRSA");
                signature.initSign(jdkKey);
                ByteArrayOutputStream info = new ByteArrayOutputStream();
                info.write(DIGEST_INFO_PREFIX);
                info.write(digest);
                signature.update(info.toByteArray());
                return signature.sign();
            };
            Signer signer = Signer.fromCallback(key.publicKey(), jdk, "jdk");
            assertEquals(SignerKind.CALLBACK, signer.getKind());
            assertEquals("jdk", signer.getLabel());
            List<EhtsEntry> ehts = List.of(new EhtsEntry("uri", "/x"), new EhtsEntry("http-method", "GET"));
            BuildOptions options = new BuildOptions(60, 1767225600L, "java-signer");
            Signer inMemory = key;                              // a PrivateKey is a Signer
            assertEquals(PopToken.build(inMemory, ehts, options), PopToken.build(signer, ehts, options));
            assertEquals(PopToken.build(key, ehts, options), PopToken.build(Signer.fromCallback(key.publicKey(), jdk), ehts, options));
        }
    }

    @Test
    void nullIsSignatureInvalid() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            Signer signer = Signer.fromCallback(key.publicKey(), digest -> null, "java-null");
            TaapException.SignatureInvalid e = assertThrows(TaapException.SignatureInvalid.class,
                () -> PopToken.forRequest(signer, "GET", "/x", List.of(), new byte[0]));
            assertEquals("PoP token signature invalid: the callback signer (java-null) returned null, not a signature; no token was made with it", e.getMessage());
        }
    }
}
