import dev.taap.ClientOptions;
import dev.taap.PopTokenValidator;
import dev.taap.PrivateKey;
import dev.taap.TaapClient;
import dev.taap.TaapException;
import dev.taap.ValidatorOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The option classes as a Java user writes them: setters on the typed class, or a Map. */
class JavaOptionsTest {
    @Test
    void typedOptionsThroughSetters() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            ClientOptions options = new ClientOptions();
            options.setServer("v6");
            options.setStoreId("store-1");
            options.setConnectTimeout(2.5);
            options.setMaxRetries(0);
            try (TaapClient client = new TaapClient(key, "id", "secret", options)) {
                assertEquals("https://api.t-mobile.com/oauth2/v6/tokens", client.getSettings().get("server"));
                assertEquals("store-1", client.getSettings().get("storeId"));
                assertEquals(2.5, client.getSettings().get("connectTimeout"));
                assertEquals(0L, client.getSettings().get("maxRetries"));
            }
            ValidatorOptions strict = new ValidatorOptions();
            strict.setRequired(List.of("uri", "http-method"));
            try (PopTokenValidator validator = new PopTokenValidator(strict)) {
                assertEquals(List.of("uri", "http-method"), validator.getSettings().get("required"));
            }
        }
    }

    @Test
    void mapOptionsAreCheckedByTheCore() throws Exception {
        try (PrivateKey key = PrivateKey.generate()) {
            try (TaapClient client = new TaapClient(key, "id", "secret", Map.of("timeout", 5, "uriForm", "encoded"))) {
                assertEquals(5.0, client.getSettings().get("timeout"));
                assertEquals("encoded", client.getSettings().get("uriForm"));
            }
            TaapException.Config wrong = assertThrows(TaapException.Config.class,
                () -> new PopTokenValidator(Map.of("leeway", "ten")));
            assertEquals("invalid configuration: option leeway must be a whole number of seconds, not a string",
                wrong.getMessage());
        }
    }
}
