package dev.keyward.repo.git;

import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** git over HTTP with tokens issued, revoked and introspected by the real token-service process. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class GitSmartHttpTests extends GitSmartHttpContract {

    @Override
    protected TokenAuthority authority() {
        return TokenServiceTestResource.api();
    }
}
