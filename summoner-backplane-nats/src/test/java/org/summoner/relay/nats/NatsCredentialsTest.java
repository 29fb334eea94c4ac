package org.summoner.relay.nats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.tck.NatsServers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code cluster.nats.credentials_file} against a {@code nats-server} run with an operator ({@code operator},
 * {@code resolver: MEMORY}, the account's JWT preloaded), everything made by the test ({@link TestNkeys}): a user of
 * the account relays; a user of an account the server does not know is refused. And each wrong file's message.
 */
class NatsCredentialsTest extends SecuredNatsHarness {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        final Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }

    @Test
    void aUserOfTheOperatorsAccountRelaysAndAUserOfAnAccountItDoesNotKnowIsRefused() throws Exception {
        final TestNkeys.Key operator = TestNkeys.operator();
        final TestNkeys.Key account = TestNkeys.account();
        final TestNkeys.Key user = TestNkeys.user();
        final TestNkeys.Key stranger = TestNkeys.account(); // signed by the operator, but never given to the server
        final TestNkeys.Key intruder = TestNkeys.user();
        final Path config = file("operator.conf", "operator: \"" + file("operator.jwt", TestNkeys.operatorJwt(operator)) + "\"\n"
                + "resolver: MEMORY\n"
                + "resolver_preload: {\n  " + account.publicKey() + ": \"" + TestNkeys.accountJwt(operator, account) + "\"\n}\n");
        final Path good = file("relay.creds", TestNkeys.creds(TestNkeys.userJwt(account, user), user));
        final Path bad = file("intruder.creds", TestNkeys.creds(TestNkeys.userJwt(stranger, intruder), intruder));
        try (NatsServers nats = new NatsServers(1, true, "-c", config.toString()); BackplaneLogs logs = new BackplaneLogs()) {
            relaysAndRefuses(nats, Map.of("credentials_file", good.toString()), Map.of("credentials_file", bad.toString()));
            await("the refusal logged", () -> logs.has("WARN cluster: NATS error: Authorization Violation"), () -> String.join("\n", logs.lines()));
        }
    }

    private String error(Path creds) {
        return assertThrows(ConfigException.class, () -> NatsSettings.read(section(creds))).getMessage().replace(dir + "/", "");
    }

    @Test
    void aFileThatIsNoUsersCredentialsStopsStartUpWithoutQuotingTheSeed() throws Exception {
        final TestNkeys.Key account = TestNkeys.account();
        final TestNkeys.Key user = TestNkeys.user();
        final String jwt = TestNkeys.userJwt(account, user);
        final String creds = TestNkeys.creds(jwt, user);
        final String expected = "server_config.json: key \"cluster.nats.credentials_file\": expected a NATS credentials file (a user JWT and its nkey seed), found ";

        final String seedOnly = creds.substring(creds.indexOf("-----BEGIN USER NKEY SEED"));
        assertEquals(expected + "seed.creds without a \"NATS USER JWT\" block (a seed alone, for a server's nkey users, is not supported)",
                error(file("seed.creds", seedOnly)));
        assertEquals(expected + "jwt.creds without a \"USER NKEY SEED\" block", error(file("jwt.creds", creds.substring(0, creds.indexOf("****")))));
        final String others = error(file("others.creds", TestNkeys.creds(jwt, TestNkeys.user())));
        assertEquals(expected + "others.creds whose seed is not the key of its JWT's user (" + user.publicKey() + ")", others);
        assertEquals(expected + "account.creds whose seed is not a user's nkey seed",
                error(file("account.creds", creds.replace(user.seed(), account.seed()))));
        assertEquals(expected + "typo.creds whose seed is not a user's nkey seed",
                error(file("typo.creds", creds.replace(user.seed(), user.seed().substring(0, 20) + "A" + user.seed().substring(21)))));
        assertEquals(expected + "accountjwt.creds whose JWT is not a NATS user's",
                error(file("accountjwt.creds", TestNkeys.creds(TestNkeys.accountJwt(TestNkeys.operator(), account), user))));
        assertEquals(expected + "garbage.creds whose JWT is not a NATS user's", error(file("garbage.creds", creds.replace(jwt, "not.a.jwt"))));
        assertFalse(others.contains(user.seed().substring(2, 12)), others);
    }

    @Test
    void theCredentialsAreShownAsTheirFileOnly() throws Exception {
        final TestNkeys.Key user = TestNkeys.user();
        final Path creds = file("relay.creds", TestNkeys.creds(TestNkeys.userJwt(TestNkeys.account(), user), user));
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        final NatsSettings settings = NatsSettings.read(section(creds));
        assertEquals("credentials " + creds, settings.auth().toString());
        assertFalse(settings.toString().contains(user.seed().substring(2, 12)), settings.toString());
    }

    @Test
    void credentialsEveryUserMayReadAreAWarning() throws Exception {
        final TestNkeys.Key user = TestNkeys.user();
        final Path creds = file("relay.creds", TestNkeys.creds(TestNkeys.userJwt(TestNkeys.account(), user), user));
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        final ConfigSection quiet = section(creds);
        NatsSettings.read(quiet);
        assertEquals(List.of(), quiet.warnings());
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r--r--"));
        final ConfigSection loud = section(creds);
        NatsSettings.read(loud);
        assertEquals(List.of("server_config.json: key \"cluster.nats.credentials_file\" names " + creds + ", credentials (a user's seed)"
                + " every user of this machine may read (run: chmod 600 " + creds + ")"), loud.warnings());
    }

    private static ConfigSection section(Path creds) {
        final String json = "{\"cluster\": {\"backplane\": \"nats\", \"node\": \"a\", \"nats\": {\"credentials_file\": \"" + creds + "\"}}}";
        return ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json").cluster().orElseThrow().section();
    }
}
