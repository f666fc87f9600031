package dev.keyward.repo.rest;

import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The repository API with tokens issued and introspected by the real token-service process. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class RepositoryApiTests extends RepositoryApiContract {

    @Override
    protected TokenAuthority authority() {
        return TokenServiceTestResource.api();
    }
}
