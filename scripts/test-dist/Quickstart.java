/* The README's Java quick start with the docs-orders-post vector's fixed iat and jti; prints
 * the jar's core version and the token for scripts/test-dist.sh to compare. Run with java's
 * source launcher, so the check needs the JDK and the class path a user has, nothing else. */
import dev.taap.BuildOptions;
import dev.taap.EhtsEntry;
import dev.taap.PopToken;
import dev.taap.PrivateKey;
import dev.taap.Taap;
import java.util.List;

public class Quickstart {
    public static void main(String[] args) throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(System.getenv("KEY"))) {
            String token = PopToken.build(key, List.of(
                    new EhtsEntry("Content-Type", "application/json"),
                    new EhtsEntry("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"),
                    new EhtsEntry("uri", "/commerce/v1/orders"),
                    new EhtsEntry("http-method", "POST"),
                    new EhtsEntry("body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}")),
                new BuildOptions(BuildOptions.DEFAULT_TTL_SECS, Long.parseLong(System.getenv("IAT")),
                    System.getenv("JTI")));
            System.out.println(Taap.coreVersion() + " " + token);
        }
    }
}
