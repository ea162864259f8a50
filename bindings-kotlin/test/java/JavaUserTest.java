import dev.taap.BuildOptions;
import dev.taap.DecodedToken;
import dev.taap.EhtsEntry;
import dev.taap.PopToken;
import dev.taap.PopTokenValidator;
import dev.taap.PrivateKey;
import dev.taap.TaapException;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The public API as a Java user writes it: static factories, overloads, checked kinds. */
class JavaUserTest {
    @Test
    void buildAndValidateFromJava() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            List<EhtsEntry> ehts = List.of(
                new EhtsEntry("Content-Type", "application/json"),
                new EhtsEntry("uri", "/commerce/v1/orders"),
                new EhtsEntry("http-method", "POST"),
                new EhtsEntry("body", "{\"orderId\": 100}"));
            String token = PopToken.build(key, ehts);
            DecodedToken decoded = new PopTokenValidator().validate(token, key.publicKey(), ehts);
            assertEquals(120, decoded.getClaims().getExp() - decoded.getClaims().getIat());

            LinkedHashMap<String, String> map = new LinkedHashMap<>();
            map.put("uri", "/x");
            map.put("http-method", "GET");
            String fixed = PopToken.build(key, map, new BuildOptions(60, 1767225600L, "java-jti"));
            assertEquals("java-jti", PopToken.decode(fixed).getClaims().getJti());

            TaapException.EdtsMismatch wrong = assertThrows(TaapException.EdtsMismatch.class,
                () -> new PopTokenValidator().validate(token, key.publicKey(), List.of(
                    new EhtsEntry("Content-Type", "text/plain"),
                    new EhtsEntry("uri", "/commerce/v1/orders"),
                    new EhtsEntry("http-method", "POST"),
                    new EhtsEntry("body", "{\"orderId\": 100}"))));
            assertEquals("TAAP_EDTS_MISMATCH", wrong.getCode());
        }
    }
}
