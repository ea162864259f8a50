import dev.taap.BuildOptions;
import dev.taap.DecodedToken;
import dev.taap.EhtsEntry;
import dev.taap.Explanation;
import dev.taap.PopToken;
import dev.taap.PopTokenValidator;
import dev.taap.PrivateKey;
import dev.taap.SignatureCheck;
import dev.taap.Taap;
import dev.taap.TaapException;
import dev.taap.UriForm;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    @Test
    void explainAndTheUriFormFromJava() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            byte[] empty = new byte[0];
            String token = PopToken.forRequest(key, "GET", "https://h/a?q=%41", List.of(), empty);
            Explanation explanation = Taap.explain(token, "GET", "https://h/b?q=%41");
            assertEquals(SignatureCheck.NOT_CHECKED, explanation.getSignature());
            assertNull(explanation.getVariant());
            assertEquals("/b?q=A", explanation.getEntries().get(0).getValue());
            assertEquals(List.of("edts mismatch: no known variant reproduces the signed values"), explanation.getProblems());

            List<EhtsEntry> received = List.of(new EhtsEntry("X-Authorization", token));
            PopTokenValidator validator = new PopTokenValidator();
            assertEquals(token, validator.validateRequest(key.publicKey(), "GET", "/a?q=%41", received, empty).getToken());
            assertThrows(TaapException.EdtsMismatch.class,
                () -> validator.validateRequest(key.publicKey(), "GET", "/a?q=%41", received, empty, null, UriForm.ENCODED));
        }
    }
}
